package templates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/mapping"
)

// Object kinds in a Report.
const (
	ObjectIndexTemplate = "index_template" // the composable index template <prefix>
	ObjectISMPolicy     = "ism_policy"     // the ISM policy <prefix>-retention (OpenSearch)
	ObjectILMPolicy     = "ilm_policy"     // the ILM policy <prefix>-retention (Elasticsearch)
)

// State is what an object in the cluster is, compared with what ckos would install.
type State string

// The states of an object.
const (
	StateInstalled   State = "installed"   // present and up to date (or installed by a newer ckos)
	StateMissing     State = "missing"     // absent
	StateOutdated    State = "outdated"    // installed by an older ckos, or with other settings, and unmodified
	StateModified    State = "modified"    // changed by someone else since ckos installed it, or not installed by ckos
	StateUnavailable State = "unavailable" // the cluster lacks the feature (no ISM plugin, no ILM)
	StateConflict    State = "conflict"    // cannot be installed as is (e.g. an index has the read alias's name)
)

// Action is what Install or Uninstall did to an object.
type Action string

// The actions.
const (
	ActionNone        Action = "none"        // left as it was
	ActionCreated     Action = "created"     // was missing, now installed
	ActionUpdated     Action = "updated"     // was outdated, now up to date
	ActionOverwritten Action = "overwritten" // was modified, replaced because of Force
	ActionDeleted     Action = "deleted"     // removed by Uninstall
)

// Entry is one object of a Report.
type Entry struct {
	Object           string `json:"object"`                      // ObjectIndexTemplate, ObjectISMPolicy or ObjectILMPolicy
	Name             string `json:"name"`                        // the object's name in the cluster
	State            State  `json:"state"`                       // the state after the action
	Action           Action `json:"action,omitempty"`            // what was done; empty for Status
	Detail           string `json:"detail,omitempty"`            // why, in words
	InstalledVersion string `json:"installed_version,omitempty"` // the ckos version recorded in the object found
	Attached         int    `json:"attached,omitempty"`          // existing indices the policy was attached to
}

// Report says, object by object, what is in the cluster and what was done.
type Report struct {
	Distribution Distribution `json:"distribution"`
	Version      string       `json:"ckos_version"`
	Objects      []Entry      `json:"objects"`
}

// Entry returns the report's entry for an object kind.
func (r Report) Entry(object string) (Entry, bool) {
	for _, e := range r.Objects {
		if e.Object == object {
			return e, true
		}
	}
	return Entry{}, false
}

// InstallOptions tunes Install.
type InstallOptions struct {
	// Force replaces objects an operator modified (or that ckos did not install).
	Force bool
}

// Hints given when the cluster has no retention policy engine.
const (
	hintNoISM = "ISM plugin not installed; run `ckos retention enforce` on a schedule"
	hintNoILM = "ILM not available (Elasticsearch without X-Pack basic); run `ckos retention enforce` on a schedule"
)

// observed is an object as found in the cluster.
type observed struct {
	exists      bool
	unavailable bool   // the API is absent
	version     string // ckos version in the marker; "" when there is no marker
	hash        string // content hash recorded in the marker
	content     string // content hash of what is installed
	seqNo       int64  // ISM policy document's _seq_no
	primaryTerm int64  // ISM policy document's _primary_term
}

// verdict is what an observed object is, compared with what ckos renders now.
type verdict struct {
	state  State
	detail string
	write  bool // Install should (re)write it
}

