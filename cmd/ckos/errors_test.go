package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

func TestExitCodeClassification(t *testing.T) {
	run := func(err error) error { return &runError{err: err} }
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, exitOK},
		{errors.New("unknown flag: --x"), exitUsage}, // cobra's own errors are untagged
		{usageErrorf("bad"), exitUsage},
		{inputError(errors.New("bad time")), exitInput},
		{run(fmt.Errorf("wrapped: %w", storage.ErrInvalid)), exitInput},
		{run(fmt.Errorf("x: %w", &dataframe.Error{Path: "dataframes[0]", Err: errors.New("bad")})), exitInput},
		{run(fmt.Errorf("open: %w", storage.ErrUnknownDriver)), exitInput},
		{run(fmt.Errorf("connect: %w at http://h:9200: refused", storage.ErrUnavailable)), exitUnavailable},
		{run(fmt.Errorf("HTTP 400: %w", storage.ErrRejected)), exitRejected},
		{run(fmt.Errorf("push: %w", context.Canceled)), exitInterrupted},
		{run(errors.New("disk full")), exitOther},
	} {
		assert.Equal(t, tc.want, exitCode(tc.err), "%v", tc.err)
	}
}

func TestExitCodesAreDocumentedInHelp(t *testing.T) {
	r := invocation{}.ckos(t, "--help")
	require.Equal(t, 0, r.code)
	for _, line := range []string{"0  success", "2  usage", "3  input", "4  cluster unreachable", "5  the cluster rejected"} {
		assert.Contains(t, r.stdout, line)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"total", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"bogus"}, `unknown command "bogus" for "ckos"`},
		{[]string{"templates"}, "ckos templates needs a subcommand: install, status, uninstall"},
		{[]string{"retention", "purge"}, `unknown command "purge" for "ckos retention"`},
		{[]string{"push"}, "push takes one argument, a file name or - for stdin; got 0"},
		{[]string{"total", "--limit", "ten"}, `invalid argument "ten" for "--limit"`},
		{[]string{"-o", "yaml", "config", "show"}, `--output "yaml": want table, json or csv`},
		{[]string{"retrieve", "--all", "--limit", "3"}, "[all limit] were all set"},
		{[]string{"retrieve", "--filter", "project_id"}, `--filter "project_id": want key=value`},
		{[]string{"completion", "tcsh"}, `completion: unknown shell "tcsh"`},
		{[]string{"total", "--desc"}, "--desc needs --sort COLUMN"},
	} {
		r := invocation{}.ckos(t, tc.args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.msg, "%v", tc.args)
		assert.Contains(t, r.stderr, "Run 'ckos --help' for usage.")
		assert.Empty(t, r.stdout)
		assert.Equal(t, 1, strings.Count(r.stderr, "ckos: error:"), "printed once: %s", r.stderr)
	}
}

func TestInputErrors(t *testing.T) {
	// None of these reach a cluster: the URL points nowhere, and the exit code is still 3.
	inv := invocation{env: map[string]string{"CKOS_URL": "http://127.0.0.1:1"}}
	for _, tc := range []struct {
		args []string
		msg  []string
	}{
		{[]string{"total", "--begin", "yesterday"}, []string{`--begin: bad time "yesterday": want RFC 3339`, "ISO basic (20190723T122810Z)", "a date (2019-07-23)"}},
		{[]string{"retrieve", "--end", "2026-13-01"}, []string{`--end: bad time "2026-13-01"`}},
		{[]string{"delete", "--begin", "2026-11-02", "--end", "2026-11-01"}, []string{"--begin 2026-11-02T00:00:00Z is not before --end 2026-11-01T00:00:00Z"}},
		{[]string{"total", "--limit", "0"}, []string{"--limit 0: must be at least 1"}},
		{[]string{"retrieve", "--limit", "-5"}, []string{"--limit -5: must be at least 1"}},
		{[]string{"retrieve", "--offset", "-1"}, []string{"--offset -1: must not be negative"}},
		{[]string{"total", "--groupby", "time-u"}, []string{"--groupby:", "There is no groupby processing for [time-u]"}},
		{[]string{"total", "--custom-fields", "SUM(qty) AS qty; DROP"}, []string{"--custom-fields:", `custom field 1 "SUM(qty) AS qty; DROP"`}},
		{[]string{"push", "testdata/does-not-exist.json"}, []string{"push: open testdata/does-not-exist.json: no such file or directory"}},
		{[]string{"demo-data", "--days", "0"}, []string{"demo-data: days 0: must be at least 1"}},
		{[]string{"--config", "testdata/does-not-exist.conf", "config", "show"}, []string{"configuration file (flag --config): read testdata/does-not-exist.conf"}},
	} {
		r := inv.ckos(t, tc.args...)
		assert.Equal(t, exitInput, r.code, "%v: %s", tc.args, r.stderr)
		for _, m := range tc.msg {
			assert.Contains(t, r.stderr, m, "%v", tc.args)
		}
		assert.NotContains(t, r.stderr, "goroutine", "no stack trace")
	}
	r := invocation{env: map[string]string{"CKOS_TIMEZONE": "Mars/Olympus"}}.ckos(t, "config", "show")
	assert.Equal(t, exitInput, r.code)
	assert.Contains(t, r.stderr, `env CKOS_TIMEZONE: timezone = "Mars/Olympus": unknown time zone`)
}

