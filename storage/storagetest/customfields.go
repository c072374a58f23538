package storagetest

import (
	"testing"
	"time"

	"github.com/ckos/ckos/storage"
)

var customBase = time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)

func runCustomFields(t *testing.T, open func(t *testing.T) storage.Storage) {
	s := open(t)
	push(t, s, frame(customBase, time.Hour,
		pt{Type: "a", Qty: 1, Price: 10, Groupby: kv("id", "1", "project_id", "p")},
		pt{Type: "a", Qty: 2, Price: 20, Groupby: kv("id", "2", "project_id", "p")},
		pt{Type: "a", Qty: 3, Price: 30, Groupby: kv("id", "3", "project_id", "p")},
		pt{Type: "b", Qty: 4, Price: 40, Groupby: kv("id", "4", "project_id", "p")},
	))
	w := storage.Window{Begin: customBase, End: hours(customBase, 1)}
	const fields = "MIN(qty) AS qmin, MAX(price) AS pmax, AVG(price) AS pavg, COUNT(qty) AS n, SUM(qty) AS q, MAX(qty) AS qmax, MIN(price) AS pmin"
	f := func(vals ...float64) []storage.Field {
		names := []string{"qmin", "pmax", "pavg", "n", "q", "qmax", "pmin"}
		var out []storage.Field
		for i, v := range vals {
			out = append(out, storage.Field{Name: names[i], Value: v})
		}
		return out
	}

	t.Run("min, max, avg, count and sum per group, in the asked order", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: w, Groupby: []string{"type"}, CustomFields: fields})
		checkRows(t, "rows", res.Rows, []wantRow{
			{w.Begin, w.End, f(1, 30, 20, 3, 6, 3, 10), []storage.Group{{Key: "type", Value: str("a")}}},
			{w.Begin, w.End, f(4, 40, 40, 1, 4, 4, 40), []storage.Group{{Key: "type", Value: str("b")}}},
		})
	})
	t.Run("custom fields without groupby", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: w, CustomFields: fields})
		wantEqual(t, "Total", res.Total, int64(1))
		checkRows(t, "rows", res.Rows, []wantRow{{w.Begin, w.End, f(1, 40, 25, 4, 10, 4, 10), nil}})
	})
	t.Run("function and field names are case-insensitive", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: w, CustomFields: "sum(QTY) as Total_Qty,Count(Price)   As   N"})
		checkRows(t, "rows", res.Rows, []wantRow{{w.Begin, w.End, []storage.Field{{Name: "Total_Qty", Value: 10}, {Name: "N", Value: 4}}, nil}})
	})
	t.Run("the default fields are qty then rate", func(t *testing.T) {
		res := total(t, s, storage.TotalQuery{Window: w, CustomFields: storage.DefaultCustomFields})
		checkRows(t, "rows", res.Rows, []wantRow{{w.Begin, w.End, qr(10, 100), nil}})
	})
	t.Run("bad custom fields are rejected, naming the offending item", func(t *testing.T) {
		for _, c := range []struct{ fields, names string }{
			{"SUM(qty) AS x; DROP", "DROP"},
			{"SUM(qty) AS x) OR 1=1 --", "OR 1=1"},
			{"MEDIAN(qty) AS m", "MEDIAN"},
			{"SUM(foo) AS f", "foo"},
			{"SUM(doc['qty'].value) AS x", "doc['qty'].value"},
			{"SUM(qty)", "SUM(qty)"},
			{"SUM(qty) AS", "SUM(qty) AS"},
			{"SUM(qty) AS \"x\"", "x"},
			{"SUM(qty) AS begin", "begin"},
			{"SUM(qty) AS end", "end"},
			{"SUM(qty) AS q, SUM(price) AS q", "q"},
			{"SUM(qty) AS q,", "custom field 2"},
			{"SUM(qty) AS q SUM(price) AS r", "SUM(qty) AS q SUM(price) AS r"},
		} {
			_, err := s.Total(t.Context(), storage.TotalQuery{Window: w, CustomFields: c.fields})
			wantInvalid(t, "custom fields "+c.fields, err, c.names)
		}
	})
	t.Run("an alias equal to a groupby column is rejected", func(t *testing.T) {
		for _, c := range []struct {
			groupby       []string
			fields, alias string
		}{
			{[]string{"project_id"}, "SUM(qty) AS project_id", "project_id"},
			{[]string{"type"}, "SUM(price) AS rate, COUNT(qty) AS type", "type"},
			{[]string{"time-y"}, "SUM(qty) AS year", "year"},
		} {
			_, err := s.Total(t.Context(), storage.TotalQuery{Window: w, Groupby: c.groupby, CustomFields: c.fields})
			wantInvalid(t, "custom fields "+c.fields, err, c.alias)
		}
	})
}