// assess compares an observed object with the rendered one (hash want) of ckos version.
func assess(o observed, want, version string) verdict {
	switch {
	case !o.exists:
		return verdict{state: StateMissing, write: true}
	case o.version == "" && o.content == want:
		return verdict{state: StateInstalled, detail: "same content as ckos's, without ckos's marker"}
	case o.version == "":
		return verdict{state: StateModified, detail: "not installed by ckos (no ckos marker)"}
	case o.content != o.hash:
		return verdict{state: StateModified, detail: "changed since ckos " + o.version + " installed it"}
	}
	have, err1 := VersionNumber(o.version)
	cur, err2 := VersionNumber(version)
	switch {
	case err1 != nil || err2 != nil:
		return verdict{state: StateModified, detail: fmt.Sprintf("unreadable ckos version %q in the object", o.version)}
	case have > cur:
		return verdict{state: StateInstalled, detail: "installed by a newer ckos " + o.version + "; left as is"}
	case have < cur:
		return verdict{state: StateOutdated, detail: "installed by ckos " + o.version, write: true}
	case o.hash != want:
		return verdict{state: StateOutdated, detail: "installed with other settings (shards, replicas, retention or granularity)", write: true}
	}
	return verdict{state: StateInstalled}
}

// Install puts the index template and the retention policy of s in place, idempotently: a
// missing object is created, one installed by an older ckos (or with other settings) and not
// modified since is updated, an up-to-date one is left alone, and one modified by an operator is
// left alone unless opts.Force. On OpenSearch, the ISM policy is then attached to the existing
// date-based indices that predate it; without the ISM plugin (or ILM on Elasticsearch) the
// policy is reported unavailable and the template is installed all the same. An index named
// like the read alias (<prefix>) makes Install fail before any change, with a StateConflict entry.
func Install(ctx context.Context, c *opensearchapi.Client, s Settings, opts InstallOptions) (Report, error) {
	p, err := plan(ctx, c, s)
	if err != nil {
		return p.report(), err
	}
	if p.clash != "" {
		return p.report(), fmt.Errorf("install index template %q: %s", s.TemplateName(), p.clash)
	}
	if err := p.installPolicy(ctx, c, opts); err != nil {
		return p.report(), err
	}
	if err := p.installTemplate(ctx, c, opts); err != nil {
		return p.report(), err
	}
	return p.report(), nil
}

// Status reports each object of s as installed, missing, outdated, modified, unavailable or
// conflict, changing nothing.
func Status(ctx context.Context, c *opensearchapi.Client, s Settings) (Report, error) {
	p, err := plan(ctx, c, s)
	return p.report(), err
}

// Uninstall removes the index template and the retention policy of s (first detaching the
// policy from the indices it manages); it never deletes an index.
func Uninstall(ctx context.Context, c *opensearchapi.Client, s Settings) (Report, error) {
	r := Report{Distribution: s.Distribution, Version: s.Version, Objects: []Entry{}}
	if err := s.Validate(); err != nil {
		return r, err
	}
	if s.Distribution == "" {
		d, err := Detect(ctx, c)
		if err != nil {
			return r, err
		}
		s.Distribution = d
		r.Distribution = d
	}
	te := Entry{Object: ObjectIndexTemplate, Name: s.TemplateName(), Action: ActionNone, State: StateMissing}
	_, err := do(ctx, c, call{op: "delete index template " + s.TemplateName(), method: http.MethodDelete, path: "/_index_template/" + url.PathEscape(s.TemplateName())})
	switch {
	case statusOf(err) == http.StatusNotFound:
		te.Detail = "was not installed"
	case err != nil:
		return r, err
	default:
		te.Action = ActionDeleted
	}
	r.Objects = append(r.Objects, te)
	pe, err := uninstallPolicy(ctx, c, s, policyAPIOf(s.Distribution))
	r.Objects = append(r.Objects, pe)
	return r, err
}

// installation is the state of s's objects in the cluster and what ckos would install.
type installation struct {
	s        Settings
	clash    string // why the read alias cannot be created, "" when it can
	template struct {
		body []byte
		want string
		obs  observed
		v    verdict
		e    Entry
	}
	policy struct {
		object string
		body   []byte
		want   string
		obs    observed
		v      verdict
		e      Entry
	}
}

