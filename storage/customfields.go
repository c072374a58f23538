package storage

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultCustomFields is CloudKitty's default aggregate list for Total.
const DefaultCustomFields = "SUM(qty) AS qty, SUM(price) AS rate"

// CustomField is one parsed aggregate: Func(Field) AS Alias.
type CustomField struct {
	Func  string // sum, min, max, avg or count
	Field string // qty or price
	Alias string // the row column
}

var customFieldRe = regexp.MustCompile(`^\s*([A-Za-z]+)\s*\(\s*([A-Za-z_]+)\s*\)\s+[Aa][Ss]\s+([A-Za-z_][A-Za-z0-9_]*)\s*$`)

var customFuncs = map[string]bool{"sum": true, "min": true, "max": true, "avg": true, "count": true}

// reservedColumns are row columns an alias may not take.
var reservedColumns = map[string]bool{"begin": true, "end": true}

// ParseCustomFields parses "FUNC(field) AS alias, …"; an empty string means DefaultCustomFields.
// Every item is checked against the whitelist, so user text never reaches a query.
func ParseCustomFields(s string) ([]CustomField, error) {
	if strings.TrimSpace(s) == "" {
		s = DefaultCustomFields
	}
	var out []CustomField
	seen := map[string]bool{}
	for i, item := range strings.Split(s, ",") {
		m := customFieldRe.FindStringSubmatch(item)
		if m == nil {
			return nil, fmt.Errorf("%w: custom field %d %q: expected FUNC(field) AS alias", ErrInvalid, i+1, strings.TrimSpace(item))
		}
		fn, field, alias := strings.ToLower(m[1]), strings.ToLower(m[2]), m[3]
		if !customFuncs[fn] {
			return nil, fmt.Errorf("%w: custom field %d %q: function %q is not one of sum, min, max, avg, count", ErrInvalid, i+1, strings.TrimSpace(item), m[1])
		}
		if field != "qty" && field != "price" {
			return nil, fmt.Errorf("%w: custom field %d %q: field %q is not one of qty, price", ErrInvalid, i+1, strings.TrimSpace(item), m[2])
		}
		if reservedColumns[alias] || seen[alias] {
			return nil, fmt.Errorf("%w: custom field %d %q: alias %q is reserved or already used", ErrInvalid, i+1, strings.TrimSpace(item), alias)
		}
		seen[alias] = true
		out = append(out, CustomField{Func: fn, Field: field, Alias: alias})
	}
	return out, nil
}
