package storage

import "time"

// Defaults of Config.
const (
	DefaultURL            = "http://localhost:9200"
	DefaultIndex          = "cloudkitty"
	DefaultRetentionHours = 2400
	DefaultGranularity    = "day"
)

// Config is what a driver is opened with: cloudkitty.conf, CKOS_* environment and flags merged.
type Config struct {
	Backend          string         // driver name ([storage] backend)
	URLs             []string       // cluster addresses (host)
	Index            string         // index prefix and read alias (index_name)
	Username         string         // basic auth user
	Password         string         // basic auth password; never printed
	Insecure         bool           // skip TLS verification
	CAFile           string         // PEM bundle to verify the cluster's certificate
	UseDatastream    bool           // upstream option; ckos always uses date-based indices
	IndexGranularity string         // day, week or month
	TimeMatch        TimeMatch      // start (default) or inside
	Location         *time.Location // time zone of default ranges and calendar buckets; nil means UTC
	Shards           int            // primary shards per index; 0 means 1
	Replicas         int            // replicas per index
	RetentionHours   int            // [storage] retention_period; 0 means DefaultRetentionHours
	Refresh          bool           // make writes visible to search before Push/Delete return
	Timeout          time.Duration  // per-request timeout; 0 means none
}

// Retention returns the retention period.
func (c Config) Retention() time.Duration {
	h := c.RetentionHours
	if h <= 0 {
		h = DefaultRetentionHours
	}
	return time.Duration(h) * time.Hour
}

// Loc returns the configured time zone, UTC when unset.
func (c Config) Loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}