// plan observes the cluster and renders what ckos would install.
func plan(ctx context.Context, c *opensearchapi.Client, s Settings) (*installation, error) {
	p := &installation{s: s}
	if err := s.Validate(); err != nil {
		return p, err
	}
	if p.s.Distribution == "" {
		d, err := Detect(ctx, c)
		if err != nil {
			return p, err
		}
		p.s.Distribution = d
	}
	s = p.s
	p.template.e = Entry{Object: ObjectIndexTemplate, Name: s.TemplateName(), Action: ActionNone}
	pol := &p.policy
	var err error
	api := policyAPIOf(s.Distribution)
	pol.object = api.object
	pol.e = Entry{Object: api.object, Name: s.PolicyName(), Action: ActionNone}
	if pol.body, err = api.render(s); err != nil {
		return p, err
	}
	if pol.want, err = api.recordedHash(pol.body); err != nil {
		return p, err
	}
	if pol.obs, err = api.observe(ctx, c, s.PolicyName()); err != nil {
		return p, err
	}
	p.s.ILM = s.Distribution == Elasticsearch && !pol.obs.unavailable
	if pol.obs.unavailable {
		pol.v = verdict{state: StateUnavailable, detail: hintNoISM}
		if pol.object == ObjectILMPolicy {
			pol.v.detail = hintNoILM
		}
	} else {
		pol.v = assess(pol.obs, pol.want, s.Version)
	}
	pol.e.State, pol.e.Detail, pol.e.InstalledVersion = pol.v.state, pol.v.detail, pol.obs.version

	t := &p.template
	if t.body, err = IndexTemplate(p.s); err != nil {
		return p, err
	}
	if t.want, err = recordedTemplateHash(t.body); err != nil {
		return p, err
	}
	if t.obs, err = observeTemplate(ctx, c, s.TemplateName()); err != nil {
		return p, err
	}
	t.v = assess(t.obs, t.want, s.Version)
	t.e.State, t.e.Detail, t.e.InstalledVersion = t.v.state, t.v.detail, t.obs.version
	if p.clash, err = aliasClash(ctx, c, s.Prefix); err != nil {
		return p, err
	}
	if p.clash != "" {
		t.e.State, t.e.Detail = StateConflict, p.clash
	}
	return p, nil
}

func (p *installation) report() Report {
	r := Report{Distribution: p.s.Distribution, Version: p.s.Version, Objects: []Entry{}}
	if p.template.e.Object != "" {
		r.Objects = append(r.Objects, p.template.e)
	}
	if p.policy.e.Object != "" {
		r.Objects = append(r.Objects, p.policy.e)
	}
	return r
}

// aliasClash says why the read alias <prefix> cannot exist: an index of that very name (for
// instance the single index of CloudKitty's own OpenSearch driver, named "cloudkitty").
func aliasClash(ctx context.Context, c *opensearchapi.Client, prefix string) (string, error) {
	names, err := catIndices(ctx, c, "look for an index named "+prefix, prefix, "all")
	if err != nil {
		return "", err
	}
	for _, n := range names {
		if n == prefix {
			return fmt.Sprintf("an index named %q exists, so the read alias %q of every %s index cannot be created "+
				"(and no new index could be); reindex that index into date-based indices and delete it, or configure another index_name",
				prefix, prefix, mapping.Pattern(prefix)), nil
		}
	}
	return "", nil
}

// apply writes an object when its verdict (or Force) asks for it and returns the action taken.
func apply(v verdict, force bool, write func() error) (Action, error) {
	switch {
	case v.write && v.state == StateMissing:
		return ActionCreated, write()
	case v.write:
		return ActionUpdated, write()
	case force && v.state == StateModified:
		return ActionOverwritten, write()
	}
	return ActionNone, nil
}

func (p *installation) installTemplate(ctx context.Context, c *opensearchapi.Client, opts InstallOptions) error {
	t := &p.template
	a, err := apply(t.v, opts.Force, func() error {
		_, err := do(ctx, c, call{op: "put index template " + p.s.TemplateName(), method: http.MethodPut,
			path: "/_index_template/" + url.PathEscape(p.s.TemplateName()), body: t.body})
		return err
	})
	if err != nil {
		return err
	}
	done(&t.e, a, p.s.Version)
	return nil
}

