package templates

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	goldenfile "github.com/ckos/ckos/internal/golden"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), got)
}

func testSettings() Settings {
	return Settings{Prefix: "cloudkitty", Shards: 1, Replicas: 0, RetentionHours: 2400, Granularity: mapping.Day, Version: "0.1.0"}
}

func mustJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, decode(b, &v), "output is not a JSON object: %s", b)
	return v
}

func TestGoldenAssets(t *testing.T) {
	day := testSettings()
	month := day
	month.Granularity, month.Shards, month.Replicas, month.RetentionHours = mapping.Month, 2, 1, 48
	week := day
	week.Granularity = mapping.Week
	esDay := day
	esDay.Distribution, esDay.ILM = Elasticsearch, true
	esMonth := month
	esMonth.Distribution, esMonth.ILM = Elasticsearch, true

	cases := []struct {
		file   string
		render func(Settings) ([]byte, error)
		s      Settings
	}{
		{"index_template.opensearch.golden.json", IndexTemplate, day},
		{"index_template.opensearch-month.golden.json", IndexTemplate, month},
		{"index_template.elasticsearch-day.golden.json", IndexTemplate, esDay},
		{"index_template.elasticsearch-month.golden.json", IndexTemplate, esMonth},
		{"ism_policy.day.golden.json", ISMPolicy, day},
		{"ism_policy.week.golden.json", ISMPolicy, week},
		{"ism_policy.month.golden.json", ISMPolicy, month},
		{"ilm_policy.day.golden.json", ILMPolicy, esDay},
		{"ilm_policy.month.golden.json", ILMPolicy, esMonth},
		{"dashboards.golden.ndjson", DashboardsNDJSON, day},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, err := c.render(c.s)
			require.NoError(t, err)
			if strings.HasSuffix(c.file, ".ndjson") {
				for i, line := range bytes.Split(bytes.TrimSuffix(got, []byte("\n")), []byte("\n")) {
					assert.True(t, json.Valid(line), "line %d is not valid JSON: %s", i+1, line)
				}
			} else {
				assert.True(t, json.Valid(got), "not valid JSON: %s", got)
			}
			golden(t, c.file, got)
		})
	}
}

func TestIndexTemplateContent(t *testing.T) {
	s := testSettings()
	s.Prefix, s.Shards, s.Replicas = "ck-test", 3, 2
	body, err := IndexTemplate(s)
	require.NoError(t, err)
	v := mustJSON(t, body)
	assert.Equal(t, []any{"ck-test-2*"}, v["index_patterns"])
	assert.Equal(t, json.Number("200"), v["priority"])
	assert.Equal(t, json.Number("1000"), v["version"])
	meta := v["_meta"].(map[string]any)
	assert.Equal(t, "ckos", meta["managed_by"])
	assert.Equal(t, "0.1.0", meta["ckos_version"])
	tmpl := v["template"].(map[string]any)
	idx := tmpl["settings"].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, "3", idx["number_of_shards"])
	assert.Equal(t, "2", idx["number_of_replicas"])
	assert.NotContains(t, idx, "lifecycle", "no ILM settings on OpenSearch")
	assert.Equal(t, map[string]any{"ck-test": map[string]any{}}, tmpl["aliases"])

	want, err := json.Marshal(mapping.Mappings())
	require.NoError(t, err)
	got, err := json.Marshal(tmpl["mappings"])
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got), "the template's mappings are mapping.Mappings()")

	// The recorded hash is the hash of the content without _meta, as Status recomputes it.
	h, err := contentHash(templateContent(v))
	require.NoError(t, err)
	assert.Equal(t, meta["ckos_hash"], h)
}

func TestIndexTemplateElasticsearch(t *testing.T) {
	for _, c := range []struct {
		g     mapping.Granularity
		ilm   bool
		parse bool
	}{{mapping.Day, true, true}, {mapping.Week, true, false}, {mapping.Month, true, false}, {mapping.Day, false, false}} {
		s := testSettings()
		s.Distribution, s.Granularity, s.ILM = Elasticsearch, c.g, c.ilm
		body, err := IndexTemplate(s)
		require.NoError(t, err)
		idx := mustJSON(t, body)["template"].(map[string]any)["settings"].(map[string]any)["index"].(map[string]any)
		lc, has := idx["lifecycle"].(map[string]any)
		assert.Equal(t, c.ilm, has, "%s ilm=%v: lifecycle settings", c.g, c.ilm)
		if !has {
			continue
		}
		assert.Equal(t, "cloudkitty-retention", lc["name"])
		if c.parse {
			assert.Equal(t, "true", lc["parse_origination_date"], "day names carry ES's origination-date pattern")
		} else {
			assert.NotContains(t, lc, "parse_origination_date", "%s names do not match ES's yyyy.MM.dd pattern", c.g)
		}
	}
}

