package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
)

func TestPushFromFileAndStdin(t *testing.T) {
	c := newCluster(t)
	c.ok(t, "init")
	r := c.ok(t, "push", "--refresh", "testdata/frames.json", "-o", "json")
	assert.Equal(t, "{\"frames\": 2, \"points\": 5}\n", r.stdout)

	// The same frames from stdin, as NDJSON: pushing again stores each point once.
	var nd bytes.Buffer
	f, err := os.Open("testdata/frames.json")
	require.NoError(t, err)
	defer f.Close()
	dec := dataframe.NewDecoder(f)
	for {
		fr, err := dec.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		b, err := fr.MarshalJSON()
		require.NoError(t, err)
		nd.Write(append(b, '\n'))
	}
	inv := c.inv()
	inv.stdin = &nd
	r = inv.ckos(t, "push", "--refresh", "-", "-o", "csv")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "frames,points\n2,5\n", r.stdout)
	r = c.ok(t, append([]string{"retrieve", "-o", "json", "--limit", "1"}, fixtureRange...)...)
	assert.True(t, strings.HasPrefix(r.stdout, `{"total": 5, "dataframes": [`), r.stdout)
}

func TestPushDemoDataInBatches(t *testing.T) {
	c := newCluster(t)
	c.ok(t, "init")
	// About 11 000 points: three batches of whole frames.
	var data bytes.Buffer
	r := invocation{}.ckos(t, "demo-data", "--days", "1", "--projects", "4", "--resources", "600", "--start", "2026-10-01", "--seed", "7")
	require.Equal(t, 0, r.code, r.stderr)
	data.WriteString(r.stdout)
	var points int64
	for _, m := range regexp.MustCompile(`demo-data: (\d+) points`).FindAllStringSubmatch(r.stderr, -1) {
		require.NoError(t, json.Unmarshal([]byte(m[1]), &points))
	}
	require.Greater(t, points, int64(2*pushBatchPoints))
	path := filepath.Join(t.TempDir(), "demo.ndjson")
	require.NoError(t, os.WriteFile(path, data.Bytes(), 0o644))
	r = c.ok(t, "push", "--refresh", path, "-o", "json")
	assert.JSONEq(t, `{"frames": 24, "points": `+itoa(points)+`}`, r.stdout)
	r = c.ok(t, "retrieve", "--begin", "2026-10-01", "--end", "2026-10-02", "--limit", "1", "-o", "json")
	assert.True(t, strings.HasPrefix(r.stdout, `{"total": `+itoa(points)+`, "dataframes": [`), r.stdout[:80])
	r = c.ok(t, "total", "--begin", "2026-10-01", "--end", "2026-10-02", "--groupby", "type", "-o", "csv")
	assert.Equal(t, 8, strings.Count(r.stdout, "\n"), "header and the seven metric types:\n%s", r.stdout)
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestDemoDataIsDeterministic(t *testing.T) {
	args := []string{"demo-data", "--days", "2", "--projects", "6", "--resources", "80", "--start", "2026-11-01", "--seed", "42"}
	a := invocation{}.ckos(t, args...)
	b := invocation{}.ckos(t, args...)
	require.Equal(t, 0, a.code, a.stderr)
	assert.Equal(t, a.stdout, b.stdout, "same seed, same bytes")
	other := invocation{}.ckos(t, append(args[:len(args)-1], "43")...)
	assert.NotEqual(t, a.stdout, other.stdout, "another seed, other data")

	// 48 hourly frames of valid CloudKitty JSON with the seven metric types.
	dec := dataframe.NewDecoder(strings.NewReader(a.stdout))
	types := map[string]bool{}
	units := map[string]string{}
	var frames int
	var prev dataframe.DataFrame
	for {
		f, err := dec.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if frames > 0 {
			assert.Equal(t, prev.End, f.Start)
		}
		assert.Equal(t, f.Start.Add(3600e9), f.End)
		for typ, pts := range f.Usage {
			types[typ] = true
			for _, p := range pts {
				units[typ] = p.Unit
				assert.Contains(t, p.Groupby, "project_id")
				assert.Contains(t, p.Groupby, "user_id")
				assert.Contains(t, p.Groupby, "id")
				assert.GreaterOrEqual(t, p.Price, 0.0)
				if typ == "instance" {
					assert.Contains(t, p.Metadata, "flavor_name")
				}
			}
		}
		prev = f
		frames++
	}
	assert.Equal(t, 48, frames)
	assert.Len(t, types, 7, "%v", types)
	assert.Equal(t, map[string]string{"instance": "instance", "image.size": "MiB", "volume.size": "GiB",
		"network.outgoing.bytes": "MB", "network.incoming.bytes": "MB", "ip.floating": "ip", "radosgw.objects.size": "GiB"}, units)
	assert.Equal(t, 48, strings.Count(a.stdout, "\n"), "NDJSON, one frame per line")
}

func TestProgressBarOnlyOnATerminal(t *testing.T) {
	c := newCluster(t)
	c.ok(t, "init")
	inv := c.inv()
	inv.terminal = true
	r := inv.ckos(t, "push", "testdata/frames.json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "pushing testdata/frames.json")
	assert.Contains(t, r.stderr, "100%")
	assert.Contains(t, r.stdout, "pushed 5 points")
	assert.NotContains(t, r.stdout, "100%", "progress goes to stderr only")

	// stdin: a spinner counting points.
	f, err := os.ReadFile("testdata/frames.json")
	require.NoError(t, err)
	inv.stdin = bytes.NewReader(f)
	r = inv.ckos(t, "push", "-")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "pushing stdin")

	// retrieve --all and delete: bars over points, fed by the library's progress reports.
	inv.stdin = nil
	c.ok(t, "push", "--refresh", "testdata/frames.json")
	r = inv.ckos(t, append([]string{"retrieve", "--all", "-o", "json"}, fixtureRange...)...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "retrieving all points")
	assert.Contains(t, r.stderr, "100%")
	assert.Contains(t, r.stderr, "(5/5")
	r = inv.ckos(t, "delete", "--begin", "2026-11-01", "--filter", "project_id=nobody")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "deleting")

	// --quiet, or not a terminal: nothing on stderr.
	r = inv.ckos(t, "push", "--quiet", "testdata/frames.json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	r = c.ok(t, "push", "testdata/frames.json")
	assert.Empty(t, r.stderr)
	r = c.ok(t, "delete", "--begin", "2026-11-01")
	assert.Empty(t, r.stderr)
}

func TestVerboseLogsRequestsWithoutSecrets(t *testing.T) {
	c := newCluster(t)
	// The test node has no security plugin: basic auth is sent and ignored.
	u := strings.Replace(c.URL, "://", "://ckos:hunter2@", 1)
	inv := invocation{env: map[string]string{"CKOS_URL": u, "CKOS_INDEX": c.Prefix}}
	r := inv.ckos(t, "--verbose", "init")
	require.Equal(t, 0, r.code, r.stderr)
	r = inv.ckos(t, "--verbose", "push", "--refresh", "testdata/frames.json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `(?m)^ckos: POST /_bulk 200 \d+(\.\d+)?m?s$`, r.stderr)
	r = inv.ckos(t, "-v", "total", "--begin", "2026-11-01", "--end", "2026-11-02")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `(?m)^ckos: POST /`+regexp.QuoteMeta(c.Prefix)+`-2026\.11\.01,\S*/_search 200 `, r.stderr)
	assert.NotContains(t, r.stderr, "hunter2")
	assert.NotContains(t, r.stderr, "Authorization")
	assert.NotContains(t, r.stderr, `"query"`, "no bodies")
	sc := bufio.NewScanner(strings.NewReader(r.stderr))
	for sc.Scan() {
		assert.Regexp(t, `^ckos: (GET|POST|PUT|DELETE|HEAD) /\S* (\d{3}|-) \S+$`, sc.Text())
	}
}

func TestCompletionAndVersion(t *testing.T) {
	for shell, marker := range map[string]string{"bash": "__start_ckos", "zsh": "#compdef ckos", "fish": "complete -c ckos"} {
		r := invocation{}.ckos(t, "completion", shell)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, marker, shell)
	}
	// Dynamic completion of flag values works through cobra's hidden __complete command.
	r := invocation{}.ckos(t, "__complete", "total", "--groupby", "")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "calendar-month\n")
	r = invocation{}.ckos(t, "__complete", "-o", "")
	assert.Contains(t, r.stdout, "csv\n")

	r = invocation{}.ckos(t, "--version")
	require.Equal(t, 0, r.code)
	assert.Regexp(t, `^ckos \d+\.\d+\.\d+\n$`, r.stdout)
}

