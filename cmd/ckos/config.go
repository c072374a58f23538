package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/ckos/ckos/storage"
)

// configSource is the configuration file ckos read and why.
type configSource struct {
	Path   string `json:"path"`   // "" when none was read
	Source string `json:"source"` // flag --config, env CKOS_CONFIG, default, or none
}

// layered builds the configuration in rising precedence: cloudkitty.conf (--config, else
// CKOS_CONFIG, else the default file when it exists), CKOS_* environment, flags. It returns
// the file read and the warnings of reading it.
func (a *app) layered() (*storage.Layered, configSource, []string, error) {
	l := storage.NewLayered()
	src := configSource{Path: a.configFile, Source: "flag --config"}
	if src.Path == "" {
		src = configSource{Path: a.getenv("CKOS_CONFIG"), Source: "env CKOS_CONFIG"}
	}
	if src.Path == "" {
		src = configSource{Source: "none"}
		if _, err := os.Stat(a.defaultConfigFile); err == nil {
			src = configSource{Path: a.defaultConfigFile, Source: "default"}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, src, nil, inputError(fmt.Errorf("configuration file %s: %w", a.defaultConfigFile, err))
		}
	}
	var warnings []string
	if src.Path != "" {
		w, err := l.LoadFile(src.Path)
		warnings = w
		if err != nil {
			return nil, src, warnings, inputError(fmt.Errorf("configuration file (%s): %w", src.Source, err))
		}
	}
	if err := l.ApplyEnv(a.getenv); err != nil {
		return nil, src, warnings, inputError(err)
	}
	if a.url != "" {
		if err := l.Set("host", a.url, "flag --url"); err != nil {
			return nil, src, warnings, inputError(err)
		}
	}
	if a.index != "" {
		if err := l.Set("index_name", a.index, "flag --index"); err != nil {
			return nil, src, warnings, inputError(err)
		}
	}
	return l, src, warnings, nil
}

// config returns the effective configuration; warnings about the file go to stderr, and the
// password is remembered so that no error message can show it.
func (a *app) config() (storage.Config, error) {
	l, _, warnings, err := a.layered()
	if err != nil {
		return storage.Config{}, err
	}
	for _, w := range warnings {
		a.note("ckos: warning: %s", w)
	}
	cfg, err := l.Config()
	if err != nil {
		return storage.Config{}, inputError(err)
	}
	a.secrets = append(a.secrets, cfg.Password)
	return cfg, nil
}

// shownSetting is one line of `ckos config show`.
type shownSetting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// shownConfig is what `ckos config show -o json` prints.
type shownConfig struct {
	ConfigFile configSource   `json:"config_file"`
	Settings   []shownSetting `json:"settings"`
	Warnings   []string       `json:"warnings"`
}

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Inspect the effective configuration",
		Args:  noArgs,
		RunE:  parentRunE,
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "Print every setting, its effective value and where it came from (secrets masked)",
		Long: `Print every setting with its effective value and its source: default, the cloudkitty.conf
file and section, a CKOS_* environment variable, or a flag. Precedence, rising: file,
environment, flags. The password (and any password in a URL) is masked. Needs no cluster.

Keys, their environment variables and cloudkitty.conf places:
  backend            CKOS_BACKEND            [storage] backend
  retention_period   CKOS_RETENTION_PERIOD   [storage] retention_period (hours)
  host               CKOS_URL  (--url)       [storage_opensearch] host (comma-separated URLs)
  index_name         CKOS_INDEX (--index)    [storage_opensearch] index_name
  insecure, cafile, use_datastream, index_granularity, username, password, time_match,
  timezone, shards, replicas, timeout, refresh: CKOS_<KEY in upper case>, same section`,
		Example: `  ckos config show`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, src, warnings, err := a.layered()
			if err != nil {
				return err
			}
			if _, err := l.Config(); err != nil {
				return inputError(err)
			}
			out := shownConfig{ConfigFile: src, Warnings: warnings}
			if out.Warnings == nil {
				out.Warnings = []string{}
			}
			for _, s := range l.Settings() {
				out.Settings = append(out.Settings, shownSetting{Key: s.Key, Value: s.Value, Source: s.Source})
			}
			return writeShownConfig(a, out)
		},
	}
	cmd.AddCommand(show)
	return cmd
}

// writeShownConfig prints `config show`: JSON, or one row per key (table, csv) with the
// configuration file first and the warnings after.
func writeShownConfig(a *app, c shownConfig) error {
	if a.output == formatJSON {
		return writeJSON(a.stdout, c)
	}
	t := &table{header: []string{"key", "value", "source"}}
	file := c.ConfigFile.Path
	if file == "" {
		file = missingValue
		if a.output == formatCSV {
			file = ""
		}
	}
	t.add("config_file", file, c.ConfigFile.Source)
	for _, s := range c.Settings {
		v := s.Value
		if v == "" && a.output == formatTable {
			v = missingValue
		}
		t.add(s.Key, v, s.Source)
	}
	if err := t.write(a.stdout, a.output); err != nil {
		return err
	}
	for _, w := range c.Warnings {
		a.note("ckos: warning: %s", w)
	}
	return nil
}