func TestISMPolicyContent(t *testing.T) {
	for _, c := range []struct {
		g   mapping.Granularity
		age string
	}{{mapping.Day, "2424h"}, {mapping.Week, "2568h"}, {mapping.Month, "3144h"}} {
		s := testSettings()
		s.Granularity = c.g
		body, err := ISMPolicy(s)
		require.NoError(t, err)
		p := mustJSON(t, body)["policy"].(map[string]any)
		assert.Equal(t, "hot", p["default_state"])
		states := p["states"].([]any)
		require.Len(t, states, 2)
		hot, del := states[0].(map[string]any), states[1].(map[string]any)
		assert.Equal(t, "hot", hot["name"])
		tr := hot["transitions"].([]any)[0].(map[string]any)
		assert.Equal(t, "delete", tr["state_name"])
		assert.Equal(t, c.age, tr["conditions"].(map[string]any)["min_index_age"], "%s: retention + span", c.g)
		assert.Equal(t, "delete", del["name"])
		act := del["actions"].([]any)[0].(map[string]any)
		assert.Contains(t, act, "delete")
		assert.Equal(t, json.Number("3"), act["retry"].(map[string]any)["count"])
		tmpl := p["ism_template"].([]any)[0].(map[string]any)
		assert.Equal(t, []any{"cloudkitty-2*"}, tmpl["index_patterns"])
		assert.Equal(t, json.Number("100"), tmpl["priority"])

		desc := p["description"].(string)
		m := ismMarker.FindStringSubmatch(desc)
		require.NotNil(t, m, "description carries the ckos marker: %q", desc)
		assert.Equal(t, "0.1.0", m[1])
		h, err := contentHash(ismContent(mustJSON(t, body)))
		require.NoError(t, err)
		assert.Equal(t, m[2], h, "marker hash is the content hash")
	}
}

// TestISMContentOfServerAnswer checks that the policy as ISM returns it (GET adds ids, times,
// schema_version, error_notification and the ism_template's time, and writes the backoff as it
// likes) hashes like the policy ckos sent, and that an edit changes the hash.
func TestISMContentOfServerAnswer(t *testing.T) {
	body, err := ISMPolicy(testSettings())
	require.NoError(t, err)
	sent := mustJSON(t, body)
	want, err := contentHash(ismContent(sent))
	require.NoError(t, err)

	answer := func() map[string]any {
		v := mustJSON(t, body)
		p := v["policy"].(map[string]any)
		p["policy_id"] = "cloudkitty-retention"
		p["last_updated_time"] = json.Number("1767225600000")
		p["schema_version"] = json.Number("21")
		p["error_notification"] = nil
		p["ism_template"].([]any)[0].(map[string]any)["last_updated_time"] = json.Number("1767225600000")
		p["states"].([]any)[1].(map[string]any)["actions"].([]any)[0].(map[string]any)["retry"].(map[string]any)["backoff"] = "EXPONENTIAL"
		return map[string]any{"_id": "cloudkitty-retention", "_version": json.Number("1"), "_seq_no": json.Number("7"), "_primary_term": json.Number("1"), "policy": p}
	}
	got, err := contentHash(ismContent(answer()))
	require.NoError(t, err)
	assert.Equal(t, want, got, "server-added fields do not count as a modification")

	edited := answer()
	edited["policy"].(map[string]any)["states"].([]any)[0].(map[string]any)["transitions"].([]any)[0].(map[string]any)["conditions"] = map[string]any{"min_index_age": "30d"}
	got, err = contentHash(ismContent(edited))
	require.NoError(t, err)
	assert.NotEqual(t, want, got, "an edited min_index_age is a modification")

	edited = answer()
	edited["policy"].(map[string]any)["error_notification"] = map[string]any{"channel": map[string]any{"id": "x"}}
	got, err = contentHash(ismContent(edited))
	require.NoError(t, err)
	assert.NotEqual(t, want, got, "an added error notification is a modification")

	edited = answer()
	edited["policy"].(map[string]any)["ism_template"] = map[string]any{"index_patterns": []any{"cloudkitty-2*"}, "priority": json.Number("100")}
	got, err = contentHash(ismContent(edited))
	require.NoError(t, err)
	assert.Equal(t, want, got, "ism_template as a single object equals a one-element list")
}