func (p *installation) installPolicy(ctx context.Context, c *opensearchapi.Client, opts InstallOptions) error {
	pol := &p.policy
	if pol.obs.unavailable {
		return nil
	}
	name := p.s.PolicyName()
	a, err := apply(pol.v, opts.Force, func() error {
		if pol.object == ObjectILMPolicy {
			_, err := do(ctx, c, call{op: "put ILM policy " + name, method: http.MethodPut, path: "/_ilm/policy/" + url.PathEscape(name), body: pol.body})
			return err
		}
		r := call{op: "put ISM policy " + name, method: http.MethodPut, path: "/_plugins/_ism/policies/" + url.PathEscape(name), body: pol.body}
		if pol.obs.exists {
			r.query = url.Values{"if_seq_no": {strconv.FormatInt(pol.obs.seqNo, 10)}, "if_primary_term": {strconv.FormatInt(pol.obs.primaryTerm, 10)}}
		}
		_, err := do(ctx, c, r)
		if statusOf(err) == http.StatusConflict {
			return fmt.Errorf("%w (the policy changed while ckos was updating it; run install again)", err)
		}
		return err
	})
	if err != nil {
		return err
	}
	done(&pol.e, a, p.s.Version)
	var n int
	if pol.object == ObjectILMPolicy {
		n, err = attachILM(ctx, c, p.s)
	} else {
		n, err = attachISM(ctx, c, p.s)
	}
	pol.e.Attached = n
	if n > 0 {
		pol.e.Detail = strings.TrimPrefix(pol.e.Detail+fmt.Sprintf("; attached to %d existing indices", n), "; ")
	}
	return err
}

// done records action a on entry e.
func done(e *Entry, a Action, version string) {
	e.Action = a
	switch a {
	case ActionNone:
		if e.State == StateModified {
			e.Detail += "; left as is (install with force replaces it)"
		}
		return
	case ActionCreated:
		e.Detail = ""
	case ActionUpdated:
		e.Detail = "was outdated: " + e.Detail
	case ActionOverwritten:
		e.Detail = "replaced (forced); was modified: " + e.Detail
	}
	e.State = StateInstalled
	e.InstalledVersion = version
}

// ---- index template

// recordedTemplateHash returns _meta.ckos_hash of a rendered template.
func recordedTemplateHash(body []byte) (string, error) {
	var v map[string]any
	if err := decode(body, &v); err != nil {
		return "", err
	}
	meta, _ := v["_meta"].(map[string]any)
	h, _ := meta["ckos_hash"].(string)
	return h, nil
}

func observeTemplate(ctx context.Context, c *opensearchapi.Client, name string) (observed, error) {
	var answer struct {
		IndexTemplates []struct {
			Name          string         `json:"name"`
			IndexTemplate map[string]any `json:"index_template"`
		} `json:"index_templates"`
	}
	err := doJSON(ctx, c, call{op: "get index template " + name, method: http.MethodGet, path: "/_index_template/" + url.PathEscape(name)}, &answer)
	if statusOf(err) == http.StatusNotFound {
		return observed{}, nil
	}
	if err != nil {
		return observed{}, err
	}
	for _, it := range answer.IndexTemplates {
		if it.Name != name {
			continue
		}
		o := observed{exists: true}
		if o.content, err = contentHash(templateContent(it.IndexTemplate)); err != nil {
			return o, err
		}
		if meta, ok := it.IndexTemplate["_meta"].(map[string]any); ok && meta["managed_by"] == "ckos" {
			o.version, _ = meta["ckos_version"].(string)
			o.hash, _ = meta["ckos_hash"].(string)
		}
		return o, nil
	}
	return observed{}, nil
}

// ---- ISM

// ismMarker finds ckos's version and content hash at the start of an ISM policy's description.
var ismMarker = regexp.MustCompile(`^Managed by ckos (\S+) \(([0-9a-f]{16})\)`)

