package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ckos/ckos/storage"
)

const defaultRangeHelp = "(default: the current month)"

func (a *app) retrieveCmd() *cobra.Command {
	var (
		w windowFlags
		p pageFlags
	)
	cmd := &cobra.Command{
		Use:   "retrieve",
		Short: "Print the rated points of a range, paginated",
		Long: `Print the rated points matching the range, metric types and filters, in a total order
(start, end, type, id). -o json prints {"total": N, "dataframes": [...]} with the frames in
CloudKitty's v2 form; table and csv print one row per point.`,
		Example: `  ckos retrieve --begin 2026-11-01 --end 2026-11-02 --type instance --limit 5`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			win, err := w.window()
			if err != nil {
				return err
			}
			if err := p.check(); err != nil {
				return err
			}
			st, _, err := a.openStore(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer st.Close()
			var bar *progress
			if p.all {
				bar = a.newPointProgress("retrieving all points")
			}
			ctx := storage.WithProgress(cmd.Context(), bar.report)
			res, err := st.Retrieve(ctx, storage.RetrieveQuery{Window: win, Offset: p.offset, Limit: p.limit, All: p.all})
			bar.finish(err == nil)
			if err != nil {
				return err
			}
			if err := writeRetrieve(a.stdout, a.output, res); err != nil {
				return err
			}
			if a.output == formatTable {
				n := 0
				for _, f := range res.DataFrames {
					n += f.Len()
				}
				if int64(n) < res.Total {
					a.note("%d of %d points (points %d to %d); use --offset/--limit or --all for more", n, res.Total, p.offset+1, p.offset+n)
				}
			}
			return nil
		},
	}
	w.register(cmd, defaultRangeHelp)
	p.register(cmd, "points")
	return cmd
}

