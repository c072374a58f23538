package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ckos/ckos/internal/cli/demodata"
)

func (a *app) demoDataCmd() *cobra.Command {
	var (
		days, projects, resources int
		start                     string
		seed                      uint64
	)
	cmd := &cobra.Command{
		Use:   "demo-data [--days N] [--projects N] [--resources N] [--start DATE] [--seed N]",
		Short: "Generate realistic rated data for a small cloud (NDJSON on stdout)",
		Long: `Generate hourly dataframes of CloudKitty's seven metric types (instance, image.size,
volume.size, network.outgoing.bytes, network.incoming.bytes, ip.floating,
radosgw.objects.size) for projects of skewed sizes and resources that come and go, with
flavors in the metadata and groupby id, project_id and user_id. The same flags and seed
always give the same bytes. The output is NDJSON, one frame per line, ready for ckos push.`,
		Example: `  ckos demo-data --days 30 --projects 30 --resources 300 --start 2026-11-01 --seed 42 > demo.ndjson`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var begin time.Time
			if start == "" {
				now := time.Now().UTC()
				begin = time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
			} else {
				t, err := parseTimeFlag("start", start)
				if err != nil {
					return err
				}
				begin = t
			}
			o := demodata.Options{Start: begin, Days: days, Projects: projects, Resources: resources, Seed: seed}
			if _, err := demodata.New(o); err != nil {
				return inputError(fmt.Errorf("demo-data: %w", err))
			}
			st, err := demodata.Write(a.stdout, o)
			if err != nil {
				return fmt.Errorf("demo-data: %w", err)
			}
			a.note("demo-data: %d points in %d hourly frames from %s (%d days, %d projects, %d resources, seed %d)",
				st.Points, st.Frames, formatTime(begin), days, projects, resources, seed)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&days, "days", 30, "days of hourly frames")
	f.IntVar(&projects, "projects", 30, "number of projects")
	f.IntVar(&resources, "resources", 300, "number of resources (an instance also yields its network traffic)")
	f.StringVar(&start, "start", "", "start of the first frame (default: the first day of the previous month, UTC)")
	f.Uint64Var(&seed, "seed", 1, "random seed; the same seed gives the same data")
	return cmd
}