func TestInitTemplatesRetentionDashboards(t *testing.T) {
	c := newCluster(t)
	r := c.ok(t, "init", "-o", "json")
	var rep struct {
		Objects []struct {
			Object, Name, State string
		} `json:"objects"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
	require.NotEmpty(t, rep.Objects)
	assert.Equal(t, "index_template", rep.Objects[0].Object)
	assert.Equal(t, c.Prefix, rep.Objects[0].Name)
	assert.Equal(t, "installed", rep.Objects[0].State)

	r = c.ok(t, "templates", "install")
	assert.Regexp(t, `(?m)^index_template\s+`+regexp.QuoteMeta(c.Prefix)+`\s+installed\s+none\s`, r.stdout, "second install is a no-op")
	r = c.ok(t, "templates", "status", "-o", "csv")
	assert.True(t, strings.HasPrefix(r.stdout, "object,name,state,action,version,detail\nindex_template,"+c.Prefix+",installed,none,"), r.stdout)

	// Retention: a backfilled 2020 index is expired, this month's is kept.
	c.ok(t, "push", "--refresh", "testdata/frames.json")
	old := strings.ReplaceAll(mustRead(t, "testdata/frames.json"), "2026-11-01", "2020-01-01")
	inv := c.inv()
	inv.stdin = strings.NewReader(old)
	require.Equal(t, 0, inv.ckos(t, "push", "-").code)
	r = c.ok(t, "retention", "show", "-o", "json")
	var shown struct {
		RetentionHours int `json:"retention_hours"`
		Expired        []struct{ Index string }
		Kept           []struct{ Index string }
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &shown), r.stdout)
	assert.Equal(t, 2400, shown.RetentionHours)
	require.Len(t, shown.Expired, 1)
	assert.Equal(t, c.Prefix+"-2020.01.01", shown.Expired[0].Index)
	require.Len(t, shown.Kept, 1)
	r = c.ok(t, "retention", "show")
	assert.Contains(t, r.stdout, "2400 hours (100 days)")
	assert.Contains(t, r.stdout, c.Prefix+"-2020.01.01")

	r = c.ok(t, "retention", "enforce", "--dry-run")
	assert.Contains(t, r.stdout, "would delete 1 indices, kept 1")
	r = c.ok(t, "retention", "enforce", "-o", "json")
	var enforced struct {
		DryRun  bool `json:"dry_run"`
		Deleted []struct{ Index string }
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &enforced))
	assert.False(t, enforced.DryRun)
	require.Len(t, enforced.Deleted, 1)
	r = c.ok(t, "retention", "enforce")
	assert.Contains(t, r.stdout, "deleted 0 indices, kept 1")
	r = c.ok(t, "retrieve", "--begin", "2020-01-01", "--end", "2020-01-02", "-o", "json")
	assert.Equal(t, "{\"total\": 0, \"dataframes\": []}\n", r.stdout)

	// Dashboards objects: NDJSON whose index pattern names the prefix.
	r = c.ok(t, "dashboards", "export")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Greater(t, len(lines), 3)
	for _, l := range lines {
		var obj map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &obj), l)
	}
	assert.Contains(t, r.stdout, `"index-pattern"`)
	assert.Contains(t, r.stdout, c.Prefix)
	bad := c.inv().ckos(t, "dashboards", "install")
	assert.Equal(t, exitUsage, bad.code)
	bad = c.inv().ckos(t, "dashboards", "install", "--dashboards-url", "http://ckos:hunter2@127.0.0.1:1")
	assert.Equal(t, exitUnavailable, bad.code)
	assert.NotContains(t, bad.stderr, "hunter2")

	r = c.ok(t, "templates", "uninstall", "-o", "json")
	assert.Contains(t, r.stdout, `"action": "deleted"`)
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