func TestMalformedFileNamesTheLocation(t *testing.T) {
	c := newCluster(t)
	c.ok(t, "init")
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/frames.json")
	require.NoError(t, err)
	// NDJSON: the second line has a bad qty.
	bad := strings.Join([]string{
		`{"period":{"begin":"2026-11-01T00:00:00Z","end":"2026-11-01T01:00:00Z"},"usage":{"instance":[{"vol":{"unit":"instance","qty":1},"rating":{"price":1},"groupby":{"id":"a"},"metadata":{}}]}}`,
		`{"period":{"begin":"2026-11-01T01:00:00Z","end":"2026-11-01T02:00:00Z"},"usage":{"instance":[{"vol":{"unit":"instance","qty":1},"groupby":{},"metadata":{}},{"vol":{"unit":"instance","qty":"abc"},"groupby":{},"metadata":{}}]}}`,
	}, "\n")
	path := filepath.Join(dir, "bad.ndjson")
	require.NoError(t, os.WriteFile(path, []byte(bad), 0o644))
	r := c.inv().ckos(t, "push", path)
	assert.Equal(t, exitInput, r.code)
	assert.Contains(t, r.stderr, "push "+path+`: line 2: dataframes[1].usage["instance"][1].vol.qty: not a number: "abc"`)
	assert.Contains(t, r.stderr, "the 1 points of the 1 frames before it were stored")

	// A truncated object-form file: the location is the byte offset.
	path = filepath.Join(dir, "cut.json")
	require.NoError(t, os.WriteFile(path, good[:200], 0o644))
	r = c.inv().ckos(t, "push", path)
	assert.Equal(t, exitInput, r.code)
	assert.Contains(t, r.stderr, "push "+path+": dataframes[0]")
	assert.Contains(t, r.stderr, "(nothing was stored)")
	assert.Regexp(t, `byte \d+`, r.stderr)

	// From stdin the name is "stdin".
	r = invocation{env: c.inv().env, stdin: strings.NewReader(`{"dataframes": [{"period": {}}]}`)}.ckos(t, "push", "-")
	assert.Equal(t, exitInput, r.code)
	assert.Contains(t, r.stderr, "push stdin: dataframes[0].period")
}

func TestUnreachableClusterNamesURLNotPassword(t *testing.T) {
	for _, inv := range []invocation{
		{env: map[string]string{"CKOS_URL": "http://ckos:hunter2@127.0.0.1:1"}},
		{env: map[string]string{"CKOS_URL": "http://127.0.0.1:1", "CKOS_USERNAME": "ckos", "CKOS_PASSWORD": "hunter2"}},
	} {
		r := inv.ckos(t, "total")
		assert.Equal(t, exitUnavailable, r.code, r.stderr)
		assert.Contains(t, r.stderr, "http://127.0.0.1:1")
		assert.Contains(t, r.stderr, "unavailable")
		assert.NotContains(t, r.stderr, "hunter2")
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %s", r.stderr)
	}
}

func TestServerRejectionExitsFive(t *testing.T) {
	c := newCluster(t)
	c.ok(t, "init")
	// An index whose qty is mapped as boolean rejects every point pushed into it.
	body := `{"mappings": {"properties": {"qty": {"type": "boolean"}}}}`
	req, err := http.NewRequest(http.MethodPut, "/"+c.Prefix+"-2026.11.01", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Client.Client.Perform(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	r := c.inv().ckos(t, "push", "testdata/frames.json")
	assert.Equal(t, exitRejected, r.code, r.stderr)
	assert.Contains(t, r.stderr, "HTTP 400")
	assert.Contains(t, r.stderr, "mapper_parsing_exception")
}
