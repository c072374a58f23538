package templates

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	osgo "github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeCluster imitates the parts of an Elasticsearch (with or without ILM) or an OpenSearch
// with the ISM plugin that the installer uses, answering as those servers do. It covers the
// code paths the real node here cannot: Elasticsearch's ILM and OpenSearch's ISM plugin.
type fakeCluster struct {
	mu         sync.Mutex
	opensearch bool                      // else Elasticsearch
	plugin     bool                      // ISM (OpenSearch) or ILM (Elasticsearch) present
	templates  map[string]map[string]any // index templates by name
	policies   map[string]map[string]any // the "policy" object of ISM/ILM policies, by id
	seqNo      int64                     // _seq_no of the last ISM policy write
	indices    map[string]map[string]any // flat settings by index
	managed    map[string]string         // ISM: index → policy id
	requests   []string                  // "METHOD path?query" of every request
}

func newFakeCluster(opensearch, plugin bool, indices ...string) *fakeCluster {
	f := &fakeCluster{opensearch: opensearch, plugin: plugin, templates: map[string]map[string]any{},
		policies: map[string]map[string]any{}, indices: map[string]map[string]any{}, managed: map[string]string{}}
	for _, n := range indices {
		f.indices[n] = map[string]any{}
	}
	return f
}

func (f *fakeCluster) client(t *testing.T) *opensearchapi.Client {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := opensearchapi.NewClient(opensearchapi.Config{Client: osgo.Config{Addresses: []string{srv.URL}, DisableRetry: true}})
	require.NoError(t, err)
	return c
}

func (f *fakeCluster) saw(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		if strings.HasPrefix(r, prefix) {
			out = append(out, r)
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter, typ, reason string) {
	writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"root_cause": []any{map[string]any{"type": typ, "reason": reason}}, "type": typ, "reason": reason}, "status": 404})
}

