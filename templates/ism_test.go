package templates

import (
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/internal/ostest"
)

// EnvISMDeleteTest names the variable that, set to 1, runs the slow test in which ISM itself
// deletes an expired index (several minutes; on in CI where the ISM plugin is installed).
const EnvISMDeleteTest = "CKOS_ISM_DELETE_TEST"

// ismPolicy returns the ISM policy document as GET answers it.
func ismPolicy(t testing.TB, c *opensearchapi.Client, name string) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, decode(req(t, c, http.MethodGet, "/_plugins/_ism/policies/"+name, nil), &v))
	return v
}

func ismMinIndexAge(p map[string]any) any {
	return p["policy"].(map[string]any)["states"].([]any)[0].(map[string]any)["transitions"].([]any)[0].(map[string]any)["conditions"].(map[string]any)["min_index_age"]
}

// explainPolicy returns the id of the ISM policy managing index, "" when none does.
func explainPolicy(t testing.TB, c *opensearchapi.Client, index string) string {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(req(t, c, http.MethodGet, "/_plugins/_ism/explain/"+index, nil), &v))
	m, _ := v[index].(map[string]any)
	id, _ := m["index.plugins.index_state_management.policy_id"].(string)
	if id == "" {
		id, _ = m["policy_id"].(string)
	}
	return id
}

func TestISMPolicyInstallEditAndAttach(t *testing.T) {
	e := ostest.Cluster(t)
	ostest.RequireISM(t, e)
	ctx := t.Context()
	s := clusterSettings(e)
	name := s.PolicyName()

	// An index that predates the policy: ism_template will not reach it, Install attaches it.
	old := e.Prefix + "-2026.01.05"
	req(t, e.Client, http.MethodPut, "/"+old, nil)

	r, err := Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	pe, _ := r.Entry(ObjectISMPolicy)
	assert.Equal(t, ActionCreated, pe.Action)
	assert.Equal(t, StateInstalled, pe.State)
	assert.Equal(t, 1, pe.Attached, "the pre-existing index got the policy")
	require.Eventually(t, func() bool { return explainPolicy(t, e.Client, old) == name }, time.Minute, time.Second,
		"explain shows %s managing %s", name, old)
	assert.Equal(t, "2424h", ismMinIndexAge(ismPolicy(t, e.Client, name)))

	r, err = Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]Action{ObjectIndexTemplate: ActionNone, ObjectISMPolicy: ActionNone}, actions(r), "second install is a no-op: %+v", r)
	pe, _ = r.Entry(ObjectISMPolicy)
	assert.Zero(t, pe.Attached, "nothing left to attach")

	// A new date index is attached by ism_template.
	fresh := e.Prefix + "-2026.12.03"
	req(t, e.Client, http.MethodPut, "/"+fresh, nil)
	require.Eventually(t, func() bool { return explainPolicy(t, e.Client, fresh) == name }, 2*time.Minute, 2*time.Second,
		"ISM attaches %s to the new index %s", name, fresh)

	// An operator shortens the retention in the policy.
	p := ismPolicy(t, e.Client, name)
	pol := p["policy"].(map[string]any)
	pol["states"].([]any)[0].(map[string]any)["transitions"].([]any)[0].(map[string]any)["conditions"] = map[string]any{"min_index_age": "30d"}
	for _, k := range []string{"policy_id", "last_updated_time", "schema_version", "user"} {
		delete(pol, k)
	}
	for _, it := range pol["ism_template"].([]any) {
		delete(it.(map[string]any), "last_updated_time")
	}
	body, err := json.Marshal(map[string]any{"policy": pol})
	require.NoError(t, err)
	seq, _ := number(p["_seq_no"])
	term, _ := number(p["_primary_term"])
	req(t, e.Client, http.MethodPut, "/_plugins/_ism/policies/"+name+"?if_seq_no="+strconv.FormatInt(seq, 10)+"&if_primary_term="+strconv.FormatInt(term, 10), body)

	st, err := Status(ctx, e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, StateModified, states(st)[ObjectISMPolicy])
	r, err = Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, ActionNone, actions(r)[ObjectISMPolicy])
	assert.Equal(t, "30d", ismMinIndexAge(ismPolicy(t, e.Client, name)), "the operator's edit survives a re-install")

	r, err = Install(ctx, e.Client, s, InstallOptions{Force: true})
	require.NoError(t, err)
	assert.Equal(t, ActionOverwritten, actions(r)[ObjectISMPolicy])
	assert.Equal(t, "2424h", ismMinIndexAge(ismPolicy(t, e.Client, name)))

	// A policy of an older ckos is updated (with if_seq_no/if_primary_term).
	older := s
	older.Version = "0.0.9"
	older.RetentionHours = 100
	olderBody, err := ISMPolicy(older)
	require.NoError(t, err)
	p = ismPolicy(t, e.Client, name)
	seq, _ = number(p["_seq_no"])
	term, _ = number(p["_primary_term"])
	req(t, e.Client, http.MethodPut, "/_plugins/_ism/policies/"+name+"?if_seq_no="+strconv.FormatInt(seq, 10)+"&if_primary_term="+strconv.FormatInt(term, 10), olderBody)
	assert.Equal(t, "124h", ismMinIndexAge(ismPolicy(t, e.Client, name)))
	st, err = Status(ctx, e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, StateOutdated, states(st)[ObjectISMPolicy])
	r, err = Install(ctx, e.Client, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, ActionUpdated, actions(r)[ObjectISMPolicy])
	assert.Equal(t, "2424h", ismMinIndexAge(ismPolicy(t, e.Client, name)))

	// Uninstall detaches and deletes the policy, keeping the indices.
	r, err = Uninstall(ctx, e.Client, s)
	require.NoError(t, err)
	assert.Equal(t, ActionDeleted, actions(r)[ObjectISMPolicy])
	require.Eventually(t, func() bool { return explainPolicy(t, e.Client, old) == "" }, time.Minute, time.Second,
		"%s is no longer managed", old)
	req(t, e.Client, http.MethodHead, "/"+old, nil)
}