func recordedISMHash(body []byte) (string, error) {
	var v struct {
		Policy struct {
			Description string `json:"description"`
		} `json:"policy"`
	}
	if err := decode(body, &v); err != nil {
		return "", err
	}
	m := ismMarker.FindStringSubmatch(v.Policy.Description)
	if m == nil {
		return "", errors.New("rendered ISM policy has no ckos marker")
	}
	return m[2], nil
}

// getPolicy reads a retention policy: unavailable when the cluster lacks the API, not existing
// on 404, else its answer (o.exists is set; the caller fills in the rest).
func getPolicy(ctx context.Context, c *opensearchapi.Client, op, path string) (map[string]any, observed, error) {
	var answer map[string]any
	err := doJSON(ctx, c, call{op: op, method: http.MethodGet, path: path}, &answer)
	switch {
	case noHandler(err):
		return nil, observed{unavailable: true}, nil
	case statusOf(err) == http.StatusNotFound:
		return nil, observed{}, nil
	case err != nil:
		return nil, observed{}, err
	}
	return answer, observed{exists: true}, nil
}

func observeISM(ctx context.Context, c *opensearchapi.Client, name string) (observed, error) {
	answer, o, err := getPolicy(ctx, c, "get ISM policy "+name, "/_plugins/_ism/policies/"+url.PathEscape(name))
	if err != nil || !o.exists {
		return o, err
	}
	o.seqNo, _ = number(answer["_seq_no"])
	o.primaryTerm, _ = number(answer["_primary_term"])
	if o.content, err = contentHash(ismContent(answer)); err != nil {
		return o, err
	}
	pol, _ := answer["policy"].(map[string]any)
	desc, _ := pol["description"].(string)
	if m := ismMarker.FindStringSubmatch(desc); m != nil {
		o.version, o.hash = m[1], m[2]
	}
	return o, nil
}

// ismAttachBatch bounds the index names in one _plugins/_ism/add request.
const ismAttachBatch = 50

// attachISM attaches the policy to the existing date-based indices of s that no policy manages
// (ism_template only reaches indices created after the policy) and returns how many it attached.
func attachISM(ctx context.Context, c *opensearchapi.Client, s Settings) (int, error) {
	names, err := dateIndices(ctx, c, s.Prefix, "open")
	if err != nil || len(names) == 0 {
		return 0, err
	}
	managed, err := ismManaged(ctx, c, s.Prefix)
	if err != nil {
		return 0, err
	}
	var todo []string
	for _, n := range names {
		if _, ok := managed[n]; !ok {
			todo = append(todo, n)
		}
	}
	attached := 0
	var failures []string
	for i := 0; i < len(todo); i += ismAttachBatch {
		batch := todo[i:min(i+ismAttachBatch, len(todo))]
		var answer struct {
			Updated       int `json:"updated_indices"`
			FailedIndices []struct {
				Name   string `json:"index_name"`
				Reason string `json:"reason"`
			} `json:"failed_indices"`
		}
		err := doJSON(ctx, c, call{op: "attach ISM policy " + s.PolicyName(), method: http.MethodPost,
			path: "/_plugins/_ism/add/" + joinNames(batch), body: []byte(`{"policy_id":` + quote(s.PolicyName()) + `}`)}, &answer)
		if err != nil {
			return attached, err
		}
		attached += answer.Updated
		for _, f := range answer.FailedIndices {
			if strings.Contains(f.Reason, "already") { // "This index already has a policy, …"
				continue
			}
			failures = append(failures, f.Name+": "+f.Reason)
		}
	}
	if len(failures) > 0 {
		return attached, fmt.Errorf("attach ISM policy %s: %d indices failed, first: %s", s.PolicyName(), len(failures), failures[0])
	}
	return attached, nil
}