// match expands a comma-separated index expression with trailing-* patterns.
func (f *fakeCluster) match(expr string) []string {
	var out []string
	for _, part := range strings.Split(expr, ",") {
		for n := range f.indices {
			if n == part || (strings.HasSuffix(part, "*") && strings.HasPrefix(n, strings.TrimSuffix(part, "*"))) {
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (f *fakeCluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	var body map[string]any
	if data, _ := io.ReadAll(r.Body); len(data) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			writeJSON(w, 400, map[string]any{"error": map[string]any{"type": "parse_exception", "reason": err.Error()}, "status": 400})
			return
		}
	}
	seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	noHandlerFor := func() {
		writeJSON(w, 400, map[string]any{"error": fmt.Sprintf("no handler found for uri [%s] and method [%s]", r.URL.Path, r.Method)})
	}
	switch {
	case r.URL.Path == "/":
		if f.opensearch {
			writeJSON(w, 200, map[string]any{"version": map[string]any{"distribution": "opensearch", "number": "2.19.6"}})
		} else {
			writeJSON(w, 200, map[string]any{"version": map[string]any{"number": "8.15.0"}})
		}
	case seg[0] == "_index_template":
		name := seg[1]
		switch r.Method {
		case http.MethodGet:
			t, ok := f.templates[name]
			if !ok {
				notFound(w, "resource_not_found_exception", "index template matching ["+name+"] not found")
				return
			}
			it := map[string]any{"composed_of": []any{}}
			for k, v := range t {
				it[k] = v
			}
			writeJSON(w, 200, map[string]any{"index_templates": []any{map[string]any{"name": name, "index_template": it}}})
		case http.MethodPut:
			f.templates[name] = body
			writeJSON(w, 200, map[string]any{"acknowledged": true})
		case http.MethodDelete:
			if _, ok := f.templates[name]; !ok {
				notFound(w, "index_template_missing_exception", "index_template ["+name+"] missing")
				return
			}
			delete(f.templates, name)
			writeJSON(w, 200, map[string]any{"acknowledged": true})
		}
	case seg[0] == "_cat" && seg[1] == "indices":
		names := f.match(seg[2])
		if len(names) == 0 && !strings.Contains(seg[2], "*") {
			notFound(w, "index_not_found_exception", "no such index ["+seg[2]+"]")
			return
		}
		rows := []any{}
		for _, n := range names {
			rows = append(rows, map[string]any{"index": n})
		}
		writeJSON(w, 200, rows)
	case seg[0] == "_ilm":
		if f.opensearch || !f.plugin {
			noHandlerFor()
			return
		}
		name := seg[2]
		switch r.Method {
		case http.MethodGet:
			p, ok := f.policies[name]
			if !ok {
				notFound(w, "resource_not_found_exception", "Lifecycle policy not found: "+name)
				return
			}
			writeJSON(w, 200, map[string]any{name: map[string]any{"version": 1, "modified_date": "2026-12-03T00:00:00.000Z", "policy": p, "in_use_by": map[string]any{}}})
		case http.MethodPut:
			f.policies[name] = body["policy"].(map[string]any)
			writeJSON(w, 200, map[string]any{"acknowledged": true})
		case http.MethodDelete:
			delete(f.policies, name)
			writeJSON(w, 200, map[string]any{"acknowledged": true})
		}
	case seg[0] == "_plugins":
		if !f.opensearch || !f.plugin {
			noHandlerFor()
			return
		}
		f.ism(w, r, seg[2:], body)
	case len(seg) == 3 && seg[1] == "_settings" && r.Method == http.MethodGet:
		out := map[string]any{}
		for _, n := range f.match(seg[0]) {
			s := map[string]any{}
			if v, ok := f.indices[n][seg[2]]; ok {
				s[seg[2]] = v
			}
			out[n] = map[string]any{"settings": s}
		}
		writeJSON(w, 200, out)
	case len(seg) == 2 && seg[1] == "_settings" && r.Method == http.MethodPut:
		for _, n := range f.match(seg[0]) {
			for k, v := range body {
				f.indices[n][k] = fmt.Sprint(v)
			}
		}
		writeJSON(w, 200, map[string]any{"acknowledged": true})
	case len(seg) == 3 && seg[1] == "_ilm" && seg[2] == "remove":
		for _, n := range f.match(seg[0]) {
			delete(f.indices[n], "index.lifecycle.name")
		}
		writeJSON(w, 200, map[string]any{"has_failures": false, "failed_indexes": []any{}})
	default:
		noHandlerFor()
	}
}

// ism answers /_plugins/_ism/<rest>.
func (f *fakeCluster) ism(w http.ResponseWriter, r *http.Request, rest []string, body map[string]any) {
	switch rest[0] {
	case "policies":
		name := rest[1]
		p, exists := f.policies[name]
		switch r.Method {
		case http.MethodGet:
			if !exists {
				notFound(w, "status_exception", "Policy not found")
				return
			}
			out := map[string]any{"policy_id": name, "last_updated_time": 1767225600000, "schema_version": 21, "error_notification": nil}
			for k, v := range p {
				out[k] = v
			}
			writeJSON(w, 200, map[string]any{"_id": name, "_version": 1, "_seq_no": f.seqNo, "_primary_term": 1, "policy": out})
		case http.MethodPut:
			q := r.URL.Query()
			if exists && (q.Get("if_seq_no") != strconv.FormatInt(f.seqNo, 10) || q.Get("if_primary_term") != "1") {
				writeJSON(w, 409, map[string]any{"error": map[string]any{"root_cause": []any{map[string]any{"type": "version_conflict_engine_exception", "reason": "[" + name + "]: version conflict"}}, "type": "version_conflict_engine_exception", "reason": "version conflict"}, "status": 409})
				return
			}
			f.seqNo++
			f.policies[name] = body["policy"].(map[string]any)
			writeJSON(w, 201, map[string]any{"_id": name})
		case http.MethodDelete:
			delete(f.policies, name)
			writeJSON(w, 200, map[string]any{"result": "deleted"})
		}
	case "explain":
		out := map[string]any{}
		n := 0
		for _, idx := range f.match(rest[1]) {
			var id any
			if p, ok := f.managed[idx]; ok {
				id = p
				n++
			}
			out[idx] = map[string]any{"index.plugins.index_state_management.policy_id": id, "index.opendistro.index_state_management.policy_id": id}
		}
		out["total_managed_indices"] = n
		writeJSON(w, 200, out)
	case "add":
		updated := 0
		failed := []any{}
		for _, idx := range f.match(rest[1]) {
			if _, ok := f.managed[idx]; ok {
				failed = append(failed, map[string]any{"index_name": idx, "index_uuid": "u", "reason": "This index already has a policy, use the update policy API to update index policies"})
				continue
			}
			f.managed[idx] = body["policy_id"].(string)
			updated++
		}
		writeJSON(w, 200, map[string]any{"updated_indices": updated, "failures": len(failed) > 0, "failed_indices": failed})
	case "remove":
		for _, idx := range f.match(rest[1]) {
			delete(f.managed, idx)
		}
		writeJSON(w, 200, map[string]any{"updated_indices": 1, "failures": false, "failed_indices": []any{}})
	}
}

func TestFakeElasticsearchILM(t *testing.T) {
	f := newFakeCluster(false, true, "ck-2026.12.01", "ck-2026.11", "ck-backup")
	c := f.client(t)
	ctx := t.Context()
	s := testSettings()
	s.Prefix = "ck"

	r, err := Install(ctx, c, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, Elasticsearch, r.Distribution)
	assert.Equal(t, map[string]Action{ObjectIndexTemplate: ActionCreated, ObjectILMPolicy: ActionCreated}, actions(r))
	pe, _ := r.Entry(ObjectILMPolicy)
	assert.Equal(t, 2, pe.Attached, "the two date-based indices, not ck-backup")

	lc := f.templates["ck"]["template"].(map[string]any)["settings"].(map[string]any)["index"].(map[string]any)["lifecycle"].(map[string]any)
	assert.Equal(t, "ck-retention", lc["name"])
	assert.Equal(t, "true", lc["parse_origination_date"])
	assert.Equal(t, "2424h", f.policies["ck-retention"]["phases"].(map[string]any)["delete"].(map[string]any)["min_age"])
	assert.Equal(t, "ck-retention", f.indices["ck-2026.12.01"]["index.lifecycle.name"])
	assert.Equal(t, strconv.FormatInt(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 10), f.indices["ck-2026.12.01"]["index.lifecycle.origination_date"])
	assert.Equal(t, strconv.FormatInt(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 10), f.indices["ck-2026.11"]["index.lifecycle.origination_date"], "a month index originates at its month's start")
	assert.NotContains(t, f.indices["ck-backup"], "index.lifecycle.name")

	r, err = Install(ctx, c, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]Action{ObjectIndexTemplate: ActionNone, ObjectILMPolicy: ActionNone}, actions(r))
	st, err := Status(ctx, c, s)
	require.NoError(t, err)
	assert.Equal(t, map[string]State{ObjectIndexTemplate: StateInstalled, ObjectILMPolicy: StateInstalled}, states(st))

	// An operator edits the policy: left alone, then forced.
	f.mu.Lock()
	f.policies["ck-retention"]["phases"].(map[string]any)["delete"].(map[string]any)["min_age"] = "30d"
	f.mu.Unlock()
	r, err = Install(ctx, c, s, InstallOptions{})
	require.NoError(t, err)
	pe, _ = r.Entry(ObjectILMPolicy)
	assert.Equal(t, StateModified, pe.State)
	assert.Equal(t, ActionNone, pe.Action)
	assert.Equal(t, "30d", f.policies["ck-retention"]["phases"].(map[string]any)["delete"].(map[string]any)["min_age"])
	r, err = Install(ctx, c, s, InstallOptions{Force: true})
	require.NoError(t, err)
	assert.Equal(t, ActionOverwritten, actions(r)[ObjectILMPolicy])
	assert.Equal(t, "2424h", f.policies["ck-retention"]["phases"].(map[string]any)["delete"].(map[string]any)["min_age"])

	r, err = Uninstall(ctx, c, s)
	require.NoError(t, err)
	assert.Equal(t, map[string]Action{ObjectIndexTemplate: ActionDeleted, ObjectILMPolicy: ActionDeleted}, actions(r))
	assert.Empty(t, f.templates)
	assert.Empty(t, f.policies)
	assert.NotContains(t, f.indices["ck-2026.12.01"], "index.lifecycle.name", "detached before the policy is deleted")
	assert.Len(t, f.indices, 3, "no index deleted")
}

func TestFakeElasticsearchWithoutILM(t *testing.T) {
	f := newFakeCluster(false, false)
	c := f.client(t)
	s := testSettings()
	s.Prefix = "ck"
	r, err := Install(t.Context(), c, s, InstallOptions{})
	require.NoError(t, err, "no ILM is not an error")
	pe, _ := r.Entry(ObjectILMPolicy)
	assert.Equal(t, StateUnavailable, pe.State)
	assert.Contains(t, pe.Detail, "ckos retention enforce")
	assert.Equal(t, ActionCreated, actions(r)[ObjectIndexTemplate])
	assert.NotContains(t, f.templates["ck"]["template"].(map[string]any)["settings"].(map[string]any)["index"], "lifecycle",
		"no lifecycle settings where ILM does not exist (they would be unknown settings)")
}

func TestFakeOpenSearchISM(t *testing.T) {
	f := newFakeCluster(true, true, "ck-2026.12.01", "ck-2026.12.02", "ck-backup")
	f.managed["ck-2026.12.01"] = "operators-policy"
	c := f.client(t)
	ctx := t.Context()
	s := testSettings()
	s.Prefix = "ck"

	r, err := Install(ctx, c, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]Action{ObjectIndexTemplate: ActionCreated, ObjectISMPolicy: ActionCreated}, actions(r))
	pe, _ := r.Entry(ObjectISMPolicy)
	assert.Equal(t, 1, pe.Attached)
	assert.Equal(t, "ck-retention", f.managed["ck-2026.12.02"], "the unmanaged date index is attached")
	assert.Equal(t, "operators-policy", f.managed["ck-2026.12.01"], "an index another policy manages is left alone")
	assert.NotContains(t, f.managed, "ck-backup", "an index outside the naming scheme is not attached")
	assert.Equal(t, []string{"POST /_plugins/_ism/add/ck-2026.12.02?"}, f.saw("POST /_plugins/_ism/add/"), "attach by explicit names")

	r, err = Install(ctx, c, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]Action{ObjectIndexTemplate: ActionNone, ObjectISMPolicy: ActionNone}, actions(r))
	assert.Len(t, f.saw("PUT /_plugins/_ism/policies/"), 1, "no second write")

	// A policy of an older ckos is updated with optimistic concurrency.
	older := s
	older.Version, older.RetentionHours = "0.0.9", 100
	body, err := ISMPolicy(older)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, decode(body, &v))
	f.mu.Lock()
	f.policies["ck-retention"] = v["policy"].(map[string]any)
	f.seqNo = 41
	f.mu.Unlock()
	st, err := Status(ctx, c, s)
	require.NoError(t, err)
	pe, _ = st.Entry(ObjectISMPolicy)
	assert.Equal(t, StateOutdated, pe.State)
	assert.Equal(t, "0.0.9", pe.InstalledVersion)
	r, err = Install(ctx, c, s, InstallOptions{})
	require.NoError(t, err)
	assert.Equal(t, ActionUpdated, actions(r)[ObjectISMPolicy])
	puts := f.saw("PUT /_plugins/_ism/policies/")
	assert.Equal(t, "PUT /_plugins/_ism/policies/ck-retention?if_primary_term=1&if_seq_no=41", puts[len(puts)-1])
	assert.Equal(t, "2424h", ismMinIndexAge(map[string]any{"policy": f.policies["ck-retention"]}))

	// An edit by an operator is reported and kept.
	f.mu.Lock()
	f.policies["ck-retention"]["states"].([]any)[0].(map[string]any)["transitions"].([]any)[0].(map[string]any)["conditions"] = map[string]any{"min_index_age": "7d"}
	f.mu.Unlock()
	r, err = Install(ctx, c, s, InstallOptions{})
	require.NoError(t, err)
	pe, _ = r.Entry(ObjectISMPolicy)
	assert.Equal(t, StateModified, pe.State)
	assert.Contains(t, pe.Detail, "changed since ckos 0.1.0 installed it")
	assert.Equal(t, "7d", ismMinIndexAge(map[string]any{"policy": f.policies["ck-retention"]}))

	// Uninstall detaches only the indices ckos's policy manages.
	r, err = Uninstall(ctx, c, s)
	require.NoError(t, err)
	assert.Equal(t, ActionDeleted, actions(r)[ObjectISMPolicy])
	assert.NotContains(t, f.managed, "ck-2026.12.02")
	assert.Equal(t, "operators-policy", f.managed["ck-2026.12.01"])
	assert.Empty(t, f.policies)
}

func TestFakeISMConcurrentChange(t *testing.T) {
	f := newFakeCluster(true, true)
	c := f.client(t)
	s := testSettings()
	s.Prefix = "ck"
	p, err := plan(t.Context(), c, s)
	require.NoError(t, err)
	// Someone creates the policy between ckos's look and its write.
	f.mu.Lock()
	f.policies["ck-retention"] = map[string]any{"description": "theirs"}
	f.mu.Unlock()
	p.policy.obs = observed{exists: true, seqNo: 99, primaryTerm: 1, version: "0.0.1", hash: "x", content: "x"}
	p.policy.v = verdict{state: StateOutdated, write: true}
	err = p.installPolicy(t.Context(), c, InstallOptions{})
	require.Error(t, err)
	assert.Equal(t, http.StatusConflict, statusOf(err))
	assert.Contains(t, err.Error(), "run install again")
	assert.Equal(t, "theirs", f.policies["ck-retention"]["description"])
}
