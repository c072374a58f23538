package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

// metricTypes are CloudKitty's usual metric types, offered by shell completion of --type.
var metricTypes = []string{"instance", "image.size", "volume.size", "network.outgoing.bytes",
	"network.incoming.bytes", "ip.floating", "radosgw.objects.size"}

// windowFlags are the selection flags common to retrieve, total and delete.
type windowFlags struct {
	begin, end string
	types      []string
	filters    []string
}

func (w *windowFlags) register(cmd *cobra.Command, rangeHelp string) {
	f := cmd.Flags()
	f.StringVar(&w.begin, "begin", "", "start of the range, inclusive "+rangeHelp)
	f.StringVar(&w.end, "end", "", "end of the range, exclusive "+rangeHelp)
	f.StringSliceVar(&w.types, "type", nil, "metric type to select; repeat or separate with commas")
	f.StringArrayVar(&w.filters, "filter", nil, "label filter key=value on groupby or metadata; repeating a key ORs its values")
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(metricTypes, cobra.ShellCompDirectiveNoFileComp))
}

// window parses the flags. A bad time is an input error naming the flag and the accepted
// formats; a malformed --filter is a usage error.
func (w *windowFlags) window() (storage.Window, error) {
	var out storage.Window
	var err error
	if out.Begin, err = parseTimeFlag("begin", w.begin); err != nil {
		return out, err
	}
	if out.End, err = parseTimeFlag("end", w.end); err != nil {
		return out, err
	}
	if !out.Begin.IsZero() && !out.End.IsZero() && !out.Begin.Before(out.End) {
		return out, inputError(fmt.Errorf("--begin %s is not before --end %s", formatTime(out.Begin), formatTime(out.End)))
	}
	for _, t := range w.types {
		if t = strings.TrimSpace(t); t == "" {
			return out, usageErrorf("--type: empty metric type")
		}
		out.MetricTypes = append(out.MetricTypes, strings.TrimSpace(t))
	}
	if out.Filters, err = parseFilters(w.filters); err != nil {
		return out, err
	}
	return out, nil
}

// parseTimeFlag parses the value of --name; empty means unset (the zero time).
func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := dataframe.ParseTime(v)
	if err != nil {
		return time.Time{}, inputError(fmt.Errorf("--%s: %w", name, err))
	}
	return t, nil
}

// parseFilters turns repeated key=value flags into Filters; values of one key are ORed.
func parseFilters(kvs []string) (storage.Filters, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	f := storage.Filters{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErrorf("--filter %q: want key=value, e.g. --filter project_id=f266f30b11f246b589fd266f85eeec39", kv)
		}
		if !slices.Contains(f[k], v) {
			f[k] = append(f[k], v)
		}
	}
	return f, nil
}

// pageFlags are --offset, --limit and --all.
type pageFlags struct {
	offset, limit int
	all           bool
}

func (p *pageFlags) register(cmd *cobra.Command, what string) {
	f := cmd.Flags()
	f.IntVar(&p.offset, "offset", 0, what+" to skip")
	f.IntVar(&p.limit, "limit", storage.DefaultLimit, what+" to return (at least 1)")
	f.BoolVar(&p.all, "all", false, "return every "+strings.TrimSuffix(what, "s")+" (no paging)")
	cmd.MarkFlagsMutuallyExclusive("all", "limit")
	cmd.MarkFlagsMutuallyExclusive("all", "offset")
}

// check validates the page before any request: --limit below 1 or a negative --offset is bad input.
func (p *pageFlags) check() error {
	if p.all {
		return nil
	}
	if p.limit < 1 {
		return inputError(fmt.Errorf("--limit %d: must be at least 1", p.limit))
	}
	if p.offset < 0 {
		return inputError(fmt.Errorf("--offset %d: must not be negative", p.offset))
	}
	return nil
}

// sortRows orders rows by column col (a field: numerically; a group: by value, missing first),
// descending when desc; ties keep the library's order.
func sortRows(rows []storage.Row, col string, desc bool) {
	slices.SortStableFunc(rows, func(a, b storage.Row) int {
		c := compareColumn(a, b, col)
		if desc {
			return -c
		}
		return c
	})
}

func compareColumn(a, b storage.Row, col string) int {
	switch col {
	case "begin":
		return a.Begin.Compare(b.Begin)
	case "end":
		return a.End.Compare(b.End)
	}
	if x, ok := a.Field(col); ok {
		y, _ := b.Field(col)
		return cmp.Compare(x, y)
	}
	x, _ := a.Group(col)
	y, _ := b.Group(col)
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return -1
	case y == nil:
		return 1
	}
	return strings.Compare(*x, *y)
}
