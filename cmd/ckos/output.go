package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

// formatNumber prints f in full decimal notation, never in exponent form: the shortest text
// that parses back to f ("0.00000123", "1500000000"). CSV uses it: the exact float64.
func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// humanNumber is formatNumber after rounding to 15 significant digits, which removes the noise
// of summing binary floats (467.54060000000004 → 467.5406) and nothing a float64 sum holds for
// sure. Tables use it; CSV and JSON carry the exact value.
func humanNumber(f float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return formatNumber(f)
	}
	return formatNumber(r)
}

// formatTime prints t as RFC 3339 in UTC, with fractional seconds only when present.
func formatTime(t time.Time) string {
	return dataframe.FormatTime(t)
}

// missingValue is what a table prints for a missing group or label value (JSON prints null,
// CSV an empty field).
const missingValue = "-"

// table collects rows of text and prints them as aligned columns or CSV.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(row ...string) { t.rows = append(t.rows, row) }

// writeAligned prints the table with columns aligned by text/tabwriter; the header is upper case.
func (t *table) writeAligned(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	up := make([]string, len(t.header))
	for i, h := range t.header {
		up[i] = strings.ToUpper(h)
	}
	fmt.Fprintln(tw, strings.Join(up, "\t"))
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// writeCSV prints the table as CSV (RFC 4180) with its header, even when there are no rows.
func (t *table) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.header); err != nil {
		return err
	}
	if err := cw.WriteAll(t.rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// write prints the table in format (table or csv).
func (t *table) write(w io.Writer, format string) error {
	if format == formatCSV {
		return t.writeCSV(w)
	}
	return t.writeAligned(w)
}

// totalColumns returns the columns of a Total's rows: begin, end, the fields (qty, rate or the
// custom-field aliases), then the groupby columns.
func totalColumns(fields []storage.CustomField, groups []storage.GroupElem) []string {
	cols := []string{"begin", "end"}
	for _, f := range fields {
		cols = append(cols, f.Alias)
	}
	for _, g := range groups {
		if c := g.Column(); c != "" {
			cols = append(cols, c)
		}
	}
	return cols
}

// writeTotal prints a Total's result. JSON is
//
//	{"total": 2, "results": [
//	{"begin": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z", "qty": 3, "rate": 1.5, "project_id": "a"},
//	…]}
//
// with one result per line and keys in column order; a missing group value is null (JSON), empty
// (CSV) or "-" (table). The header is printed even without rows.
func writeTotal(w io.Writer, format string, cols []string, res storage.TotalResult) error {
	if format == formatJSON {
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "{\"total\": %d, \"results\": [", res.Total)
		for i, r := range res.Rows {
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
			if err := writeTotalRowJSON(bw, cols, r); err != nil {
				return err
			}
		}
		if len(res.Rows) > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]}\n")
		return bw.Flush()
	}
	missing, number := missingValue, humanNumber
	if format == formatCSV {
		missing, number = "", formatNumber
	}
	t := &table{header: cols}
	for _, r := range res.Rows {
		t.add(totalRowText(cols, r, missing, number)...)
	}
	return t.write(w, format)
}

// totalRowText returns the row's cells in column order.
func totalRowText(cols []string, r storage.Row, missing string, number func(float64) string) []string {
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		switch c {
		case "begin":
			out = append(out, formatTime(r.Begin))
			continue
		case "end":
			out = append(out, formatTime(r.End))
			continue
		}
		if v, ok := r.Field(c); ok {
			out = append(out, number(v))
			continue
		}
		if v, ok := r.Group(c); ok && v != nil {
			out = append(out, *v)
			continue
		}
		out = append(out, missing)
	}
	return out
}

// writeTotalRowJSON writes one row as a JSON object with keys in column order.
func writeTotalRowJSON(w *bufio.Writer, cols []string, r storage.Row) error {
	w.WriteString("{")
	for i, c := range cols {
		if i > 0 {
			w.WriteString(", ")
		}
		k, _ := json.Marshal(c)
		w.Write(k)
		w.WriteString(": ")
		var v any
		switch c {
		case "begin":
			v = formatTime(r.Begin)
		case "end":
			v = formatTime(r.End)
		default:
			if f, ok := r.Field(c); ok {
				v = f
			} else if g, ok := r.Group(c); ok && g != nil {
				v = *g
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", c, err)
		}
		w.Write(b)
	}
	w.WriteString("}")
	return nil
}

// pointColumns are the fixed columns of a retrieved point in table and CSV output.
var pointColumns = []string{"begin", "end", "type", "unit", "qty", "price"}

// writeRetrieve prints a Retrieve's result. JSON is
//
//	{"total": 630, "dataframes": [
//	{"period":{"begin":…,"end":…},"usage":{…}},
//	…]}
//
// with the frames in CloudKitty's v2 form, one per line. Table and CSV print one row per point:
// begin, end, type, unit, qty, price, description (only when a point has one), then the
// groupby.* and metadata.* columns, sorted.
func writeRetrieve(w io.Writer, format string, res storage.RetrieveResult) error {
	if format == formatJSON {
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "{\"total\": %d, \"dataframes\": [", res.Total)
		var buf []byte
		for i, f := range res.DataFrames {
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
			var err error
			if buf, err = f.AppendJSON(buf[:0]); err != nil {
				return fmt.Errorf("encode dataframe %d: %w", i, err)
			}
			bw.Write(buf)
		}
		if len(res.DataFrames) > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]}\n")
		return bw.Flush()
	}
	missing := missingValue
	if format == formatCSV {
		missing = ""
	}
	groupKeys, metaKeys, hasDesc := labelKeys(res.DataFrames)
	header := append([]string(nil), pointColumns...)
	if hasDesc {
		header = append(header, "description")
	}
	for _, k := range groupKeys {
		header = append(header, "groupby."+k)
	}
	for _, k := range metaKeys {
		header = append(header, "metadata."+k)
	}
	t := &table{header: header}
	label := func(m map[string]string, k string) string {
		if v, ok := m[k]; ok {
			return v
		}
		return missing
	}
	for _, f := range res.DataFrames {
		for _, typ := range f.Types() {
			for _, p := range f.Usage[typ] {
				row := []string{formatTime(f.Start), formatTime(f.End), typ, p.UnitOrDefault(), formatNumber(p.Qty), formatNumber(p.Price)}
				if hasDesc {
					row = append(row, p.Description)
				}
				for _, k := range groupKeys {
					row = append(row, label(p.Groupby, k))
				}
				for _, k := range metaKeys {
					row = append(row, label(p.Metadata, k))
				}
				t.add(row...)
			}
		}
	}
	return t.write(w, format)
}

// labelKeys returns the sorted groupby and metadata keys of all points, and whether any point
// has a description.
func labelKeys(frames []dataframe.DataFrame) (groupby, metadata []string, desc bool) {
	g, m := map[string]bool{}, map[string]bool{}
	for _, f := range frames {
		for _, pts := range f.Usage {
			for _, p := range pts {
				for k := range p.Groupby {
					g[k] = true
				}
				for k := range p.Metadata {
					m[k] = true
				}
				desc = desc || p.Description != ""
			}
		}
	}
	return sortedKeys(g), sortedKeys(m), desc
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
