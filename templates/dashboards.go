package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/ckos/ckos/storage"
)

// DashboardsFilename is the file name the saved objects are uploaded as (the import API wants
// an .ndjson name).
const DashboardsFilename = "ckos-dashboards.ndjson"

// ImportResult is the answer of the saved-objects import API.
type ImportResult struct {
	Success      bool          `json:"success"`
	SuccessCount int           `json:"successCount"`
	Errors       []ImportError `json:"errors,omitempty"`
}

// ImportError is one object the import API refused.
type ImportError struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Title string `json:"title,omitempty"`
	Error struct {
		Type       string `json:"type"` // conflict, missing_references, unsupported_type, unknown…
		Message    string `json:"message,omitempty"`
		StatusCode int    `json:"statusCode,omitempty"`
		References []struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"references,omitempty"`
	} `json:"error"`
}

// String describes the refused object and why.
func (e ImportError) String() string {
	s := e.Type + " " + e.ID
	if e.Title != "" {
		s += " (" + e.Title + ")"
	}
	s += ": " + e.Error.Type
	if e.Error.Message != "" {
		s += ": " + e.Error.Message
	}
	for _, r := range e.Error.References {
		s += fmt.Sprintf(" [missing %s %s]", r.Type, r.ID)
	}
	return s
}

// maxImportAnswer bounds the import API's answer that is read.
const maxImportAnswer = 8 << 20

// DashboardsInstall imports ndjson (see DashboardsNDJSON) into OpenSearch Dashboards (or Kibana
// when kibana is true) at dashboardsURL with the saved-objects import API:
//
//	POST <dashboardsURL>/api/saved_objects/_import?overwrite=true
//	osd-xsrf: true (Kibana: kbn-xsrf: true), multipart/form-data, field "file" = ckos-dashboards.ndjson
//
// overwrite replaces objects with the same ids. Credentials may be given in the URL's user
// information; they never appear in errors. An unreachable server, an error status or an
// import that refused objects (each listed) is an error; the decoded answer is returned whenever
// there was one.
func DashboardsInstall(ctx context.Context, httpClient *http.Client, dashboardsURL string, ndjson []byte, kibana bool, overwrite bool) (ImportResult, error) {
	var res ImportResult
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	base, err := url.Parse(dashboardsURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return res, fmt.Errorf("%w: dashboards URL %q: want http(s)://host[:port][/base-path]", storage.ErrInvalid, storage.RedactURL(dashboardsURL))
	}
	if len(bytes.TrimSpace(ndjson)) == 0 {
		return res, fmt.Errorf("%w: no saved objects to import (empty NDJSON)", storage.ErrInvalid)
	}
	u := *base
	u.Path = strings.TrimRight(u.Path, "/") + "/api/saved_objects/_import"
	u.RawPath = ""
	if overwrite {
		u.RawQuery = "overwrite=true"
	} else {
		u.RawQuery = ""
	}
	where := u.Redacted()

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+DashboardsFilename+`"`)
	h.Set("Content-Type", "application/ndjson")
	part, err := mw.CreatePart(h)
	if err != nil {
		return res, fmt.Errorf("import saved objects into %s: build request: %w", where, err)
	}
	if _, err := part.Write(ndjson); err != nil {
		return res, fmt.Errorf("import saved objects into %s: build request: %w", where, err)
	}
	if err := mw.Close(); err != nil {
		return res, fmt.Errorf("import saved objects into %s: build request: %w", where, err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), &body)
	if err != nil {
		return res, fmt.Errorf("import saved objects into %s: build request: %w", where, err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if kibana {
		req.Header.Set("kbn-xsrf", "true")
	} else {
		req.Header.Set("osd-xsrf", "true")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, credentials included
		}
		if ctx.Err() != nil {
			return res, fmt.Errorf("import saved objects into %s: %w", where, ctx.Err())
		}
		return res, fmt.Errorf("import saved objects into %s: dashboards unreachable: %w: %w", where, storage.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxImportAnswer))
	if err != nil {
		return res, fmt.Errorf("import saved objects into %s: read answer (HTTP %d): %w", where, resp.StatusCode, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		reason := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &e) == nil && (e.Message != "" || e.Error != "") {
			reason = strings.TrimPrefix(e.Error+": "+e.Message, ": ")
		}
		if len(reason) > 300 {
			reason = reason[:300] + "…"
		}
		return res, fmt.Errorf("import saved objects into %s: HTTP %d: %s: %w", where, resp.StatusCode, reason, storage.ErrRejected)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return res, fmt.Errorf("import saved objects into %s: unexpected answer (HTTP %d): %w", where, resp.StatusCode, err)
	}
	if !res.Success || len(res.Errors) > 0 {
		msgs := make([]string, len(res.Errors))
		for i, e := range res.Errors {
			msgs[i] = e.String()
		}
		hint := ""
		if !overwrite {
			hint = " (objects that exist already conflict unless overwriting)"
		}
		return res, fmt.Errorf("import saved objects into %s: %d imported, %d refused%s: %s: %w",
			where, res.SuccessCount, len(res.Errors), hint, strings.Join(msgs, "; "), storage.ErrRejected)
	}
	return res, nil
}
