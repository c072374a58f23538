package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/spf13/cobra"

	"github.com/ckos/ckos/templates"
)

func (a *app) initCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Install the index template and the retention policy (idempotent)",
		Long: `Prepare the cluster for ckos: install the composable index template (mapping, settings,
read alias) and the ISM retention policy (ILM on Elasticsearch), without overwriting a policy
an operator edited. Running it again changes nothing when everything is up to date. It prints
the state of each object afterwards; without the ISM plugin the policy is "unavailable" and
retention is enforced by ` + "`ckos retention enforce`" + `.`,
		Example: `  ckos init`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, set, err := a.openCluster(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Init(cmd.Context()); err != nil {
				return err
			}
			rep, err := templates.Status(cmd.Context(), st.Client(), set)
			if err != nil {
				return err
			}
			// Status after Init: each object's state; what Init did is not reported.
			for i := range rep.Objects {
				rep.Objects[i].Action = ""
			}
			return writeReport(a, rep)
		},
	}
}

func (a *app) templatesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "templates",
		Short: "Install, inspect or remove the index template and retention policy",
		Args:  noArgs,
		RunE:  parentRunE,
	}
	var force bool
	install := &cobra.Command{
		Use:   "install [--force]",
		Short: "Install or upgrade the index template and retention policy",
		Long: `Install what is missing and upgrade what an older ckos installed. An object someone else
changed (state "modified") is left alone unless --force.`,
		Example: `  ckos templates install`,
		Args:    noArgs,
		RunE: a.withTemplates(func(ctx context.Context, c *opensearchapi.Client, set templates.Settings) (templates.Report, error) {
			return templates.Install(ctx, c, set, templates.InstallOptions{Force: force})
		}),
	}
	install.Flags().BoolVar(&force, "force", false, "also overwrite objects an operator modified")
	status := &cobra.Command{
		Use:     "status",
		Short:   "Report each object as installed, missing, outdated, modified or unavailable",
		Example: `  ckos templates status -o json`,
		Args:    noArgs,
		RunE: a.withTemplates(func(ctx context.Context, c *opensearchapi.Client, set templates.Settings) (templates.Report, error) {
			return templates.Status(ctx, c, set)
		}),
	}
	uninstall := &cobra.Command{
		Use:     "uninstall",
		Short:   "Remove the index template and retention policy (never an index)",
		Example: `  ckos templates uninstall`,
		Args:    noArgs,
		RunE: a.withTemplates(func(ctx context.Context, c *opensearchapi.Client, set templates.Settings) (templates.Report, error) {
			return templates.Uninstall(ctx, c, set)
		}),
	}
	cmd.AddCommand(install, status, uninstall)
	return cmd
}

// dashboardsNDJSON renders the Dashboards saved objects for the configured index prefix.
func (a *app) dashboardsNDJSON() ([]byte, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	set, err := templates.SettingsFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	return templates.DashboardsNDJSON(set)
}

// withTemplates opens the cluster, runs fn with its client and the configured template
// settings, and prints the report (also when fn failed part way, before the error).
func (a *app) withTemplates(fn func(context.Context, *opensearchapi.Client, templates.Settings) (templates.Report, error)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		st, set, err := a.openCluster(cmd.Context())
		if err != nil {
			return err
		}
		defer st.Close()
		rep, err := fn(cmd.Context(), st.Client(), set)
		if err != nil {
			if len(rep.Objects) > 0 {
				_ = writeReport(a, rep)
			}
			return err
		}
		return writeReport(a, rep)
	}
}

// writeReport prints an installer report: the Report as JSON, or one row per object.
func writeReport(a *app, rep templates.Report) error {
	if a.output == formatJSON {
		return writeJSON(a.stdout, rep)
	}
	header := []string{"object", "name", "state", "action", "version", "detail"}
	withAction := slices.ContainsFunc(rep.Objects, func(e templates.Entry) bool { return e.Action != "" })
	if !withAction {
		header = slices.Delete(header, 3, 4)
	}
	t := &table{header: header}
	for _, e := range rep.Objects {
		detail := e.Detail
		if e.Attached > 0 {
			if detail != "" {
				detail += "; "
			}
			detail += fmt.Sprintf("attached to %d existing indices", e.Attached)
		}
		row := []string{e.Object, e.Name, string(e.State), string(e.Action), e.InstalledVersion, detail}
		if !withAction {
			row = slices.Delete(row, 3, 4)
		}
		t.add(row...)
	}
	return t.write(a.stdout, a.output)
}

func (a *app) dashboardsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "dashboards",
		Short: "Export or install the OpenSearch Dashboards saved objects",
		Args:  noArgs,
		RunE:  parentRunE,
	}
	export := &cobra.Command{
		Use:   "export",
		Short: "Print the saved objects (index pattern, visualizations, dashboard) as NDJSON",
		Long: `Print the Dashboards saved objects for the configured index prefix as NDJSON, ready for
Dashboards Management → Saved objects → Import (or Kibana's equivalent). Needs no cluster.`,
		Example: `  ckos dashboards export > ckos-dashboards.ndjson`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			nd, err := a.dashboardsNDJSON()
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(nd)
			return err
		},
	}
	var (
		dashURL   string
		kibana    bool
		overwrite bool
	)
	install := &cobra.Command{
		Use:   "install --dashboards-url URL [--kibana]",
		Short: "Import the saved objects into OpenSearch Dashboards (or Kibana)",
		Long: `Import the saved objects with the saved-objects import API of OpenSearch Dashboards
(header osd-xsrf) or, with --kibana, of Kibana (kbn-xsrf). Credentials may be given in the
URL (https://user:password@dashboards:5601); they are never printed.`,
		Example: `  ckos dashboards install --dashboards-url http://localhost:5601`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dashURL == "" {
				dashURL = a.getenv("CKOS_DASHBOARDS_URL")
			}
			if dashURL == "" {
				return usageErrorf("dashboards install needs --dashboards-url URL (or CKOS_DASHBOARDS_URL)")
			}
			nd, err := a.dashboardsNDJSON()
			if err != nil {
				return err
			}
			hc := &http.Client{Timeout: 2 * time.Minute}
			res, err := templates.DashboardsInstall(cmd.Context(), hc, dashURL, nd, kibana, overwrite)
			if err != nil {
				return err
			}
			if a.output == formatJSON {
				return writeJSON(a.stdout, res)
			}
			_, err = fmt.Fprintf(a.stdout, "imported %d saved objects\n", res.SuccessCount)
			return err
		},
	}
	install.Flags().StringVar(&dashURL, "dashboards-url", "", "base URL of OpenSearch Dashboards or Kibana (env CKOS_DASHBOARDS_URL)")
	install.Flags().BoolVar(&kibana, "kibana", false, "the target is Kibana (kbn-xsrf header) instead of OpenSearch Dashboards")
	install.Flags().BoolVar(&overwrite, "overwrite", true, "replace saved objects with the same ids")
	cmd.AddCommand(export, install)
	return cmd
}
