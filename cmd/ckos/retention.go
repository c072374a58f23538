package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ckos/ckos/opensearch"
	"github.com/ckos/ckos/templates"
)

// retentionShown is what `ckos retention show -o json` prints.
type retentionShown struct {
	templates.RetentionInfo
	Expired []opensearch.RetainedIndex `json:"expired"` // what `ckos retention enforce` would delete now
	Kept    []opensearch.RetainedIndex `json:"kept"`    // date indices holding unexpired data
	Skipped []opensearch.SkippedIndex  `json:"skipped"` // <prefix>-* indices outside the naming scheme
}

func (a *app) retentionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "retention",
		Short: "Show or enforce the retention period ([storage] retention_period)",
		Long: `Rated data is kept for [storage] retention_period hours (default 2400, 100 days) and removed
by deleting whole date indices. Where the ISM plugin (OpenSearch) or ILM (Elasticsearch)
exists, ckos init installs a policy that deletes old indices by age. Because an index can be
created long after its date (backfill), ` + "`ckos retention enforce`" + ` deletes, by the date in
its name, every index whose data is all older than the retention period — run it on a
schedule (cron) where there is no ISM/ILM, or to honour the period exactly.`,
		Args: noArgs,
		RunE: parentRunE,
	}
	show := &cobra.Command{
		Use:     "show",
		Short:   "Print the retention period, the policy's state and the expired indices",
		Example: `  ckos retention show`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, set, err := a.openCluster(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			now := time.Now()
			info, err := templates.RetentionPolicyInfo(cmd.Context(), st.Client(), set, now)
			if err != nil {
				return err
			}
			rep, err := st.EnforceRetention(cmd.Context(), now, true)
			if err != nil {
				return err
			}
			out := retentionShown{RetentionInfo: info, Expired: rep.Deleted, Kept: rep.Kept, Skipped: rep.Skipped}
			return writeRetentionShown(a, out)
		},
	}
	var dryRun bool
	enforce := &cobra.Command{
		Use:   "enforce [--dry-run]",
		Short: "Delete every date index whose data is all older than the retention period",
		Long: `Delete every <prefix>-<date> index whose date range ends at or before now minus the
retention period, judged by the date in its name. Indices are deleted by explicit name;
an index matching <prefix>-* but not the naming scheme is never deleted (it is listed as
skipped). --dry-run lists what would be deleted and deletes nothing.`,
		Example: `  ckos retention enforce --dry-run`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := a.openCluster(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			rep, err := st.EnforceRetention(cmd.Context(), time.Now(), dryRun)
			if werr := writeRetentionReport(a, rep); werr != nil && err == nil {
				err = werr
			}
			return err
		},
	}
	enforce.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be deleted, delete nothing")
	cmd.AddCommand(show, enforce)
	return cmd
}

// writeRetentionShown prints `retention show`: JSON, or the facts as aligned key/value lines
// followed by the expired indices.
func writeRetentionShown(a *app, s retentionShown) error {
	if a.output == formatJSON {
		return writeJSON(a.stdout, s)
	}
	if a.output == formatCSV {
		t := &table{header: []string{"index", "start", "end", "expires", "expired"}}
		for _, r := range s.Expired {
			t.add(r.Index, formatTime(r.Start), formatTime(r.End), formatTime(r.Expires), "true")
		}
		for _, r := range s.Kept {
			t.add(r.Index, formatTime(r.Start), formatTime(r.End), formatTime(r.Expires), "false")
		}
		return t.writeCSV(a.stdout)
	}
	policy := fmt.Sprintf("%s: %s", s.Policy.Name, s.Policy.State)
	if s.Policy.Detail != "" {
		policy += " (" + s.Policy.Detail + ")"
	}
	kv := &table{header: []string{"setting", "value"}}
	kv.add("prefix", s.Prefix)
	kv.add("retention", fmt.Sprintf("%d hours (%s days)", s.RetentionHours, formatNumber(float64(s.RetentionHours)/24)))
	kv.add("granularity", string(s.Granularity))
	kv.add("cutoff", formatTime(s.Cutoff))
	kv.add("policy", policy)
	kv.add("policy deletes at index age", s.PolicyMinIndexAge)
	kv.add("date indices", fmt.Sprintf("%d kept, %d expired (deleted by `ckos retention enforce`), %d not date-based", len(s.Kept), len(s.Expired), len(s.Skipped)))
	if err := kv.writeAligned(a.stdout); err != nil {
		return err
	}
	if len(s.Expired) == 0 {
		return nil
	}
	fmt.Fprintln(a.stdout)
	t := &table{header: []string{"expired index", "start", "end", "expired at"}}
	for _, r := range s.Expired {
		t.add(r.Index, formatTime(r.Start), formatTime(r.End), formatTime(r.Expires))
	}
	return t.writeAligned(a.stdout)
}

// writeRetentionReport prints `retention enforce`: the report as JSON, or one row per deleted
// (or, in a dry run, expired) and skipped index, with a summary on stderr.
func writeRetentionReport(a *app, r opensearch.RetentionReport) error {
	if a.output == formatJSON {
		return writeJSON(a.stdout, r)
	}
	action := "deleted"
	if r.DryRun {
		action = "would delete"
	}
	t := &table{header: []string{"index", "action", "start", "end", "reason"}}
	for _, x := range r.Deleted {
		t.add(x.Index, action, formatTime(x.Start), formatTime(x.End), "data ended before the cutoff "+formatTime(r.Cutoff))
	}
	for _, x := range r.Skipped {
		t.add(x.Index, "skipped", "", "", x.Reason)
	}
	if a.output == formatCSV {
		return t.writeCSV(a.stdout)
	}
	if len(t.rows) > 0 {
		if err := t.writeAligned(a.stdout); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(a.stdout, "%s %d indices, kept %d, skipped %d (retention %s, cutoff %s)\n",
		action, len(r.Deleted), len(r.Kept), len(r.Skipped), r.Retention, formatTime(r.Cutoff))
	return err
}
