package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/storage"
)

// savedObject is one line of the saved-objects NDJSON.
type savedObject struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
	References []struct {
		Name string `json:"name"`
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"references"`
}

// visAgg is one aggregation of a visualization's visState.
type visAgg struct {
	ID      string         `json:"id"`
	Enabled bool           `json:"enabled"`
	Type    string         `json:"type"`
	Schema  string         `json:"schema"`
	Params  map[string]any `json:"params"`
}

type visState struct {
	Title string   `json:"title"`
	Type  string   `json:"type"`
	Aggs  []visAgg `json:"aggs"`
}

func parseSavedObjects(t testing.TB, ndjson []byte) []savedObject {
	t.Helper()
	require.True(t, bytes.HasSuffix(ndjson, []byte("\n")), "NDJSON ends with a newline")
	var objs []savedObject
	for i, line := range bytes.Split(bytes.TrimSuffix(ndjson, []byte("\n")), []byte("\n")) {
		var o savedObject
		require.NoError(t, json.Unmarshal(line, &o), "line %d", i+1)
		objs = append(objs, o)
	}
	return objs
}

// jsonAttr decodes a saved-object attribute that Dashboards stores as a JSON string.
func jsonAttr(t testing.TB, attrs map[string]any, key string, out any) {
	t.Helper()
	s, ok := attrs[key].(string)
	require.True(t, ok, "attribute %s is a JSON string, got %T", key, attrs[key])
	require.NoError(t, json.Unmarshal([]byte(s), out), "attribute %s: %s", key, s)
}

// checkReferences verifies the file's references: every visualization's search source points,
// through its references, at an index pattern of the file, and every dashboard panel's
// panelRefName at a visualization of the file. It returns the visualizations by id.
func checkReferences(t testing.TB, objs []savedObject) map[string]visState {
	t.Helper()
	byKey := map[string]savedObject{}
	for _, o := range objs {
		require.NotEmpty(t, o.ID)
		_, dup := byKey[o.Type+"/"+o.ID]
		require.False(t, dup, "duplicate object %s/%s", o.Type, o.ID)
		byKey[o.Type+"/"+o.ID] = o
	}
	vis := map[string]visState{}
	onDashboard := map[string]bool{}
	for _, o := range objs {
		switch o.Type {
		case "index-pattern":
			assert.Equal(t, "start", o.Attributes["timeFieldName"], "index pattern %s time field", o.ID)
		case "visualization":
			var vs visState
			jsonAttr(t, o.Attributes, "visState", &vs)
			require.NotEmpty(t, vs.Aggs, "visualization %s has aggregations", o.ID)
			var ui map[string]any
			jsonAttr(t, o.Attributes, "uiStateJSON", &ui)
			meta, ok := o.Attributes["kibanaSavedObjectMeta"].(map[string]any)
			require.True(t, ok, "visualization %s has kibanaSavedObjectMeta", o.ID)
			var src struct {
				IndexRefName string `json:"indexRefName"`
			}
			jsonAttr(t, meta, "searchSourceJSON", &src)
			require.NotEmpty(t, src.IndexRefName, "visualization %s names its index reference", o.ID)
			found := false
			for _, r := range o.References {
				if r.Name == src.IndexRefName {
					found = true
					assert.Equal(t, "index-pattern", r.Type, "visualization %s", o.ID)
					_, ok := byKey["index-pattern/"+r.ID]
					assert.True(t, ok, "visualization %s references index pattern %s, which is in the file", o.ID, r.ID)
				}
			}
			assert.True(t, found, "visualization %s has a reference named %s", o.ID, src.IndexRefName)
			vis[o.ID] = vs
		case "dashboard":
			var panels []struct {
				PanelRefName string `json:"panelRefName"`
				PanelIndex   string `json:"panelIndex"`
			}
			jsonAttr(t, o.Attributes, "panelsJSON", &panels)
			var opts map[string]any
			jsonAttr(t, o.Attributes, "optionsJSON", &opts)
			require.NotEmpty(t, panels)
			for _, p := range panels {
				require.NotEmpty(t, p.PanelRefName, "dashboard %s panel %s has a panelRefName", o.ID, p.PanelIndex)
				found := false
				for _, r := range o.References {
					if r.Name == p.PanelRefName {
						found = true
						assert.Equal(t, "visualization", r.Type)
						_, ok := byKey["visualization/"+r.ID]
						assert.True(t, ok, "dashboard panel %s references visualization %s, which is in the file", p.PanelRefName, r.ID)
						onDashboard[r.ID] = true
					}
				}
				assert.True(t, found, "dashboard %s has a reference for %s", o.ID, p.PanelRefName)
			}
		default:
			t.Errorf("unexpected saved object type %q", o.Type)
		}
	}
	for id := range vis {
		assert.True(t, onDashboard[id], "visualization %s is on the dashboard", id)
	}
	return vis
}

func TestDashboardsNDJSON(t *testing.T) {
	s := testSettings()
	s.Prefix = "rating"
	nd, err := DashboardsNDJSON(s)
	require.NoError(t, err)
	objs := parseSavedObjects(t, nd)
	require.Len(t, objs, 6)
	assert.Equal(t, "index-pattern", objs[0].Type)
	assert.Equal(t, "rating-ip", objs[0].ID)
	assert.Equal(t, "rating-2*", objs[0].Attributes["title"], "the index pattern covers the date indices only")
	assert.Equal(t, "dashboard", objs[5].Type)
	assert.Equal(t, "rating-dashboard", objs[5].ID)

	vis := checkReferences(t, objs)
	require.Len(t, vis, 4)
	want := map[string]struct {
		visType string
		fields  []string // agg fields in order
	}{
		"rating-cost-over-time":   {"line", []string{"price", "start", "type"}},
		"rating-cost-by-project":  {"pie", []string{"price", "groupby.project_id"}},
		"rating-top-resources":    {"table", []string{"price", "groupby.id", "type"}},
		"rating-quantity-by-unit": {"table", []string{"qty", "unit", "type"}},
	}
	for id, w := range want {
		vs, ok := vis[id]
		require.True(t, ok, id)
		assert.Equal(t, w.visType, vs.Type, id)
		var fields []string
		for _, a := range vs.Aggs {
			fields = append(fields, a.Params["field"].(string))
		}
		assert.Equal(t, w.fields, fields, id)
	}
	assert.Equal(t, float64(20), vis["rating-top-resources"].Aggs[1].Params["size"], "top 20 resources")
	assert.Equal(t, "1", vis["rating-top-resources"].Aggs[1].Params["orderBy"], "ordered by the cost metric")
	assert.Equal(t, "desc", vis["rating-top-resources"].Aggs[1].Params["order"])
}

// importServer records one import request and answers with status and body.
type importServer struct {
	*httptest.Server
	header   http.Header
	path     string
	query    string
	field    string
	filename string
	partType string
	body     []byte
}

func newImportServer(t *testing.T, status int, answer string) *importServer {
	s := &importServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.header = r.Header.Clone()
		s.path, s.query = r.URL.Path, r.URL.RawQuery
		if r.Method != http.MethodPost {
			http.Error(w, "method "+r.Method, http.StatusMethodNotAllowed)
			return
		}
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p, err := mr.NextPart()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.field, s.filename, s.partType = p.FormName(), p.FileName(), p.Header.Get("Content-Type")
		s.body, _ = io.ReadAll(p)
		if _, err := mr.NextPart(); err != io.EOF {
			http.Error(w, "more than one part", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestDashboardsInstallOpenSearchDashboards(t *testing.T) {
	nd, err := DashboardsNDJSON(testSettings())
	require.NoError(t, err)
	srv := newImportServer(t, http.StatusOK, `{"success":true,"successCount":6,"successResults":[]}`)
	res, err := DashboardsInstall(context.Background(), srv.Client(), srv.URL+"/osd/", nd, false, true)
	require.NoError(t, err)
	assert.Equal(t, ImportResult{Success: true, SuccessCount: 6}, res)
	assert.Equal(t, "/osd/api/saved_objects/_import", srv.path, "base path kept, no double slash")
	assert.Equal(t, "overwrite=true", srv.query)
	assert.Equal(t, "true", srv.header.Get("osd-xsrf"))
	assert.Empty(t, srv.header.Get("kbn-xsrf"))
	assert.True(t, strings.HasPrefix(srv.header.Get("Content-Type"), "multipart/form-data; boundary="), srv.header.Get("Content-Type"))
	assert.Equal(t, "file", srv.field)
	assert.Equal(t, "ckos-dashboards.ndjson", srv.filename)
	assert.Equal(t, "application/ndjson", srv.partType)
	assert.Equal(t, nd, srv.body, "the file's bytes arrive unchanged")
}

func TestDashboardsInstallKibanaNoOverwrite(t *testing.T) {
	srv := newImportServer(t, http.StatusOK, `{"success":true,"successCount":1}`)
	res, err := DashboardsInstall(context.Background(), srv.Client(), srv.URL, []byte("{\"type\":\"x\"}\n"), true, false)
	require.NoError(t, err)
	assert.Equal(t, 1, res.SuccessCount)
	assert.Equal(t, "/api/saved_objects/_import", srv.path)
	assert.Empty(t, srv.query, "no overwrite parameter")
	assert.Equal(t, "true", srv.header.Get("kbn-xsrf"))
	assert.Empty(t, srv.header.Get("osd-xsrf"))
}

func TestDashboardsInstallErrors(t *testing.T) {
	ctx := context.Background()
	nd := []byte("{\"type\":\"index-pattern\",\"id\":\"x\"}\n")

	t.Run("error status", func(t *testing.T) {
		srv := newImportServer(t, http.StatusBadRequest, `{"statusCode":400,"error":"Bad Request","message":"Invalid file extension .txt"}`)
		_, err := DashboardsInstall(ctx, srv.Client(), srv.URL, nd, false, true)
		require.Error(t, err)
		assert.ErrorIs(t, err, storage.ErrRejected)
		assert.Contains(t, err.Error(), srv.URL+"/api/saved_objects/_import")
		assert.Contains(t, err.Error(), "HTTP 400")
		assert.Contains(t, err.Error(), "Invalid file extension .txt")
	})

	t.Run("refused objects", func(t *testing.T) {
		srv := newImportServer(t, http.StatusOK, `{"success":false,"successCount":4,"errors":[
			{"id":"ck-cost-pie","type":"visualization","title":"Cost by project","error":{"type":"missing_references","references":[{"type":"index-pattern","id":"ck-ip"}]}},
			{"id":"ck-dashboard","type":"dashboard","title":"Costs","error":{"type":"conflict"}}]}`)
		res, err := DashboardsInstall(ctx, srv.Client(), srv.URL, nd, false, false)
		require.Error(t, err)
		assert.ErrorIs(t, err, storage.ErrRejected)
		assert.False(t, res.Success)
		assert.Equal(t, 4, res.SuccessCount)
		require.Len(t, res.Errors, 2)
		msg := err.Error()
		assert.Contains(t, msg, "4 imported, 2 refused")
		assert.Contains(t, msg, "visualization ck-cost-pie (Cost by project): missing_references [missing index-pattern ck-ip]")
		assert.Contains(t, msg, "dashboard ck-dashboard (Costs): conflict")
		assert.Contains(t, msg, "unless overwriting")
	})

	t.Run("unreachable, credentials redacted", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		addr := srv.URL
		srv.Close()
		u := strings.Replace(addr, "http://", "http://admin:s3cret@", 1)
		_, err := DashboardsInstall(ctx, nil, u, nd, false, true)
		require.Error(t, err)
		assert.ErrorIs(t, err, storage.ErrUnavailable)
		assert.Contains(t, err.Error(), "unreachable")
		assert.Contains(t, err.Error(), strings.TrimPrefix(addr, "http://")+"/api/saved_objects/_import")
		assert.NotContains(t, err.Error(), "s3cret")
	})

	t.Run("not JSON", func(t *testing.T) {
		srv := newImportServer(t, http.StatusOK, `<html>proxy login</html>`)
		_, err := DashboardsInstall(ctx, srv.Client(), srv.URL, nd, false, true)
		assert.ErrorContains(t, err, "unexpected answer (HTTP 200)")
	})

	t.Run("bad input", func(t *testing.T) {
		for _, u := range []string{"", "localhost:5601", "ftp://host", "http://"} {
			_, err := DashboardsInstall(ctx, nil, u, nd, false, true)
			assert.True(t, errors.Is(err, storage.ErrInvalid), "%q: %v", u, err)
		}
		_, err := DashboardsInstall(ctx, nil, "http://127.0.0.1:1", []byte("\n"), false, true)
		assert.ErrorIs(t, err, storage.ErrInvalid)
	})

	t.Run("canceled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		srv := newImportServer(t, http.StatusOK, `{"success":true}`)
		_, err := DashboardsInstall(cctx, srv.Client(), srv.URL, nd, false, true)
		assert.ErrorIs(t, err, context.Canceled)
	})
}
