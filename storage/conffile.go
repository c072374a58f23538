package storage

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gopkg.in/ini.v1"
)

// Configuration comes in layers: a cloudkitty.conf file, then CKOS_* environment variables, then
// explicit values (command-line flags). A Layered holds the values by key, each with the source
// that set it last; Config builds the validated Config, Settings lists what `ckos config show`
// prints. Keys are cloudkitty.conf's names (host, index_name, …).
//
//	l := storage.NewLayered()
//	warnings, err := l.LoadFile("/etc/cloudkitty/cloudkitty.conf")
//	err = l.ApplyEnv(os.Getenv)
//	err = l.Set("index_name", "rating", "flag --index")
//	cfg, err := l.Config()

// SourceDefault is the Source of a Setting nobody set.
const SourceDefault = "default"

// Masked replaces a secret in Settings and error messages.
const Masked = "****"

// Setting is one configuration value and where it came from.
type Setting struct {
	Key    string // cloudkitty.conf key: host, index_name, …
	Value  string // the value as given; Masked for a secret, credentials in a URL masked too
	Source string // SourceDefault, "file <path> [<section>]", "env CKOS_…", or what the caller passed to Set
	Secret bool   // the value is a credential and is never shown
}

// keyDef describes one configuration key.
type keyDef struct {
	name   string
	env    string               // CKOS_* variable, "" when none
	def    string               // default as shown by Settings
	secret bool                 // never shown
	check  func(v string) error // validates a non-empty value
}

// configKeys are the keys a Layered accepts, in display order.
var configKeys = []keyDef{
	{name: "backend", env: "CKOS_BACKEND", def: "opensearch", check: checkBackend},
	{name: "retention_period", env: "CKOS_RETENTION_PERIOD", def: strconv.Itoa(DefaultRetentionHours), check: checkPositive},
	{name: "host", env: "CKOS_URL", def: DefaultURL, check: func(v string) error { _, err := parseHosts(v); return err }},
	{name: "index_name", env: "CKOS_INDEX", def: DefaultIndex, check: checkIndexName},
	{name: "insecure", env: "CKOS_INSECURE", def: "false", check: checkBool},
	{name: "cafile", env: "CKOS_CAFILE"},
	{name: "use_datastream", env: "CKOS_USE_DATASTREAM", def: "false", check: checkBool},
	{name: "index_granularity", env: "CKOS_INDEX_GRANULARITY", def: DefaultGranularity, check: checkGranularity},
	{name: "username", env: "CKOS_USERNAME"},
	{name: "password", env: "CKOS_PASSWORD", secret: true},
	{name: "time_match", env: "CKOS_TIME_MATCH", def: string(TimeMatchStart), check: func(v string) error { _, err := ParseTimeMatch(v); return err }},
	{name: "timezone", env: "CKOS_TIMEZONE", def: "UTC", check: func(v string) error { _, err := loadLocation(v); return err }},
	{name: "shards", env: "CKOS_SHARDS", def: "1", check: checkPositive},
	{name: "replicas", env: "CKOS_REPLICAS", def: "0", check: checkNonNegative},
	{name: "timeout", env: "CKOS_TIMEOUT", def: "0", check: func(v string) error { _, err := parseTimeout(v); return err }},
	{name: "refresh", env: "CKOS_REFRESH", def: "false", check: checkBool},
}

// lookupKey returns the definition of key.
func lookupKey(key string) (keyDef, bool) {
	for _, k := range configKeys {
		if k.name == key {
			return k, true
		}
	}
	return keyDef{}, false
}

// ConfigKeys returns the keys a Layered accepts, in display order.
func ConfigKeys() []string {
	keys := make([]string, len(configKeys))
	for i, k := range configKeys {
		keys[i] = k.name
	}
	return keys
}

// EnvName returns the CKOS_* environment variable of key, or "" when it has none.
func EnvName(key string) string {
	k, _ := lookupKey(key)
	return k.env
}

// SettingError is a bad configuration value; errors.Is(err, ErrInvalid) holds for it.
type SettingError struct {
	Source string // where the value came from
	Key    string // which key
	Value  string // the value; Masked for a secret
	Err    error  // what is wrong with it
}

// Error formats the error as "source: key = "value": cause".
func (e *SettingError) Error() string {
	return fmt.Sprintf("%s: %s = %q: %v", e.Source, e.Key, e.Value, e.Err)
}

// Unwrap returns ErrInvalid and the cause.
func (e *SettingError) Unwrap() []error { return []error{ErrInvalid, e.Err} }