// TestISMDeletesExpiredIndex lets ISM delete an index past a one-minute age with ckos's policy
// (its min_index_age shortened for the test) and reports how long it took. Opt-in: it sets the
// ISM job interval to 1 minute for the whole cluster and takes a few minutes.
func TestISMDeletesExpiredIndex(t *testing.T) {
	if os.Getenv(EnvISMDeleteTest) != "1" {
		t.Skipf("set %s=1 to let ISM delete an expired index (takes minutes)", EnvISMDeleteTest)
	}
	e := ostest.Cluster(t)
	ostest.RequireISM(t, e)
	ctx := t.Context()
	s := clusterSettings(e)

	req(t, e.Client, http.MethodPut, "/_cluster/settings",
		[]byte(`{"persistent":{"plugins.index_state_management.job_interval":1,"plugins.index_state_management.jitter":0}}`))
	t.Cleanup(func() {
		_, err := do(t.Context(), e.Client, call{op: "restore ISM job settings", method: http.MethodPut, path: "/_cluster/settings",
			body: []byte(`{"persistent":{"plugins.index_state_management.job_interval":null,"plugins.index_state_management.jitter":null}}`)})
		assert.NoError(t, err)
	})

	body, err := ISMPolicy(s)
	require.NoError(t, err)
	var pol map[string]any
	require.NoError(t, decode(body, &pol))
	pol["policy"].(map[string]any)["states"].([]any)[0].(map[string]any)["transitions"].([]any)[0].(map[string]any)["conditions"] = map[string]any{"min_index_age": "1m"}
	short, err := json.Marshal(pol)
	require.NoError(t, err)
	req(t, e.Client, http.MethodPut, "/_plugins/_ism/policies/"+s.PolicyName(), short)

	index := e.Prefix + "-2026.12.03"
	created := time.Now()
	req(t, e.Client, http.MethodPut, "/"+index, nil)
	require.Eventually(t, func() bool { return explainPolicy(t, e.Client, index) == s.PolicyName() }, 2*time.Minute, 2*time.Second,
		"the policy is attached to %s", index)

	deadline := created.Add(6 * time.Minute)
	for {
		_, err := do(ctx, e.Client, call{op: "head", method: http.MethodHead, path: "/" + index})
		if statusOf(err) == http.StatusNotFound {
			t.Logf("ISM deleted %s %s after its creation (min_index_age 1m, job interval 1m)", index, time.Since(created).Round(time.Second))
			return
		}
		require.NoError(t, err)
		if time.Now().After(deadline) {
			var explain any
			_ = json.Unmarshal(req(t, e.Client, http.MethodGet, "/_plugins/_ism/explain/"+index, nil), &explain)
			t.Fatalf("ISM did not delete %s within 6 minutes; explain: %v", index, explain)
		}
		time.Sleep(10 * time.Second)
	}
}
