package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/opensearch-project/opensearch-go/v4/opensearchtransport"

	"github.com/ckos/ckos/opensearch"
	"github.com/ckos/ckos/storage"
	"github.com/ckos/ckos/templates"
)

// openStore resolves the configuration, lets adjust change it (e.g. Refresh), and opens the
// configured driver. With --verbose every request is logged.
func (a *app) openStore(ctx context.Context, adjust func(*storage.Config)) (storage.Storage, storage.Config, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, cfg, err
	}
	if adjust != nil {
		adjust(&cfg)
	}
	st, err := storage.Open(ctx, cfg.Backend, cfg)
	if err != nil {
		return nil, cfg, err
	}
	if ost, ok := st.(*opensearch.Store); ok {
		a.instrument(ost.Client())
	}
	return st, cfg, nil
}

// openCluster opens the configured cluster for the commands that need its client
// (init, templates, retention): the backend must be opensearch or elasticsearch. It also
// returns the installer settings of the configuration.
func (a *app) openCluster(ctx context.Context) (*opensearch.Store, templates.Settings, error) {
	st, cfg, err := a.openStore(ctx, nil)
	if err != nil {
		return nil, templates.Settings{}, err
	}
	ost, ok := st.(*opensearch.Store)
	if !ok {
		st.Close()
		return nil, templates.Settings{}, inputError(fmt.Errorf("backend %q is not an OpenSearch or Elasticsearch cluster; this command needs one", cfg.Backend))
	}
	set, err := templates.SettingsFromConfig(cfg)
	if err != nil {
		st.Close()
		return nil, templates.Settings{}, err
	}
	return ost, set, nil
}

// instrument makes the client report each request it performs: logged with --verbose, and
// It wraps the client's transport rather than using
// Store.SetRequestLogger, which sees only the driver's own requests: the installer
// (templates) and retention send theirs through the same client, and --verbose must show them.
func (a *app) instrument(c *opensearchapi.Client) {
	c.Client.Transport = &loggingTransport{next: c.Client.Transport, app: a}
}

// loggingTransport logs each request's method, path, status and duration (never the query
// string, the body or the credentials).
type loggingTransport struct {
	next opensearchtransport.Interface
	app  *app
}

// Perform implements opensearchtransport.Interface.
func (t *loggingTransport) Perform(req *http.Request) (*http.Response, error) {
	began := time.Now()
	resp, err := t.next.Perform(req)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if t.app.verbose {
		t.app.logRequest(req.Method, req.URL.Path, status, time.Since(began))
	}
	return resp, err
}
