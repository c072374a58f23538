package templates

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/internal/ostest"
	"github.com/ckos/ckos/mapping"
)

// These tests run against the real cluster of internal/ostest; those needing the ISM plugin are
// gated by ostest.RequireISM (skipped where it is absent, failing when CKOS_REQUIRE_ISM=1).

func clusterSettings(e ostest.Env) Settings {
	s := testSettings()
	s.Prefix = e.Prefix
	return s
}

// req sends a request to the cluster and returns the 2xx answer, failing the test otherwise.
func req(t testing.TB, c *opensearchapi.Client, method, path string, body []byte) []byte {
	t.Helper()
	data, err := do(t.Context(), c, call{op: method + " " + path, method: method, path: path, body: body})
	require.NoError(t, err)
	return data
}

// getTemplate returns the installed index template object.
func getTemplate(t testing.TB, c *opensearchapi.Client, name string) map[string]any {
	t.Helper()
	var answer struct {
		IndexTemplates []struct {
			IndexTemplate map[string]any `json:"index_template"`
		} `json:"index_templates"`
	}
	require.NoError(t, decode(req(t, c, http.MethodGet, "/_index_template/"+name, nil), &answer))
	require.Len(t, answer.IndexTemplates, 1)
	return answer.IndexTemplates[0].IndexTemplate
}

func states(r Report) map[string]State {
	m := map[string]State{}
	for _, e := range r.Objects {
		m[e.Object] = e.State
	}
	return m
}

func actions(r Report) map[string]Action {
	m := map[string]Action{}
	for _, e := range r.Objects {
		m[e.Object] = e.Action
	}
	return m
}

// expectedPolicyState is what the policy is after Install: installed with ISM, else unavailable.
func expectedPolicyState(t *testing.T, e ostest.Env) State {
	if e.HasPlugin(t, ostest.ISMPlugin) {
		return StateInstalled
	}
	return StateUnavailable
}

func TestDetectOpenSearch(t *testing.T) {
	e := ostest.Cluster(t)
	d, err := Detect(t.Context(), e.Client)
	require.NoError(t, err)
	assert.Equal(t, OpenSearch, d)
}

func TestInstallTwiceIsANoOp(t *testing.T) {
	e := ostest.Cluster(t)
	ctx := t.Context()
	s := clusterSettings(e)
	policy := expectedPolicyState(t, e)

	before, err := Status(ctx, e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, StateMissing, states(before)[ObjectIndexTemplate])

	first, err := Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, OpenSearch, first.Distribution)
	assert.Equal(t, map[string]State{ObjectIndexTemplate: StateInstalled, ObjectISMPolicy: policy}, states(first))
	assert.Equal(t, ActionCreated, actions(first)[ObjectIndexTemplate])
	if policy == StateUnavailable {
		pe, _ := first.Entry(ObjectISMPolicy)
		assert.Equal(t, ActionNone, pe.Action)
		assert.Contains(t, pe.Detail, "ckos retention enforce", "says how to enforce retention without ISM")
	} else {
		assert.Equal(t, ActionCreated, actions(first)[ObjectISMPolicy])
	}

	second, err := Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]Action{ObjectIndexTemplate: ActionNone, ObjectISMPolicy: ActionNone}, actions(second), "second install changes nothing: %+v", second)
	assert.Equal(t, states(first), states(second))

	st, err := Status(ctx, e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, map[string]State{ObjectIndexTemplate: StateInstalled, ObjectISMPolicy: policy}, states(st))
	te, _ := st.Entry(ObjectIndexTemplate)
	assert.Equal(t, "0.1.0", te.InstalledVersion)
	out, err := json.MarshalIndent(st, "", "  ")
	require.NoError(t, err)
	t.Logf("Status after Install:\n%s", out)

	// What was installed is exactly what was rendered.
	got := getTemplate(t, e.Client, s.TemplateName())
	body, err := IndexTemplate(s)
	require.NoError(t, err)
	var want map[string]any
	require.NoError(t, decode(body, &want))
	assert.Equal(t, templateContent(want), templateContent(got))
	assert.Equal(t, want["_meta"], got["_meta"])
}