// Layered collects configuration values from several sources; a later Set replaces an earlier one.
type Layered struct {
	values map[string]Setting // by key; Value unmasked
}

// NewLayered returns an empty Layered: every key has its default.
func NewLayered() *Layered {
	return &Layered{values: make(map[string]Setting)}
}

// Set sets key to value from source (for messages and Settings), replacing any earlier value.
// An empty value restores the key's default. An unknown key or a bad value is a *SettingError.
func (l *Layered) Set(key, value, source string) error {
	k, ok := lookupKey(key)
	if !ok {
		return &SettingError{Source: source, Key: key, Value: value,
			Err: fmt.Errorf("unknown key (want one of %s)", strings.Join(ConfigKeys(), ", "))}
	}
	value = strings.TrimSpace(value)
	if value != "" && k.check != nil {
		if err := k.check(value); err != nil {
			return &SettingError{Source: source, Key: key, Value: displayValue(k, value), Err: err}
		}
	}
	l.values[key] = Setting{Key: key, Value: value, Source: source, Secret: k.secret}
	return nil
}

// Get returns the setting of key as set (unmasked), and whether anyone set it.
func (l *Layered) Get(key string) (Setting, bool) {
	s, ok := l.values[key]
	return s, ok
}

// ApplyEnv sets every key whose CKOS_* variable is not empty, with source "env CKOS_…".
func (l *Layered) ApplyEnv(getenv func(string) string) error {
	for _, k := range configKeys {
		if k.env == "" {
			continue
		}
		if v := getenv(k.env); v != "" {
			if err := l.Set(k.name, v, "env "+k.env); err != nil {
				return err
			}
		}
	}
	return nil
}

// Settings returns every key in display order with its value and source (SourceDefault when
// unset); secrets are Masked and credentials in host URLs are masked.
func (l *Layered) Settings() []Setting {
	out := make([]Setting, 0, len(configKeys))
	for _, k := range configKeys {
		s, ok := l.values[k.name]
		if !ok || s.Value == "" {
			src := SourceDefault
			if ok {
				src = s.Source
			}
			s = Setting{Key: k.name, Value: k.def, Source: src, Secret: k.secret}
		}
		s.Value = displayValue(k, s.Value)
		out = append(out, s)
	}
	return out
}

// displayValue masks a secret, and the password of URLs in host.
func displayValue(k keyDef, v string) string {
	switch {
	case v == "":
		return ""
	case k.secret:
		return Masked
	case k.name == "host":
		parts := strings.Split(v, ",")
		for i, p := range parts {
			parts[i] = RedactURL(p)
		}
		return strings.Join(parts, ",")
	}
	return v
}

// RedactURL masks the password of a URL's userinfo, even in a URL that does not parse.
func RedactURL(s string) string {
	scheme := strings.Index(s, "://")
	if scheme < 0 {
		return s
	}
	rest := s[scheme+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return s
	}
	if colon := strings.Index(rest[:at], ":"); colon >= 0 {
		return s[:scheme+3] + rest[:colon+1] + Masked + rest[at:]
	}
	return s
}