func (a *app) totalCmd() *cobra.Command {
	var (
		w            windowFlags
		p            pageFlags
		groupby      []string
		customFields string
		sortBy       string
		desc         bool
	)
	cmd := &cobra.Command{
		Use:   "total",
		Short: "Sum quantities and prices of a range, grouped as asked",
		Long: `Sum qty and price (rate) over the points matching the range, metric types and filters.

--groupby takes CloudKitty's groupby elements: type, any groupby label (project_id, user_id,
id, …), time (one row per frame), time-d/time-w/time-m/time-y (the stored day_of_the_year,
week_of_the_year, month, year labels) and calendar-day/-week/-month/-year (real calendar
buckets). Rows come sorted by their group values; a point lacking a grouped label falls in a
group whose value is null.

--custom-fields replaces the default "SUM(qty) AS qty, SUM(price) AS rate" with
FUNC(field) AS alias items, FUNC one of sum, min, max, avg, count and field qty or price.

--sort COLUMN (with --desc) orders the rows by any output column instead: ckos then reads
every group, sorts them, and applies --offset/--limit to the sorted rows, so
"--sort rate --desc --limit 10" is the exact top 10.`,
		Example: `  ckos total --begin 2026-11-01 --end 2026-12-01 --groupby type
  ckos total --groupby project_id --sort rate --desc --limit 10`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			win, err := w.window()
			if err != nil {
				return err
			}
			if err := p.check(); err != nil {
				return err
			}
			// Check groupby and custom fields before any request, and learn the columns.
			groups, err := storage.ParseGroupby(groupby)
			if err != nil {
				return fmt.Errorf("--groupby: %w", err)
			}
			fields, err := storage.ParseCustomFields(customFields)
			if err != nil {
				return fmt.Errorf("--custom-fields: %w", err)
			}
			cols := totalColumns(fields, groups)
			if cmd.Flags().Changed("desc") && sortBy == "" {
				return usageErrorf("--desc needs --sort COLUMN")
			}
			if sortBy != "" && !slices.Contains(cols, sortBy) {
				return inputError(fmt.Errorf("--sort %q: not an output column (columns: %s)", sortBy, strings.Join(cols, ", ")))
			}
			st, _, err := a.openStore(cmd.Context(), nil)
			if err != nil {
				return err
			}
			defer st.Close()
			q := storage.TotalQuery{Window: win, Groupby: groupby, CustomFields: customFields, Offset: p.offset, Limit: p.limit, All: p.all}
			if sortBy != "" {
				q.Offset, q.Limit, q.All = 0, 0, true
			}
			res, err := st.Total(cmd.Context(), q)
			if err != nil {
				return err
			}
			if sortBy != "" {
				sortRows(res.Rows, sortBy, desc)
				if !p.all {
					lo := min(p.offset, len(res.Rows))
					hi := min(lo+p.limit, len(res.Rows))
					res.Rows = res.Rows[lo:hi]
				}
			}
			if err := writeTotal(a.stdout, a.output, cols, res); err != nil {
				return err
			}
			if a.output == formatTable && int64(len(res.Rows)) < res.Total {
				a.note("%d of %d rows; use --offset/--limit or --all for more", len(res.Rows), res.Total)
			}
			return nil
		},
	}
	w.register(cmd, defaultRangeHelp)
	p.register(cmd, "rows")
	f := cmd.Flags()
	f.StringSliceVar(&groupby, "groupby", nil, "group by these elements, comma separated (type, project_id, time, calendar-month, …)")
	f.StringVar(&customFields, "custom-fields", "", `aggregates, e.g. "SUM(qty) AS qty, MAX(price) AS peak" (default "SUM(qty) AS qty, SUM(price) AS rate")`)
	f.StringVar(&sortBy, "sort", "", "order rows by this output column (e.g. rate) instead of by group")
	f.BoolVar(&desc, "desc", false, "with --sort: descending order")
	_ = cmd.RegisterFlagCompletionFunc("groupby", cobra.FixedCompletions(
		[]string{"type", "project_id", "user_id", "id", "time", "time-d", "time-w", "time-m", "time-y",
			"calendar-day", "calendar-week", "calendar-month", "calendar-year"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions([]string{"rate", "qty", "begin", "end"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (a *app) deleteCmd() *cobra.Command {
	var (
		w       windowFlags
		refresh bool
		all     bool
	)
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete exactly the points a range, metric types and filters select",
		Long: `Delete the points retrieve would select with the same flags; every filter applies.
Either bound may be left out (open range). Date indices lying wholly inside the range are
dropped when no filter or type is given. At least one of --begin, --end, --type or --filter
is required; --all deletes every point under the index prefix.`,
		Example: `  ckos delete --begin 2026-11-01 --end 2026-11-02 --filter project_id=f266f30b11f246b589fd266f85eeec39`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			win, err := w.window()
			if err != nil {
				return err
			}
			selects := !win.Begin.IsZero() || !win.End.IsZero() || len(win.MetricTypes) > 0 || len(win.Filters) > 0
			if !selects && !all {
				return usageErrorf("delete needs --begin, --end, --type or --filter (or --all to delete every point)")
			}
			if selects && all {
				return usageErrorf("--all deletes every point; it cannot be combined with --begin, --end, --type or --filter")
			}
			st, _, err := a.openStore(cmd.Context(), func(c *storage.Config) { c.Refresh = refresh })
			if err != nil {
				return err
			}
			defer st.Close()
			bar := a.newPointProgress("deleting")
			n, err := st.Delete(storage.WithProgress(cmd.Context(), bar.report), storage.DeleteQuery{Window: win})
			bar.finish(err == nil)
			if err != nil && n > 0 {
				return fmt.Errorf("%w (%d points were deleted before the failure)", err, n)
			}
			if err != nil {
				return err
			}
			return writeDeleted(a, n)
		},
	}
	w.register(cmd, "(default: open)")
	f := cmd.Flags()
	f.BoolVar(&refresh, "refresh", false, "make the deletion visible to searches before returning")
	f.BoolVar(&all, "all", false, "delete every point under the index prefix")
	return cmd
}

// writeDeleted prints the number of deleted points: {"deleted": N} in JSON.
func writeDeleted(a *app, n int64) error {
	switch a.output {
	case formatJSON:
		_, err := fmt.Fprintf(a.stdout, "{\"deleted\": %d}\n", n)
		return err
	case formatCSV:
		t := &table{header: []string{"deleted"}}
		t.add(fmt.Sprint(n))
		return t.writeCSV(a.stdout)
	}
	_, err := fmt.Fprintf(a.stdout, "deleted %d points\n", n)
	return err
}