func TestInstallLeavesEditedTemplateUnlessForced(t *testing.T) {
	e := ostest.Cluster(t)
	ctx := t.Context()
	s := clusterSettings(e)
	_, err := Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)

	// An operator raises the replicas of the template, keeping ckos's _meta.
	tmpl := getTemplate(t, e.Client, s.TemplateName())
	tmpl["template"].(map[string]any)["settings"].(map[string]any)["index"].(map[string]any)["number_of_replicas"] = "2"
	delete(tmpl, "composed_of")
	edited, err := json.Marshal(tmpl)
	require.NoError(t, err)
	req(t, e.Client, http.MethodPut, "/_index_template/"+s.TemplateName(), edited)

	st, err := Status(ctx, e.Client, s)
	require.NoError(t, err)
	te, _ := st.Entry(ObjectIndexTemplate)
	assert.Equal(t, StateModified, te.State)
	assert.Contains(t, te.Detail, "changed since ckos 0.1.0 installed it")

	r, err := Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	te, _ = r.Entry(ObjectIndexTemplate)
	assert.Equal(t, StateModified, te.State)
	assert.Equal(t, ActionNone, te.Action)
	replicas := func() any {
		return getTemplate(t, e.Client, s.TemplateName())["template"].(map[string]any)["settings"].(map[string]any)["index"].(map[string]any)["number_of_replicas"]
	}
	assert.Equal(t, "2", replicas(), "the operator's edit survives a re-install")

	r, err = Install(ctx, e.Client, s, InstallOptions{Force: true})
	require.NoError(t, err)
	te, _ = r.Entry(ObjectIndexTemplate)
	assert.Equal(t, StateInstalled, te.State)
	assert.Equal(t, ActionOverwritten, te.Action)
	assert.Equal(t, "0", replicas(), "forced install restores ckos's template")

	st, err = Status(ctx, e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, StateInstalled, states(st)[ObjectIndexTemplate])
}

func TestInstallLeavesForeignTemplate(t *testing.T) {
	e := ostest.Cluster(t)
	ctx := t.Context()
	s := clusterSettings(e)
	req(t, e.Client, http.MethodPut, "/_index_template/"+s.TemplateName(),
		[]byte(`{"index_patterns":["`+e.Prefix+`-*"],"priority":5,"template":{"settings":{"index":{"number_of_shards":"1"}}}}`))

	r, err := Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	te, _ := r.Entry(ObjectIndexTemplate)
	assert.Equal(t, StateModified, te.State)
	assert.Equal(t, ActionNone, te.Action)
	assert.Contains(t, te.Detail, "not installed by ckos")
	assert.Equal(t, json.Number("5"), getTemplate(t, e.Client, s.TemplateName())["priority"])
}

func TestInstallUpdatesOlderVersionAndChangedSettings(t *testing.T) {
	e := ostest.Cluster(t)
	ctx := t.Context()
	old := clusterSettings(e)
	old.Version = "0.0.9"
	r, err := Install(ctx, e.Client, old, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, ActionCreated, actions(r)[ObjectIndexTemplate])

	s := clusterSettings(e)
	st, err := Status(ctx, e.Client, s)
	require.NoError(t, err)
	te, _ := st.Entry(ObjectIndexTemplate)
	assert.Equal(t, StateOutdated, te.State)
	assert.Equal(t, "0.0.9", te.InstalledVersion)

	r, err = Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	te, _ = r.Entry(ObjectIndexTemplate)
	assert.Equal(t, ActionUpdated, te.Action)
	assert.Equal(t, StateInstalled, te.State)
	assert.Contains(t, te.Detail, "installed by ckos 0.0.9")
	got := getTemplate(t, e.Client, s.TemplateName())
	assert.Equal(t, json.Number("1000"), got["version"])
	assert.Equal(t, "0.1.0", got["_meta"].(map[string]any)["ckos_version"])

	// A template installed by a newer ckos is left alone.
	r, err = Install(ctx, e.Client, old, InstallOptions{})
	require.NoError(t, err)
	te, _ = r.Entry(ObjectIndexTemplate)
	assert.Equal(t, ActionNone, te.Action)
	assert.Contains(t, te.Detail, "newer ckos 0.1.0")

	// Same version, other settings: updated.
	s.Shards = 2
	r, err = Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, ActionUpdated, actions(r)[ObjectIndexTemplate])
	assert.Equal(t, "2", getTemplate(t, e.Client, s.TemplateName())["template"].(map[string]any)["settings"].(map[string]any)["index"].(map[string]any)["number_of_shards"])
}