// Config builds the Config: every unset key has its default; credentials in host URLs move to
// Username and Password (unless those are set) so that URLs never carry them.
func (l *Layered) Config() (Config, error) {
	get := func(key string) (string, Setting) {
		s, ok := l.values[key]
		if !ok || s.Value == "" {
			k, _ := lookupKey(key)
			return k.def, Setting{Key: key, Value: k.def, Source: SourceDefault}
		}
		return s.Value, s
	}
	bad := func(s Setting, err error) error {
		k, _ := lookupKey(s.Key)
		return &SettingError{Source: s.Source, Key: s.Key, Value: displayValue(k, s.Value), Err: err}
	}
	var cfg Config
	var firstErr error
	// parse runs fn on key's value; the first failure is the error Config returns.
	parse := func(key string, fn func(v string) error) {
		if firstErr != nil {
			return
		}
		v, s := get(key)
		if err := fn(v); err != nil {
			firstErr = bad(s, err)
		}
	}
	str := func(dst *string, check func(string) error) func(string) error {
		return func(v string) error {
			*dst = v
			if check == nil {
				return nil
			}
			return check(v)
		}
	}
	boolean := func(dst *bool) func(string) error {
		return func(v string) (err error) { *dst, err = parseBool(v); return err }
	}
	integer := func(dst *int, min int) func(string) error {
		return func(v string) (err error) { *dst, err = parseInt(v, min); return err }
	}
	var hosts []*url.URL
	parse("backend", str(&cfg.Backend, checkBackend))
	parse("retention_period", integer(&cfg.RetentionHours, 1))
	parse("host", func(v string) (err error) { hosts, err = parseHosts(v); return err })
	parse("index_name", str(&cfg.Index, checkIndexName))
	parse("insecure", boolean(&cfg.Insecure))
	parse("cafile", str(&cfg.CAFile, nil))
	parse("use_datastream", boolean(&cfg.UseDatastream))
	parse("index_granularity", str(&cfg.IndexGranularity, checkGranularity))
	parse("username", str(&cfg.Username, nil))
	parse("password", str(&cfg.Password, nil))
	parse("time_match", func(v string) (err error) { cfg.TimeMatch, err = ParseTimeMatch(v); return err })
	parse("timezone", func(v string) (err error) { cfg.Location, err = loadLocation(v); return err })
	parse("shards", integer(&cfg.Shards, 1))
	parse("replicas", integer(&cfg.Replicas, 0))
	parse("timeout", func(v string) (err error) { cfg.Timeout, err = parseTimeout(v); return err })
	parse("refresh", boolean(&cfg.Refresh))
	if firstErr != nil {
		return Config{}, firstErr
	}
	_, hostSetting := get("host")

	// Credentials in URLs (CloudKitty's only way to give them) become Username and Password.
	var urlUser *url.Userinfo
	for _, u := range hosts {
		if u.User == nil {
			continue
		}
		if urlUser != nil && urlUser.String() != u.User.String() {
			return Config{}, bad(hostSetting, errors.New("the URLs carry different credentials"))
		}
		urlUser = u.User
		u.User = nil
	}
	if urlUser != nil {
		if cfg.Username == "" {
			cfg.Username = urlUser.Username()
		}
		if pw, ok := urlUser.Password(); ok && cfg.Password == "" {
			cfg.Password = pw
		}
	}
	for _, u := range hosts {
		cfg.URLs = append(cfg.URLs, u.String())
	}
	return cfg, nil
}

// LoadConfigFile reads a cloudkitty.conf into a Config (defaults for everything it does not
// set); see Layered.LoadFile for what it reads. It returns warnings about what it ignored.
func LoadConfigFile(path string) (Config, []string, error) {
	l := NewLayered()
	warnings, err := l.LoadFile(path)
	if err != nil {
		return Config{}, warnings, err
	}
	cfg, err := l.Config()
	return cfg, warnings, err
}

// fileKeys maps the keys of [storage_opensearch] and [storage_elasticsearch] that ckos reads:
// CloudKitty's (host, index_name, insecure, cafile, use_datastream) and ckos's own.
var fileKeys = map[string]bool{
	"host": true, "index_name": true, "insecure": true, "cafile": true, "use_datastream": true,
	"index_granularity": true, "username": true, "password": true, "time_match": true,
	"timezone": true, "shards": true, "replicas": true, "timeout": true, "refresh": true,
}

// backendSections maps a CloudKitty backend to the section of its options.
var backendSections = map[string]string{
	"opensearch":    "storage_opensearch",
	"elasticsearch": "storage_elasticsearch",
}

// LoadFile reads a cloudkitty.conf (oslo.config INI: no inline comments) into l.
//
// It reads [storage] backend and retention_period, then the section of the backend:
// [storage_opensearch] for opensearch, [storage_elasticsearch] for elasticsearch, or, when backend
// is unset, whichever of the two exists (opensearch first; backend is then set to match). Values
// have source "file <path> [<section>]". scroll_duration is accepted and ignored, other unknown
// keys of that section are ignored; both give a warning. Other sections are not read.
func (l *Layered) LoadFile(path string) ([]string, error) {
	f, err := ini.LoadSources(ini.LoadOptions{IgnoreInlineComment: true}, path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, sanitizeINIError(err))
	}
	var warnings []string
	warn := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	source := func(section string) string { return "file " + path + " [" + section + "]" }

	backend := ""
	if sec, err := f.GetSection("storage"); err == nil {
		for _, key := range []string{"backend", "retention_period"} {
			if !sec.HasKey(key) {
				continue
			}
			v := sec.Key(key).String()
			if err := l.Set(key, v, source("storage")); err != nil {
				return warnings, err
			}
			if key == "backend" {
				backend = strings.TrimSpace(v)
			}
		}
	}

	section, known := backendSections[backend]
	switch {
	case backend == "":
		for _, b := range []string{"opensearch", "elasticsearch"} {
			if _, err := f.GetSection(backendSections[b]); err == nil {
				section = backendSections[b]
				if err := l.Set("backend", b, source(section)); err != nil {
					return warnings, err
				}
				break
			}
		}
	case !known:
		warn("%s [storage] backend %s: not an OpenSearch or Elasticsearch backend; no [storage_%s] options read", path, backend, backend)
	}
	if section == "" {
		return warnings, nil
	}
	sec, err := f.GetSection(section)
	if err != nil {
		warn("%s: no [%s] section, defaults used", path, section)
		return warnings, nil
	}
	for _, k := range sec.Keys() {
		name := k.Name()
		switch {
		case name == "scroll_duration":
			warn("%s [%s] scroll_duration: accepted, ignored (ckos pages with point in time and search_after)", path, section)
		case !fileKeys[name]:
			warn("%s [%s] %s: unknown key, ignored", path, section, name)
		default:
			if err := l.Set(name, k.String(), source(section)); err != nil {
				return warnings, err
			}
		}
	}
	return warnings, nil
}

