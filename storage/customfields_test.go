package storage

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseCustomFieldsAccepted(t *testing.T) {
	def := []CustomField{{"sum", "qty", "qty"}, {"sum", "price", "rate"}}
	for _, c := range []struct {
		in   string
		want []CustomField
	}{
		{"", def},
		{"   ", def},
		{DefaultCustomFields, def},
		{"SUM(qty) AS qty, SUM(price) AS rate", def},
		{"sum(qty) as qty,sum(price) as rate", def},
		{"  Sum ( QTY )  aS  Total_Qty  ", []CustomField{{"sum", "qty", "Total_Qty"}}},
		{"MIN(qty) AS a, MAX(qty) AS b, AVG(price) AS c, COUNT(price) AS n_1, COUNT(qty) AS _n",
			[]CustomField{{"min", "qty", "a"}, {"max", "qty", "b"}, {"avg", "price", "c"}, {"count", "price", "n_1"}, {"count", "qty", "_n"}}},
		{"SUM(price) AS qty, SUM(qty) AS rate", []CustomField{{"sum", "price", "qty"}, {"sum", "qty", "rate"}}},
	} {
		got, err := ParseCustomFields(c.in)
		if err != nil {
			t.Errorf("ParseCustomFields(%q): %v", c.in, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("ParseCustomFields(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestParseCustomFieldsRejected(t *testing.T) {
	for _, c := range []struct{ in, mentions string }{
		{"SUM(qty) AS x; DROP", `"SUM(qty) AS x; DROP"`},
		{"SUM(qty) AS x -- comment", "-- comment"},
		{"SUM(qty) AS x, SUM(price) AS y) OR (1=1", "custom field 2"},
		{"MEDIAN(qty) AS m", `function "MEDIAN"`},
		{"sqrt(qty) AS m", `function "sqrt"`},
		{"SUM(foo) AS f", `field "foo"`},
		{"SUM(groupby_project) AS f", `field "groupby_project"`},
		{"SUM(doc['qty'].value) AS x", "doc['qty'].value"},
		{"SUM(qty)", `"SUM(qty)"`},
		{"SUM(qty) x", `"SUM(qty) x"`},
		{"SUM(qty) AS", `"SUM(qty) AS"`},
		{"SUM(qty)AS x", `"SUM(qty)AS x"`},
		{"SUM(qty) AS 1x", `"SUM(qty) AS 1x"`},
		{"SUM(qty) AS x-y", `"SUM(qty) AS x-y"`},
		{`SUM(qty) AS "x"`, `x`},
		{"SUM(qty) AS begin", `alias "begin"`},
		{"SUM(qty) AS end", `alias "end"`},
		{"SUM(qty) AS q, SUM(price) AS q", `alias "q"`},
		{"SUM(qty) AS q,", "custom field 2"},
		{",SUM(qty) AS q", "custom field 1"},
		{"SUM(qty) AS q SUM(price) AS r", "SUM(price) AS r"},
		{"SUM(qty, price) AS q", `custom field 1 "SUM(qty"`},
		{"SUM() AS q", "SUM() AS q"},
	} {
		got, err := ParseCustomFields(c.in)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseCustomFields(%q) = %v, %v; want ErrInvalid", c.in, got, err)
			continue
		}
		if !strings.Contains(err.Error(), c.mentions) {
			t.Errorf("ParseCustomFields(%q): %q does not mention %s", c.in, err, c.mentions)
		}
	}
}
