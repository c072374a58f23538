// Package templates holds what ckos installs in a cluster — the composable index template, the
// ISM (OpenSearch) or ILM (Elasticsearch) retention policy, and the OpenSearch Dashboards saved
// objects — embedded as assets rendered with Settings, and the installer that puts them in place
// idempotently without clobbering what an operator changed.
package templates

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ckos/ckos"
	"github.com/ckos/ckos/mapping"
	"github.com/ckos/ckos/storage"
)

// Distribution is the kind of cluster objects are rendered for.
type Distribution string

// The distributions ckos knows.
const (
	OpenSearch    Distribution = "opensearch"    // ISM retention policy
	Elasticsearch Distribution = "elasticsearch" // ILM retention policy
)

// Settings is what the assets are rendered with.
type Settings struct {
	Prefix         string              // index prefix: indices are <Prefix>-<date>, the read alias is <Prefix>
	Shards         int                 // primary shards per index (>= 1)
	Replicas       int                 // replicas per index (>= 0)
	RetentionHours int                 // retention period in hours (>= 1)
	Granularity    mapping.Granularity // span of one index: day, week or month
	Version        string              // ckos version stamped into every object, e.g. "0.1.0"

	// Distribution selects ISM (OpenSearch) or ILM (Elasticsearch); empty means Install and
	// Status detect it with GET /, and renderers use OpenSearch.
	Distribution Distribution
	// ILM links new indices to the ILM policy from the index template (Elasticsearch only);
	// Install sets it when the cluster has ILM, renderers take it as given.
	ILM bool
}

// SettingsFromConfig returns the Settings of a storage configuration, with defaults filled in
// and ckos.Version as the version.
func SettingsFromConfig(cfg storage.Config) (Settings, error) {
	g, err := mapping.ParseGranularity(cfg.IndexGranularity)
	if err != nil {
		return Settings{}, fmt.Errorf("%w: %w", storage.ErrInvalid, err)
	}
	s := Settings{
		Prefix:         cfg.Index,
		Shards:         cfg.Shards,
		Replicas:       cfg.Replicas,
		RetentionHours: cfg.RetentionHours,
		Granularity:    g,
		Version:        ckos.Version,
	}
	if s.Prefix == "" {
		s.Prefix = storage.DefaultIndex
	}
	if s.Shards <= 0 {
		s.Shards = 1
	}
	if s.RetentionHours <= 0 {
		s.RetentionHours = storage.DefaultRetentionHours
	}
	return s, s.Validate()
}

// Validate reports the first field of s that cannot be rendered, naming it.
func (s Settings) Validate() error {
	if err := mapping.ValidatePrefix(s.Prefix); err != nil {
		return fmt.Errorf("%w: %w", storage.ErrInvalid, err)
	}
	switch {
	case s.Shards < 1:
		return fmt.Errorf("%w: shards %d: must be at least 1", storage.ErrInvalid, s.Shards)
	case s.Replicas < 0:
		return fmt.Errorf("%w: replicas %d: must not be negative", storage.ErrInvalid, s.Replicas)
	case s.RetentionHours < 1:
		return fmt.Errorf("%w: retention period %d hours: must be at least 1", storage.ErrInvalid, s.RetentionHours)
	}
	if _, err := mapping.ParseGranularity(string(s.Granularity)); err != nil {
		return fmt.Errorf("%w: %w", storage.ErrInvalid, err)
	}
	if _, err := VersionNumber(s.Version); err != nil {
		return fmt.Errorf("%w: %w", storage.ErrInvalid, err)
	}
	switch s.Distribution {
	case "", OpenSearch, Elasticsearch:
	default:
		return fmt.Errorf("%w: distribution %q is not one of opensearch, elasticsearch", storage.ErrInvalid, s.Distribution)
	}
	return nil
}

// TemplateName is the name of the composable index template: the prefix itself.
func (s Settings) TemplateName() string { return s.Prefix }

// PolicyName is the name of the ISM or ILM retention policy: <prefix>-retention.
func (s Settings) PolicyName() string { return s.Prefix + "-retention" }

// SpanHours is the longest time span of one index of the granularity: 24 (day), 168 (week),
// 744 (month, 31 days).
func (s Settings) SpanHours() int {
	switch s.Granularity {
	case mapping.Week:
		return 7 * 24
	case mapping.Month:
		return 31 * 24
	default:
		return 24
	}
}

// MinIndexAge is the age at which the retention policy deletes an index, in ISM/ILM syntax:
// the retention period plus the index's own span, so that an index is deleted only when its
// newest data is past retention ("2424h" for 2400 hours of retention and day indices).
func (s Settings) MinIndexAge() string {
	return strconv.Itoa(s.RetentionHours+s.SpanHours()) + "h"
}

// distribution returns s.Distribution, OpenSearch when empty.
func (s Settings) distribution() Distribution {
	if s.Distribution == "" {
		return OpenSearch
	}
	return s.Distribution
}

var errVersion = errors.New("not a version of the form MAJOR.MINOR.PATCH")

// VersionNumber turns a ckos version "MAJOR.MINOR.PATCH" (an optional leading "v" and a
// "-suffix" or "+suffix" are ignored) into the integer stored as an index template's version:
// MAJOR*1000000 + MINOR*1000 + PATCH, so "0.1.0" is 1000 and "1.2.3" is 1002003.
func VersionNumber(v string) (int, error) {
	s := strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return 0, fmt.Errorf("ckos version %q: %w", v, errVersion)
	}
	n := 0
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 || (i > 0 && x > 999) || (i == 0 && x > 2000) {
			return 0, fmt.Errorf("ckos version %q: %w", v, errVersion)
		}
		n = n*1000 + x
	}
	return n, nil
}