// sanitizeINIError keeps a malformed line's content out of the message past its first word:
// the line may hold a password.
func sanitizeINIError(err error) error {
	var de ini.ErrDelimiterNotFound
	if errors.As(err, &de) {
		first, _, _ := strings.Cut(strings.TrimSpace(de.Line), " ")
		if len(first) > 32 {
			first = first[:32]
		}
		return fmt.Errorf("a line starting %q is not \"key = value\" (rest not shown)", first)
	}
	return err
}

func checkBackend(v string) error {
	if strings.ContainsAny(v, " \t") {
		return errors.New("a backend name has no spaces")
	}
	return nil
}

func checkPositive(v string) error { _, err := parseInt(v, 1); return err }

func checkNonNegative(v string) error { _, err := parseInt(v, 0); return err }

func checkBool(v string) error { _, err := parseBool(v); return err }

// parseInt parses a decimal integer of at least min.
func parseInt(v string, min int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errors.New("not an integer")
	}
	if n < min {
		return 0, fmt.Errorf("must be at least %d", min)
	}
	return n, nil
}

// parseBool accepts oslo.config's booleans: true/false, yes/no, on/off, 1/0, any case.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, errors.New("not a boolean (true/false, yes/no, on/off, 1/0)")
}

func checkGranularity(v string) error {
	switch v {
	case "day", "week", "month":
		return nil
	}
	return errors.New("not one of day, week, month")
}

// checkIndexName applies OpenSearch's index name rules to the prefix (dates are appended to it).
func checkIndexName(v string) error {
	switch {
	case v == "":
		return errors.New("empty index name")
	case v != strings.ToLower(v):
		return errors.New("index names are lower case")
	case strings.ContainsAny(v, "\\/*?\"<>| ,#:"):
		return errors.New(`index names cannot contain \ / * ? " < > | space , # :`)
	case strings.IndexAny(v[:1], "-_+.") == 0:
		return errors.New("index names cannot start with - _ + or .")
	case len(v) > 200:
		return errors.New("longer than 200 bytes (the date suffix needs room within 255)")
	}
	return nil
}

// parseHosts parses a comma-separated list of http(s) URLs.
func parseHosts(v string) ([]*url.URL, error) {
	var out []*url.URL
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, errors.New("empty URL in the list")
		}
		u, err := url.Parse(part)
		if err != nil {
			// url.Parse's message repeats the URL, which may hold a password.
			return nil, fmt.Errorf("%s is not a URL", RedactURL(part))
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, fmt.Errorf("%s: want an http:// or https:// URL", RedactURL(part))
		}
		if u.Host == "" {
			return nil, fmt.Errorf("%s: no host", RedactURL(part))
		}
		out = append(out, u)
	}
	return out, nil
}

// loadLocation loads an IANA time zone; "" is UTC.
func loadLocation(v string) (*time.Location, error) {
	if v == "" || v == "UTC" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone: %w", err)
	}
	return loc, nil
}

// parseTimeout accepts seconds ("30", "1.5") or a Go duration ("30s", "2m"); 0 means none.
func parseTimeout(v string) (time.Duration, error) {
	var d time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs > float64(1<<62)/float64(time.Second) {
			return 0, errors.New("too long")
		}
		d = time.Duration(secs * float64(time.Second))
	} else if d, err = time.ParseDuration(v); err != nil {
		return 0, errors.New("not seconds (30) or a duration (30s, 2m)")
	}
	if d < 0 {
		return 0, errors.New("negative")
	}
	return d, nil
}
