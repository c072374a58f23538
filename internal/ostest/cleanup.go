package ostest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// deleteBatch bounds how many index names go into one DELETE.
const deleteBatch = 50

// ismPageSize is the page size used to list ISM policies.
const ismPageSize = 1000

// cleanup deletes everything named e.Prefix*: data streams, indices (hidden and closed too), index,
// legacy and component templates, and ISM policies when the plugin is present. It carries on past a
// failure and returns every error met.
func (e Env) cleanup(ctx context.Context) error {
	var errs []error
	for _, step := range []func(context.Context) error{
		e.deleteDataStreams,
		e.deleteIndices,
		e.deleteIndexTemplates,
		e.deleteLegacyTemplates,
		e.deleteComponentTemplates,
		e.deleteISMPolicies,
	} {
		if err := step(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (e Env) pattern() string { return url.PathEscape(e.Prefix) + "*" }

// getOrNotFound is do for a GET whose 404 means "nothing there".
func (e Env) getOrNotFound(ctx context.Context, path string, out any) (found bool, err error) {
	err = do(ctx, e.Client, http.MethodGet, path, nil, out)
	if statusOf(err) == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

func (e Env) deleteEach(ctx context.Context, pathPrefix string, names []string) error {
	var errs []error
	for _, name := range names {
		err := do(ctx, e.Client, http.MethodDelete, pathPrefix+url.PathEscape(name), nil, nil)
		if err != nil && statusOf(err) != http.StatusNotFound {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (e Env) deleteDataStreams(ctx context.Context) error {
	var resp struct {
		DataStreams []struct {
			Name string `json:"name"`
		} `json:"data_streams"`
	}
	if _, err := e.getOrNotFound(ctx, "/_data_stream/"+e.pattern(), &resp); err != nil {
		return fmt.Errorf("listing data streams: %w", err)
	}
	names := make([]string, 0, len(resp.DataStreams))
	for _, ds := range resp.DataStreams {
		names = append(names, ds.Name)
	}
	return e.deleteEach(ctx, "/_data_stream/", names)
}

// deleteIndices lists the indices first and deletes them by name, so that a cluster with
// action.destructive_requires_name=true is cleaned up too.
func (e Env) deleteIndices(ctx context.Context) error {
	var rows []struct {
		Index string `json:"index"`
	}
	if _, err := e.getOrNotFound(ctx, "/_cat/indices/"+e.pattern()+"?h=index&format=json&expand_wildcards=all", &rows); err != nil {
		return fmt.Errorf("listing indices: %w", err)
	}
	var errs []error
	for start := 0; start < len(rows); start += deleteBatch {
		end := min(start+deleteBatch, len(rows))
		names := make([]string, 0, end-start)
		for _, r := range rows[start:end] {
			names = append(names, url.PathEscape(r.Index))
		}
		path := "/" + strings.Join(names, ",") + "?ignore_unavailable=true&expand_wildcards=all"
		if err := do(ctx, e.Client, http.MethodDelete, path, nil, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (e Env) deleteIndexTemplates(ctx context.Context) error {
	var resp struct {
		IndexTemplates []struct {
			Name string `json:"name"`
		} `json:"index_templates"`
	}
	if _, err := e.getOrNotFound(ctx, "/_index_template/"+e.pattern(), &resp); err != nil {
		return fmt.Errorf("listing index templates: %w", err)
	}
	names := make([]string, 0, len(resp.IndexTemplates))
	for _, it := range resp.IndexTemplates {
		names = append(names, it.Name)
	}
	return e.deleteEach(ctx, "/_index_template/", names)
}

func (e Env) deleteLegacyTemplates(ctx context.Context) error {
	var resp map[string]any
	if _, err := e.getOrNotFound(ctx, "/_template/"+e.pattern(), &resp); err != nil {
		return fmt.Errorf("listing legacy templates: %w", err)
	}
	names := make([]string, 0, len(resp))
	for name := range resp {
		names = append(names, name)
	}
	return e.deleteEach(ctx, "/_template/", names)
}

func (e Env) deleteComponentTemplates(ctx context.Context) error {
	var resp struct {
		ComponentTemplates []struct {
			Name string `json:"name"`
		} `json:"component_templates"`
	}
	if _, err := e.getOrNotFound(ctx, "/_component_template/"+e.pattern(), &resp); err != nil {
		return fmt.Errorf("listing component templates: %w", err)
	}
	names := make([]string, 0, len(resp.ComponentTemplates))
	for _, ct := range resp.ComponentTemplates {
		names = append(names, ct.Name)
	}
	return e.deleteEach(ctx, "/_component_template/", names)
}

// deleteISMPolicies pages through every ISM policy and deletes those whose id starts with the prefix.
func (e Env) deleteISMPolicies(ctx context.Context) error {
	plugins, err := e.node.pluginSet(ctx)
	if err != nil {
		return err
	}
	if !plugins[ISMPlugin] {
		return nil
	}
	var names []string
	for from := 0; ; from += ismPageSize {
		var resp struct {
			Policies []struct {
				ID string `json:"_id"`
			} `json:"policies"`
			Total int `json:"total_policies"`
		}
		path := fmt.Sprintf("/_plugins/_ism/policies?size=%d&from=%d", ismPageSize, from)
		if _, err := e.getOrNotFound(ctx, path, &resp); err != nil {
			return fmt.Errorf("listing ISM policies: %w", err)
		}
		for _, p := range resp.Policies {
			if strings.HasPrefix(p.ID, e.Prefix) {
				names = append(names, p.ID)
			}
		}
		if len(resp.Policies) < ismPageSize || from+len(resp.Policies) >= resp.Total {
			break
		}
	}
	return e.deleteEach(ctx, "/_plugins/_ism/policies/", names)
}
