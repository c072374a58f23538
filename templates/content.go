package templates

import "strings"

// The content projections below pick, from an object as rendered or as returned by the cluster,
// exactly what ckos renders — leaving out its own marker and what the cluster adds (timestamps,
// ids, empty defaults) — so that an object ckos installed and nobody touched hashes to the hash
// recorded in it, and any edit to what ckos wrote changes the hash.

// templateContent projects an index template (the object of PUT _index_template, or
// index_templates[].index_template of GET) without its _meta.
func templateContent(t map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"index_patterns", "priority", "version", "template", "data_stream"} {
		if v, ok := t[k]; ok && v != nil {
			out[k] = v
		}
	}
	if c, ok := t["composed_of"].([]any); ok && len(c) > 0 {
		out["composed_of"] = c
	}
	return out
}

// ismContent projects an ISM policy ({"policy":{…}}, as sent or as returned by GET) without its
// description, ids, timestamps and the user the security plugin records.
func ismContent(v any) map[string]any {
	root, _ := v.(map[string]any)
	p, _ := root["policy"].(map[string]any)
	out := map[string]any{"default_state": p["default_state"]}
	if en := p["error_notification"]; en != nil {
		out["error_notification"] = en
	}
	var states []any
	sts, _ := p["states"].([]any)
	for _, s := range sts {
		st, _ := s.(map[string]any)
		var actions []any
		acts, _ := st["actions"].([]any)
		for _, a := range acts {
			act, _ := a.(map[string]any)
			ca := map[string]any{}
			for k, x := range act {
				ca[k] = x
			}
			if r, ok := act["retry"].(map[string]any); ok {
				cr := map[string]any{}
				for k, x := range r {
					cr[k] = x
				}
				if b, ok := cr["backoff"].(string); ok {
					cr["backoff"] = strings.ToLower(b)
				}
				ca["retry"] = cr
			}
			actions = append(actions, ca)
		}
		trs, _ := st["transitions"].([]any)
		states = append(states, map[string]any{
			"name":        st["name"],
			"actions":     nonNil(actions),
			"transitions": nonNil(trs),
		})
	}
	out["states"] = nonNil(states)
	var tmpls []any
	switch it := p["ism_template"].(type) {
	case []any:
		for _, x := range it {
			tmpls = append(tmpls, ismTemplateContent(x))
		}
	case map[string]any:
		tmpls = append(tmpls, ismTemplateContent(it))
	}
	if len(tmpls) > 0 {
		out["ism_template"] = tmpls
	}
	return out
}

func ismTemplateContent(x any) map[string]any {
	m, _ := x.(map[string]any)
	return map[string]any{"index_patterns": m["index_patterns"], "priority": m["priority"]}
}

// ilmContent projects an ILM policy object (the "policy" member of what is sent or returned)
// without its _meta.
func ilmContent(v any) map[string]any {
	p, _ := v.(map[string]any)
	if inner, ok := p["policy"].(map[string]any); ok {
		p = inner
	}
	return map[string]any{"phases": p["phases"]}
}

func nonNil(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}
