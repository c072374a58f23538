package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ckos/ckos"
)

// Output formats of -o/--output.
const (
	formatTable = "table"
	formatJSON  = "json"
	formatCSV   = "csv"
)

// app is one invocation of ckos: its streams, environment and global flags.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	// isTerminal reports whether w is an interactive terminal (progress bars are drawn only then).
	isTerminal func(w io.Writer) bool
	// defaultConfigFile is read when neither --config nor CKOS_CONFIG is given and it exists.
	defaultConfigFile string

	// Global flags.
	url        string
	index      string
	configFile string
	output     string
	quiet      bool
	verbose    bool

	// secrets are values (passwords) the error printer removes from messages.
	secrets []string
}

// newApp returns an app on the given streams and environment.
func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	return &app{
		stdin:             stdin,
		stdout:            stdout,
		stderr:            stderr,
		getenv:            getenv,
		isTerminal:        isTerminal,
		defaultConfigFile: "/etc/cloudkitty/cloudkitty.conf",
	}
}

// isTerminal reports whether w is a character device (a terminal), using only the standard library.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// execute runs the command line args and returns the exit code; every error is printed here, once.
func (a *app) execute(ctx context.Context, args []string) int {
	root := a.rootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	printError(a.stderr, err, code, a.secrets)
	return code
}

const rootLong = `ckos stores OpenStack CloudKitty rating data in OpenSearch (or Elasticsearch) and
queries it the way CloudKitty's v2 storage does: push rated dataframes, retrieve points,
sum them with groupbys, delete exactly what a filter selects, and keep indices, retention
and Dashboards objects in place.

Configuration, in rising precedence: cloudkitty.conf (--config, CKOS_CONFIG, else
/etc/cloudkitty/cloudkitty.conf when present), CKOS_* environment variables, flags.
` + "`ckos config show`" + ` prints the effective values and where each came from.

Times (--begin, --end) are RFC 3339 (2026-11-01T00:00:00Z), ISO basic (20261101T000000Z),
with a space for T, or a date alone (2026-11-01); no offset means UTC.

` + exitCodesHelp

// rootCmd builds the command tree.
func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "ckos",
		Short:         "Store and query CloudKitty rating data in OpenSearch",
		Long:          rootLong,
		Version:       ckos.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		// A bare `ckos` prints help; an unknown word is a usage error (see noArgs).
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			switch a.output {
			case formatTable, formatJSON, formatCSV:
				return nil
			}
			return usageErrorf("--output %q: want table, json or csv", a.output)
		},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate("ckos {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: err}
	})

	pf := root.PersistentFlags()
	pf.StringVar(&a.url, "url", "", "cluster URL, e.g. https://user@host:9200 (env CKOS_URL; default "+defaultURLHelp+")")
	pf.StringVar(&a.index, "index", "", "index prefix and read alias (env CKOS_INDEX; default cloudkitty)")
	pf.StringVar(&a.configFile, "config", "", "cloudkitty.conf to read (env CKOS_CONFIG; default /etc/cloudkitty/cloudkitty.conf when present)")
	pf.StringVarP(&a.output, "output", "o", formatTable, "output format: table, json or csv")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "no progress bars or notes on stderr")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log each request (method, path, status, duration) to stderr")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{formatTable, formatJSON, formatCSV}, cobra.ShellCompDirectiveNoFileComp))
	_ = root.MarkPersistentFlagFilename("config", "conf")

	root.AddCommand(
		a.initCmd(),
		a.pushCmd(),
		a.retrieveCmd(),
		a.totalCmd(),
		a.deleteCmd(),
		a.configCmd(),
		a.templatesCmd(),
		a.retentionCmd(),
		a.dashboardsCmd(),
		a.completionCmd(root),
		a.demoDataCmd(),
	)
	tagRunErrors(root)
	return root
}

const defaultURLHelp = "http://localhost:9200"

// noArgs rejects positional arguments as a usage error naming them.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.HasSubCommands() {
			return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}

// parentRunE makes a command that only groups subcommands fail with a usage error naming them.
func parentRunE(cmd *cobra.Command, _ []string) error {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return usageErrorf("%s needs a subcommand: %s", cmd.CommandPath(), strings.Join(names, ", "))
}

// tagRunErrors wraps every RunE in the tree so that exitCode can tell a command's own errors
// from cobra's parsing errors (which are usage errors).
func tagRunErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			if err == nil {
				return nil
			}
			var ee *exitError
			if errors.As(err, &ee) {
				return err
			}
			return &runError{err: err}
		}
	}
	for _, sub := range c.Commands() {
		tagRunErrors(sub)
	}
}

// note prints an informational line on stderr unless --quiet.
func (a *app) note(format string, args ...any) {
	if a.quiet {
		return
	}
	fmt.Fprintf(a.stderr, format+"\n", args...)
}

// logRequest prints one request line for --verbose.
func (a *app) logRequest(method, path string, status int, took time.Duration) {
	st := "-"
	if status > 0 {
		st = fmt.Sprint(status)
	}
	fmt.Fprintf(a.stderr, "ckos: %s %s %s %s\n", method, path, st, took.Round(time.Millisecond))
}
