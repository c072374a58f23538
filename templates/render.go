package templates

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"text/template"

	"github.com/ckos/ckos/mapping"
)

//go:embed assets/*.json
var assetFS embed.FS

// assets are the parsed asset templates; parsing embedded files cannot fail at run time
// (TestAssetsParse guards it).
var assets = template.Must(template.New("").Funcs(template.FuncMap{"json": jsonValue}).ParseFS(assetFS, "assets/*.json"))

// jsonValue renders v as JSON inside a template; it is how every setting enters an asset, so a
// value can never break the document's syntax.
func jsonValue(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// hashLen is the number of hex digits of the content hash ckos records in what it installs.
const hashLen = 16

// renderData is what the asset templates see.
type renderData struct {
	Settings
	Pattern              string
	VersionNumber        int
	MinIndexAge          string
	SpanHours            int
	PolicyName           string
	ParseOriginationDate bool
	Mappings             map[string]any
	Hash                 string
	IndexPatternID       string
	Description          string
}

func newRenderData(s Settings) (renderData, error) {
	if err := s.Validate(); err != nil {
		return renderData{}, err
	}
	vn, _ := VersionNumber(s.Version) // checked by Validate
	return renderData{
		Settings:             s,
		Pattern:              mapping.DatePattern(s.Prefix),
		VersionNumber:        vn,
		MinIndexAge:          s.MinIndexAge(),
		SpanHours:            s.SpanHours(),
		PolicyName:           s.PolicyName(),
		ParseOriginationDate: s.Granularity == mapping.Day || s.Granularity == "",
		Mappings:             mapping.Mappings(),
		IndexPatternID:       IndexPatternID(s.Prefix),
		Description:          "Managed by ckos " + s.Version,
	}, nil
}

// execute renders asset name and decodes it, failing when the output is not valid JSON.
func execute(name string, d renderData) (any, error) {
	var buf bytes.Buffer
	if err := assets.ExecuteTemplate(&buf, name, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("render %s: output is not valid JSON: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("render %s: output has data after the JSON document", name)
	}
	return v, nil
}

// IndexTemplate renders the body of PUT _index_template/<prefix>:
//
//	{"index_patterns":["<prefix>-*"],"priority":200,"version":1000,
//	 "_meta":{"managed_by":"ckos","ckos_version":"0.1.0","ckos_hash":"…"},
//	 "template":{"settings":{"index":{…}},"mappings":{…},"aliases":{"<prefix>":{}}}}
//
// _meta.ckos_hash is the hash of everything but _meta, which tells later an unchanged template
// from one an operator edited. On Elasticsearch with s.ILM, the settings link new indices to
// the ILM policy (and, for day indices, take their origination date from their name).
func IndexTemplate(s Settings) ([]byte, error) {
	d, err := newRenderData(s)
	if err != nil {
		return nil, err
	}
	d.ILM = s.distribution() == Elasticsearch && s.ILM
	v, err := execute("index_template.json", d)
	if err != nil {
		return nil, err
	}
	obj := v.(map[string]any)
	h, err := contentHash(templateContent(obj))
	if err != nil {
		return nil, err
	}
	obj["_meta"].(map[string]any)["ckos_hash"] = h
	return marshal(obj)
}

// ISMPolicy renders the body of PUT _plugins/_ism/policies/<prefix>-retention: states hot →
// delete once the index is MinIndexAge old, attached to new <prefix>-* indices by ism_template.
// ISM policies have no _meta, so ckos's version and content hash open the description:
// "Managed by ckos 0.1.0 (<hash>): …".
func ISMPolicy(s Settings) ([]byte, error) {
	d, err := newRenderData(s)
	if err != nil {
		return nil, err
	}
	d.Hash = "0000000000000000"
	v, err := execute("ism_policy.json", d)
	if err != nil {
		return nil, err
	}
	if d.Hash, err = contentHash(ismContent(v)); err != nil {
		return nil, err
	}
	if v, err = execute("ism_policy.json", d); err != nil {
		return nil, err
	}
	return marshal(v)
}

// ILMPolicy renders the body of PUT _ilm/policy/<prefix>-retention (Elasticsearch): one delete
// phase at MinIndexAge, with ckos's version and content hash in _meta.
func ILMPolicy(s Settings) ([]byte, error) {
	d, err := newRenderData(s)
	if err != nil {
		return nil, err
	}
	v, err := execute("ilm_policy.json", d)
	if err != nil {
		return nil, err
	}
	h, err := contentHash(ilmContent(v))
	if err != nil {
		return nil, err
	}
	v.(map[string]any)["policy"].(map[string]any)["_meta"].(map[string]any)["ckos_hash"] = h
	return marshal(v)
}

// IndexPatternID is the saved-object id of the Dashboards index pattern of prefix.
func IndexPatternID(prefix string) string { return prefix + "-ip" }

// jsonStringAttributes are the saved-object attributes Dashboards stores as JSON strings; the
// asset writes them as objects, DashboardsNDJSON serialises them.
var jsonStringAttributes = []string{"visState", "uiStateJSON", "panelsJSON", "optionsJSON"}

// DashboardsNDJSON renders the OpenSearch Dashboards (or Kibana) saved objects, one per line,
// for the saved-objects import API: the index pattern <prefix>-* (id <prefix>-ip, time field
// start), the visualizations cost over time by metric type, cost by project, top resources by
// cost and quantity by unit, and the dashboard <prefix>-dashboard holding them.
func DashboardsNDJSON(s Settings) ([]byte, error) {
	d, err := newRenderData(s)
	if err != nil {
		return nil, err
	}
	v, err := execute("dashboards.json", d)
	if err != nil {
		return nil, err
	}
	objs, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("render dashboards.json: not a JSON array")
	}
	var out bytes.Buffer
	for i, o := range objs {
		obj, ok := o.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("render dashboards.json: object %d is not a JSON object", i)
		}
		attrs, _ := obj["attributes"].(map[string]any)
		for _, k := range jsonStringAttributes {
			if err := stringify(attrs, k); err != nil {
				return nil, fmt.Errorf("render dashboards.json: object %v: %w", obj["id"], err)
			}
		}
		if meta, ok := attrs["kibanaSavedObjectMeta"].(map[string]any); ok {
			if err := stringify(meta, "searchSourceJSON"); err != nil {
				return nil, fmt.Errorf("render dashboards.json: object %v: %w", obj["id"], err)
			}
		}
		line, err := json.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("render dashboards.json: object %v: %w", obj["id"], err)
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// stringify replaces m[k], when present, by its JSON text.
func stringify(m map[string]any, k string) error {
	v, ok := m[k]
	if !ok {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("attribute %s: %w", k, err)
	}
	m[k] = string(b)
	return nil
}

// marshal writes v as indented JSON with sorted keys and a final newline.
func marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// contentHash is the hex SHA-256 prefix of v's canonical JSON (sorted keys, numbers as written).
func contentHash(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("hash content: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:hashLen], nil
}

// decode unmarshals JSON keeping numbers as json.Number.
func decode(b []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(out)
}