// pushDocs indexes points through the mapping encoder with one _bulk and refreshes.
func pushDocs(t testing.TB, c *opensearchapi.Client, prefix string, g mapping.Granularity, docs []testDoc) {
	t.Helper()
	var enc mapping.Encoder
	var buf []byte
	for i, d := range docs {
		id := fmt.Sprintf("doc-%d", i)
		buf = mapping.AppendIndexAction(buf, mapping.IndexName(prefix, g, d.start), id)
		p := dataframe.DataPoint{Unit: d.unit, Qty: d.qty, Price: d.price,
			Groupby: map[string]string{"project_id": d.project, "id": d.id}, Metadata: map[string]string{"flavor": "m1"}}
		buf = enc.AppendDocument(buf, d.typ, d.start, d.start.Add(time.Hour), p, id)
	}
	data, err := do(t.Context(), c, call{op: "bulk", method: http.MethodPost, path: "/_bulk", query: url.Values{"refresh": {"true"}}, body: buf})
	require.NoError(t, err)
	var answer struct {
		Errors bool `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(data, &answer))
	require.False(t, answer.Errors, "bulk had errors: %s", data)
}

type testDoc struct {
	start       time.Time
	typ, unit   string
	project, id string
	qty, price  float64
}

func TestNewIndexGetsMappingAndAlias(t *testing.T) {
	e := ostest.Cluster(t)
	s := clusterSettings(e)
	_, err := Install(t.Context(), e.Client, s, InstallOptions{})
	require.NoError(t, err)
	day := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	pushDocs(t, e.Client, e.Prefix, mapping.Day, []testDoc{{start: day, typ: "instance", unit: "instance", project: "p1", id: "vm-1", qty: 1, price: 2.5}})
	index := e.Prefix + "-2026.12.03"

	var mp map[string]struct {
		Mappings struct {
			Properties map[string]struct {
				Type       string                    `json:"type"`
				Properties map[string]map[string]any `json:"properties"`
			} `json:"properties"`
		} `json:"mappings"`
	}
	require.NoError(t, json.Unmarshal(req(t, e.Client, http.MethodGet, "/"+index+"/_mapping", nil), &mp))
	props := mp[index].Mappings.Properties
	for field, typ := range map[string]string{"start": "date", "end": "date", "type": "keyword", "unit": "keyword", "qty": "double", "price": "double"} {
		assert.Equal(t, typ, props[field].Type, field)
	}
	assert.Equal(t, "keyword", props["groupby"].Properties["project_id"]["type"], "groupby.* are keywords")
	assert.Equal(t, "keyword", props["metadata"].Properties["flavor"]["type"], "metadata.* are keywords")

	var aliases map[string]struct {
		Aliases map[string]any `json:"aliases"`
	}
	require.NoError(t, json.Unmarshal(req(t, e.Client, http.MethodGet, "/_alias/"+e.Prefix, nil), &aliases))
	assert.Contains(t, aliases, index, "the new index carries the read alias %s", e.Prefix)

	var settings map[string]struct {
		Settings map[string]any `json:"settings"`
	}
	require.NoError(t, json.Unmarshal(req(t, e.Client, http.MethodGet, "/"+index+"/_settings?flat_settings=true", nil), &settings))
	assert.Equal(t, "1", settings[index].Settings["index.number_of_shards"])
	assert.Equal(t, "0", settings[index].Settings["index.number_of_replicas"])
}

func TestInstallRefusesAliasClash(t *testing.T) {
	e := ostest.Cluster(t)
	s := clusterSettings(e)
	req(t, e.Client, http.MethodPut, "/"+e.Prefix, nil) // like CloudKitty's own single index

	r, err := Install(t.Context(), e.Client, s, InstallOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `an index named "`+e.Prefix+`" exists`)
	te, _ := r.Entry(ObjectIndexTemplate)
	assert.Equal(t, StateConflict, te.State)
	assert.Equal(t, ActionNone, te.Action)
	_, err = do(t.Context(), e.Client, call{op: "get", method: http.MethodGet, path: "/_index_template/" + s.TemplateName()})
	assert.Equal(t, http.StatusNotFound, statusOf(err), "nothing installed")

	st, err := Status(t.Context(), e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, StateConflict, states(st)[ObjectIndexTemplate])
}

func TestUninstallRemovesTemplateNotData(t *testing.T) {
	e := ostest.Cluster(t)
	ctx := t.Context()
	s := clusterSettings(e)
	_, err := Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	pushDocs(t, e.Client, e.Prefix, mapping.Day, []testDoc{{start: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), typ: "instance", unit: "instance", project: "p", id: "i", qty: 1, price: 1}})

	r, err := Uninstall(ctx, e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, ActionDeleted, actions(r)[ObjectIndexTemplate])
	if e.HasPlugin(t, ostest.ISMPlugin) {
		assert.Equal(t, ActionDeleted, actions(r)[ObjectISMPolicy])
	} else {
		assert.Equal(t, StateUnavailable, states(r)[ObjectISMPolicy])
	}
	st, err := Status(ctx, e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, StateMissing, states(st)[ObjectIndexTemplate])
	req(t, e.Client, http.MethodHead, "/"+e.Prefix+"-2026.12.03", nil) // the data index is still there

	r, err = Uninstall(ctx, e.Client, s)
	require.NoError(t, err, "uninstalling twice is fine")
	assert.Equal(t, ActionNone, actions(r)[ObjectIndexTemplate])
}

func TestRetentionPolicyInfo(t *testing.T) {
	e := ostest.Cluster(t)
	s := clusterSettings(e)
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	info, err := RetentionPolicyInfo(t.Context(), e.Client, s, now)
	require.NoError(t, err)
	assert.Equal(t, 2400, info.RetentionHours)
	assert.Equal(t, now.Add(-2400*time.Hour), info.Cutoff)
	assert.Equal(t, "2424h", info.PolicyMinIndexAge)
	assert.Equal(t, ObjectISMPolicy, info.Policy.Object)
	if !e.HasPlugin(t, ostest.ISMPlugin) {
		assert.Equal(t, StateUnavailable, info.Policy.State)
	} else {
		assert.Equal(t, StateMissing, info.Policy.State)
	}
}

func TestStatusReportsServerErrors(t *testing.T) {
	e := ostest.Cluster(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Status(ctx, e.Client, clusterSettings(e))
	assert.ErrorIs(t, err, context.Canceled)

	_, err = do(t.Context(), e.Client, call{op: "create bad index", method: http.MethodPut, path: "/" + e.Prefix + "-x", body: []byte(`{"settings":{"index":{"number_of_shards":"zero"}}}`)})
	require.Error(t, err)
	assert.Equal(t, http.StatusBadRequest, statusOf(err))
	assert.Contains(t, err.Error(), "create bad index: HTTP 400: illegal_argument_exception")
}