func TestILMPolicyContent(t *testing.T) {
	s := testSettings()
	s.Distribution = Elasticsearch
	body, err := ILMPolicy(s)
	require.NoError(t, err)
	v := mustJSON(t, body)
	p := v["policy"].(map[string]any)
	meta := p["_meta"].(map[string]any)
	assert.Equal(t, "ckos", meta["managed_by"])
	assert.Equal(t, "0.1.0", meta["ckos_version"])
	del := p["phases"].(map[string]any)["delete"].(map[string]any)
	assert.Equal(t, "2424h", del["min_age"])
	assert.Contains(t, del["actions"].(map[string]any), "delete")
	h, err := contentHash(ilmContent(v))
	require.NoError(t, err)
	assert.Equal(t, meta["ckos_hash"], h)

	// GET _ilm/policy/<name> answers {"<name>":{"version":1,"modified_date":…,"policy":{…}}}.
	got, err := contentHash(ilmContent(p))
	require.NoError(t, err)
	assert.Equal(t, h, got, "the policy object alone hashes the same")
}

func TestHashFollowsSettings(t *testing.T) {
	base := testSettings()
	hashOf := func(s Settings) (string, string) {
		tb, err := IndexTemplate(s)
		require.NoError(t, err)
		th, err := recordedTemplateHash(tb)
		require.NoError(t, err)
		pb, err := ISMPolicy(s)
		require.NoError(t, err)
		ph, err := recordedISMHash(pb)
		require.NoError(t, err)
		return th, ph
	}
	t0, p0 := hashOf(base)
	t1, p1 := hashOf(base)
	assert.Equal(t, t0, t1, "rendering is deterministic")
	assert.Equal(t, p0, p1, "rendering is deterministic")

	shards := base
	shards.Shards = 2
	t2, p2 := hashOf(shards)
	assert.NotEqual(t, t0, t2, "shards change the template")
	assert.Equal(t, p0, p2, "shards do not change the policy")

	ret := base
	ret.RetentionHours = 24
	t3, p3 := hashOf(ret)
	assert.Equal(t, t0, t3, "retention does not change the OpenSearch template")
	assert.NotEqual(t, p0, p3, "retention changes the policy")

	ver := base
	ver.Version = "0.2.0"
	t4, _ := hashOf(ver)
	assert.NotEqual(t, t0, t4, "the template's version number is part of its content")
}

func TestSettingsValidate(t *testing.T) {
	ok := testSettings()
	require.NoError(t, ok.Validate())
	for name, c := range map[string]struct {
		mut  func(*Settings)
		want string
	}{
		"empty prefix": {func(s *Settings) { s.Prefix = "" }, `index prefix ""`},
		"upper prefix": {func(s *Settings) { s.Prefix = "Cloud" }, `index prefix "Cloud"`},
		"wildcard":     {func(s *Settings) { s.Prefix = "ck*" }, `index prefix "ck*"`},
		"zero shards":  {func(s *Settings) { s.Shards = 0 }, "shards 0"},
		"neg replicas": {func(s *Settings) { s.Replicas = -1 }, "replicas -1"},
		"no retention": {func(s *Settings) { s.RetentionHours = 0 }, "retention period 0 hours"},
		"granularity":  {func(s *Settings) { s.Granularity = "hour" }, `"hour"`},
		"version":      {func(s *Settings) { s.Version = "dev" }, `"dev"`},
		"distribution": {func(s *Settings) { s.Distribution = "solr" }, `"solr"`},
	} {
		s := ok
		c.mut(&s)
		err := s.Validate()
		if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), c.want, name)
		}
		_, err = IndexTemplate(s)
		assert.Error(t, err, "%s: rendering refuses invalid settings", name)
	}
}

func TestSettingsFromConfig(t *testing.T) {
	s, err := SettingsFromConfig(storage.Config{})
	require.NoError(t, err)
	assert.Equal(t, Settings{Prefix: "cloudkitty", Shards: 1, Replicas: 0, RetentionHours: 2400, Granularity: mapping.Day, Version: s.Version}, s)
	assert.NotEmpty(t, s.Version)

	s, err = SettingsFromConfig(storage.Config{Index: "rating", Shards: 2, Replicas: 1, RetentionHours: 48, IndexGranularity: "month"})
	require.NoError(t, err)
	assert.Equal(t, "rating", s.Prefix)
	assert.Equal(t, 2, s.Shards)
	assert.Equal(t, 1, s.Replicas)
	assert.Equal(t, 48, s.RetentionHours)
	assert.Equal(t, mapping.Month, s.Granularity)

	_, err = SettingsFromConfig(storage.Config{Index: "rating", IndexGranularity: "hourly"})
	assert.ErrorContains(t, err, `"hourly"`)
}