// ismManaged returns the indices of prefix's pattern that an ISM policy manages, with the policy id.
func ismManaged(ctx context.Context, c *opensearchapi.Client, prefix string) (map[string]string, error) {
	var answer map[string]any
	err := doJSON(ctx, c, call{op: "explain ISM for " + mapping.Pattern(prefix), method: http.MethodGet,
		path: "/_plugins/_ism/explain/" + url.PathEscape(mapping.Pattern(prefix))}, &answer)
	if statusOf(err) == http.StatusNotFound {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	managed := map[string]string{}
	for name, v := range answer {
		m, ok := v.(map[string]any)
		if !ok {
			continue // total_managed_indices
		}
		id, _ := m["index.plugins.index_state_management.policy_id"].(string)
		if id == "" {
			id, _ = m["policy_id"].(string)
		}
		if id != "" {
			managed[name] = id
		}
	}
	return managed, nil
}

// ismAPI is how ckos handles its ISM retention policy (OpenSearch).
var ismAPI = policyAPI{
	object: ObjectISMPolicy, kind: "ISM", missing: "ISM plugin not installed; nothing to remove",
	render: ISMPolicy, recordedHash: recordedISMHash, observe: observeISM, attached: ismManaged,
	detachPath: func(batch string) string { return "/_plugins/_ism/remove/" + batch },
	policyPath: "/_plugins/_ism/policies/",
}

// policyAPIOf returns how to handle the retention policy of distribution d.
func policyAPIOf(d Distribution) policyAPI {
	if d == Elasticsearch {
		return ilmAPI
	}
	return ismAPI
}

// policyAPI is what differs between an ISM and an ILM retention policy.
type policyAPI struct {
	object, kind, missing string
	render                func(Settings) ([]byte, error)
	recordedHash          func(body []byte) (string, error)
	observe               func(context.Context, *opensearchapi.Client, string) (observed, error)
	attached              func(context.Context, *opensearchapi.Client, string) (map[string]string, error) // index → policy
	detachPath            func(batch string) string
	policyPath            string // + escaped policy name
}

// uninstallPolicy detaches the retention policy from the indices it manages, then deletes it.
func uninstallPolicy(ctx context.Context, c *opensearchapi.Client, s Settings, api policyAPI) (Entry, error) {
	name := s.PolicyName()
	e := Entry{Object: api.object, Name: name, State: StateMissing, Action: ActionNone}
	obs, err := api.observe(ctx, c, name)
	if err != nil {
		return e, err
	}
	if obs.unavailable {
		e.State, e.Detail = StateUnavailable, api.missing
		return e, nil
	}
	attached, err := api.attached(ctx, c, s.Prefix)
	if err != nil {
		return e, err
	}
	var ours []string
	for idx, id := range attached {
		if id == name {
			ours = append(ours, idx)
		}
	}
	for i := 0; i < len(ours); i += ismAttachBatch {
		batch := ours[i:min(i+ismAttachBatch, len(ours))]
		if _, err := do(ctx, c, call{op: "detach " + api.kind + " policy " + name, method: http.MethodPost, path: api.detachPath(joinNames(batch))}); err != nil {
			return e, err
		}
	}
	if !obs.exists {
		e.Detail = "was not installed"
		return e, nil
	}
	if _, err := do(ctx, c, call{op: "delete " + api.kind + " policy " + name, method: http.MethodDelete, path: api.policyPath + url.PathEscape(name)}); err != nil && statusOf(err) != http.StatusNotFound {
		return e, err
	}
	e.Action = ActionDeleted
	if len(ours) > 0 {
		e.Detail = fmt.Sprintf("detached from %d indices", len(ours))
	}
	return e, nil
}

// ---- ILM

func recordedILMHash(body []byte) (string, error) {
	var v struct {
		Policy struct {
			Meta struct {
				Hash string `json:"ckos_hash"`
			} `json:"_meta"`
		} `json:"policy"`
	}
	if err := decode(body, &v); err != nil {
		return "", err
	}
	return v.Policy.Meta.Hash, nil
}

func observeILM(ctx context.Context, c *opensearchapi.Client, name string) (observed, error) {
	answer, o, err := getPolicy(ctx, c, "get ILM policy "+name, "/_ilm/policy/"+url.PathEscape(name))
	if err != nil || !o.exists {
		return o, err
	}
	entry, ok := answer[name].(map[string]any)
	if !ok {
		return observed{}, nil
	}
	pol, _ := entry["policy"].(map[string]any)
	if o.content, err = contentHash(ilmContent(pol)); err != nil {
		return o, err
	}
	if meta, ok := pol["_meta"].(map[string]any); ok && meta["managed_by"] == "ckos" {
		o.version, _ = meta["ckos_version"].(string)
		o.hash, _ = meta["ckos_hash"].(string)
	}
	return o, nil
}

// attachILM links the existing date-based indices of s that have no ILM policy to the policy,
// with their origination date taken from their name (the start of their span).
func attachILM(ctx context.Context, c *opensearchapi.Client, s Settings) (int, error) {
	names, err := dateIndices(ctx, c, s.Prefix, "open")
	if err != nil || len(names) == 0 {
		return 0, err
	}
	lifecycle, err := ilmNames(ctx, c, s.Prefix)
	if err != nil {
		return 0, err
	}
	attached := 0
	for _, n := range names {
		if lifecycle[n] != "" {
			continue
		}
		_, start, _, _ := mapping.ParseIndexName(s.Prefix, n)
		body := fmt.Sprintf(`{"index.lifecycle.name":%s,"index.lifecycle.origination_date":%d}`, quote(s.PolicyName()), start.UnixMilli())
		if _, err := do(ctx, c, call{op: "attach ILM policy " + s.PolicyName() + " to " + n, method: http.MethodPut,
			path: "/" + url.PathEscape(n) + "/_settings", body: []byte(body)}); err != nil {
			return attached, err
		}
		attached++
	}
	return attached, nil
}

// ilmNames returns index.lifecycle.name of every index of prefix's pattern that has one.
func ilmNames(ctx context.Context, c *opensearchapi.Client, prefix string) (map[string]string, error) {
	var answer map[string]struct {
		Settings map[string]any `json:"settings"`
	}
	err := doJSON(ctx, c, call{op: "get ILM settings of " + mapping.Pattern(prefix), method: http.MethodGet,
		path:  "/" + url.PathEscape(mapping.Pattern(prefix)) + "/_settings/index.lifecycle.name",
		query: url.Values{"flat_settings": {"true"}, "expand_wildcards": {"open"}}}, &answer)
	if statusOf(err) == http.StatusNotFound {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for idx, v := range answer {
		if n, _ := v.Settings["index.lifecycle.name"].(string); n != "" {
			out[idx] = n
		}
	}
	return out, nil
}

// ilmAPI is how ckos handles its ILM retention policy (Elasticsearch).
var ilmAPI = policyAPI{
	object: ObjectILMPolicy, kind: "ILM", missing: "ILM not available; nothing to remove",
	render: ILMPolicy, recordedHash: recordedILMHash, observe: observeILM, attached: ilmNames,
	detachPath: func(batch string) string { return "/" + batch + "/_ilm/remove" },
	policyPath: "/_ilm/policy/",
}

// ---- helpers

// dateIndices lists the indices of prefix's pattern that follow the date-based naming scheme.
func dateIndices(ctx context.Context, c *opensearchapi.Client, prefix, expand string) ([]string, error) {
	all, err := catIndices(ctx, c, "list indices "+mapping.Pattern(prefix), mapping.Pattern(prefix), expand)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range all {
		if _, _, _, ok := mapping.ParseIndexName(prefix, n); ok {
			names = append(names, n)
		}
	}
	return names, nil
}

// joinNames escapes index names for a path and joins them with commas.
func joinNames(names []string) string {
	esc := make([]string, len(names))
	for i, n := range names {
		esc[i] = url.PathEscape(n)
	}
	return strings.Join(esc, ",")
}

// quote returns s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

func number(v any) (int64, bool) {
	switch n := v.(type) {
	case interface{ Int64() (int64, error) }:
		x, err := n.Int64()
		return x, err == nil
	case float64:
		return int64(n), true
	}
	return 0, false
}