func TestVersionNumber(t *testing.T) {
	for v, want := range map[string]int{"0.1.0": 1000, "1.2.3": 1002003, "v2.0.10-rc1": 2000010, "0.0.1+build": 1, "10.999.999": 10999999} {
		got, err := VersionNumber(v)
		require.NoError(t, err, v)
		assert.Equal(t, want, got, v)
	}
	for _, v := range []string{"", "1", "1.2", "1.2.3.4", "a.b.c", "1.1000.0", "-1.0.0"} {
		_, err := VersionNumber(v)
		assert.Error(t, err, v)
	}
}

func TestMinIndexAge(t *testing.T) {
	s := testSettings()
	s.RetentionHours = 1
	for g, want := range map[mapping.Granularity]string{mapping.Day: "25h", mapping.Week: "169h", mapping.Month: "745h"} {
		s.Granularity = g
		assert.Equal(t, want, s.MinIndexAge(), string(g))
	}
}

func TestAssess(t *testing.T) {
	const want = "aaaaaaaaaaaaaaaa"
	const other = "bbbbbbbbbbbbbbbb"
	for name, c := range map[string]struct {
		o     observed
		state State
		write bool
	}{
		"missing":            {observed{}, StateMissing, true},
		"up to date":         {observed{exists: true, version: "0.1.0", hash: want, content: want}, StateInstalled, false},
		"older, unmodified":  {observed{exists: true, version: "0.0.9", hash: other, content: other}, StateOutdated, true},
		"older, modified":    {observed{exists: true, version: "0.0.9", hash: other, content: want}, StateModified, false},
		"same, modified":     {observed{exists: true, version: "0.1.0", hash: want, content: other}, StateModified, false},
		"same, new settings": {observed{exists: true, version: "0.1.0", hash: other, content: other}, StateOutdated, true},
		"newer ckos":         {observed{exists: true, version: "0.2.0", hash: other, content: other}, StateInstalled, false},
		"no marker":          {observed{exists: true, content: other}, StateModified, false},
		"no marker, same":    {observed{exists: true, content: want}, StateInstalled, false},
		"unreadable version": {observed{exists: true, version: "x", hash: other, content: other}, StateModified, false},
	} {
		v := assess(c.o, want, "0.1.0")
		assert.Equal(t, c.state, v.state, name)
		assert.Equal(t, c.write, v.write, name)
	}
}

func TestApplyAndDone(t *testing.T) {
	writes := 0
	w := func() error { writes++; return nil }
	for name, c := range map[string]struct {
		v      verdict
		force  bool
		action Action
		writes int
	}{
		"missing":         {verdict{state: StateMissing, write: true}, false, ActionCreated, 1},
		"outdated":        {verdict{state: StateOutdated, write: true}, false, ActionUpdated, 1},
		"modified":        {verdict{state: StateModified}, false, ActionNone, 0},
		"modified forced": {verdict{state: StateModified}, true, ActionOverwritten, 1},
		"installed":       {verdict{state: StateInstalled}, true, ActionNone, 0},
	} {
		writes = 0
		a, err := apply(c.v, c.force, w)
		require.NoError(t, err)
		assert.Equal(t, c.action, a, name)
		assert.Equal(t, c.writes, writes, name)
		e := Entry{State: c.v.state, Detail: "why"}
		done(&e, a, "0.1.0")
		if a == ActionNone {
			assert.Equal(t, c.v.state, e.State, name)
		} else {
			assert.Equal(t, StateInstalled, e.State, name)
			assert.Equal(t, "0.1.0", e.InstalledVersion, name)
		}
	}
}

func TestReportJSON(t *testing.T) {
	r := Report{Distribution: OpenSearch, Version: "0.1.0", Objects: []Entry{
		{Object: ObjectIndexTemplate, Name: "ck", State: StateInstalled, Action: ActionCreated},
		{Object: ObjectISMPolicy, Name: "ck-retention", State: StateUnavailable, Action: ActionNone, Detail: hintNoISM},
	}}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"distribution":"opensearch","ckos_version":"0.1.0","objects":[
		{"object":"index_template","name":"ck","state":"installed","action":"created"},
		{"object":"ism_policy","name":"ck-retention","state":"unavailable","action":"none","detail":"ISM plugin not installed; run `+"`ckos retention enforce`"+` on a schedule"}]}`, string(b))
	e, ok := r.Entry(ObjectISMPolicy)
	assert.True(t, ok)
	assert.Equal(t, StateUnavailable, e.State)
	_, ok = r.Entry(ObjectILMPolicy)
	assert.False(t, ok)
}
