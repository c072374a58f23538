package storage_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/storage"
)

func TestLoadConfigFileOpenSearch(t *testing.T) {
	path := filepath.Join("testdata", "cloudkitty-opensearch.conf")
	cfg, warnings, err := storage.LoadConfigFile(path)
	require.NoError(t, err)
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	assert.Equal(t, storage.Config{
		Backend:          "opensearch",
		URLs:             []string{"https://os1.example:9200", "https://os2.example:9200"},
		Index:            "rating",
		Username:         "cloudkitty",
		Password:         "s3cr#t;pa ss", // no inline comments in oslo.config
		Insecure:         true,
		CAFile:           "/etc/cloudkitty/ca.pem",
		UseDatastream:    false,
		IndexGranularity: "week",
		TimeMatch:        storage.TimeMatchInside,
		Location:         paris,
		Shards:           3,
		Replicas:         1,
		RetentionHours:   720,
		Timeout:          45 * time.Second,
	}, cfg)
	assert.Equal(t, []string{
		path + " [storage_opensearch] scroll_duration: accepted, ignored (ckos pages with point in time and search_after)",
		path + " [storage_opensearch] verify_certs: unknown key, ignored",
	}, warnings)
}

func TestLoadConfigFileElasticsearch(t *testing.T) {
	cfg, warnings, err := storage.LoadConfigFile(filepath.Join("testdata", "cloudkitty-elasticsearch.conf"))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, "elasticsearch", cfg.Backend)
	assert.Equal(t, []string{"http://elastic.example:9200"}, cfg.URLs, "[storage_opensearch] is not read")
	assert.Equal(t, "cloudkitty", cfg.Index)
	assert.True(t, cfg.UseDatastream)
	assert.Equal(t, 2*time.Minute, cfg.Timeout)
	// defaults for what the file does not set
	assert.Equal(t, storage.DefaultGranularity, cfg.IndexGranularity)
	assert.Equal(t, storage.TimeMatchStart, cfg.TimeMatch)
	assert.Equal(t, time.UTC, cfg.Location)
	assert.Equal(t, storage.DefaultRetentionHours, cfg.RetentionHours)
	assert.Equal(t, 1, cfg.Shards)
	assert.Equal(t, 0, cfg.Replicas)
}

func TestLoadConfigFileWithoutBackend(t *testing.T) {
	path := filepath.Join("testdata", "cloudkitty-nobackend.conf")
	l := storage.NewLayered()
	warnings, err := l.LoadFile(path)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	cfg, err := l.Config()
	require.NoError(t, err)
	assert.Equal(t, "elasticsearch", cfg.Backend, "the backend of the only section present")
	assert.Equal(t, []string{"http://elastic.example:9200"}, cfg.URLs)
	assert.Equal(t, "month", cfg.IndexGranularity)
	s, ok := l.Get("backend")
	require.True(t, ok)
	assert.Equal(t, "file "+path+" [storage_elasticsearch]", s.Source)

	// Both sections and no backend: opensearch first.
	dir := t.TempDir()
	both := writeConf(t, dir, "[storage_elasticsearch]\nhost = http://es:9200\n[storage_opensearch]\nhost = http://os:9200\n")
	cfg, _, err = storage.LoadConfigFile(both)
	require.NoError(t, err)
	assert.Equal(t, "opensearch", cfg.Backend)
	assert.Equal(t, []string{"http://os:9200"}, cfg.URLs)

	// Neither: all defaults.
	none := writeConf(t, dir, "[DEFAULT]\ndebug = true\n")
	cfg, warnings, err = storage.LoadConfigFile(none)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, []string{storage.DefaultURL}, cfg.URLs)
	assert.Equal(t, storage.DefaultIndex, cfg.Index)
	assert.Equal(t, "opensearch", cfg.Backend)
}

func TestLoadConfigFileOtherBackend(t *testing.T) {
	path := filepath.Join("testdata", "cloudkitty-influxdb.conf")
	cfg, warnings, err := storage.LoadConfigFile(path)
	require.NoError(t, err)
	assert.Equal(t, "influxdb", cfg.Backend, "kept as is; storage.Open rejects it")
	assert.Equal(t, []string{storage.DefaultURL}, cfg.URLs, "[storage_opensearch] is not read for another backend")
	assert.Equal(t, []string{path + " [storage] backend influxdb: not an OpenSearch or Elasticsearch backend; no [storage_influxdb] options read"}, warnings)

	dir := t.TempDir()
	missing := writeConf(t, dir, "[storage]\nbackend = opensearch\n[storage_elasticsearch]\nhost = http://es:9200\n")
	cfg, warnings, err = storage.LoadConfigFile(missing)
	require.NoError(t, err)
	assert.Equal(t, []string{storage.DefaultURL}, cfg.URLs)
	assert.Equal(t, []string{missing + ": no [storage_opensearch] section, defaults used"}, warnings)
}

func TestLoadConfigFileURLCredentials(t *testing.T) {
	cfg, _, err := storage.LoadConfigFile(filepath.Join("testdata", "cloudkitty-url-credentials.conf"))
	require.NoError(t, err)
	assert.Equal(t, []string{"https://os.example:9200"}, cfg.URLs, "credentials leave the URL")
	assert.Equal(t, "admin", cfg.Username)
	assert.Equal(t, "Adm1n!pass", cfg.Password)

	l := storage.NewLayered()
	_, err = l.LoadFile(filepath.Join("testdata", "cloudkitty-url-credentials.conf"))
	require.NoError(t, err)
	for _, s := range l.Settings() {
		assert.NotContains(t, s.Value, "Adm1n!pass", s.Key)
		if s.Key == "host" {
			assert.Equal(t, "https://admin:****@os.example:9200", s.Value)
		}
	}
	require.NoError(t, l.Set("password", "explicit", "flag --password"))
	cfg, err = l.Config()
	require.NoError(t, err)
	assert.Equal(t, "explicit", cfg.Password, "an explicit password beats the URL's")

	require.NoError(t, l.Set("host", "http://a:1@x:9200,http://b:2@y:9200", "test"))
	_, err = l.Config()
	assert.ErrorContains(t, err, "the URLs carry different credentials")
	assert.NotContains(t, err.Error(), ":1@")
	assert.NotContains(t, err.Error(), ":2@")
}

func writeConf(t *testing.T, dir, body string) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "cloudkitty-*.conf")
	require.NoError(t, err)
	_, err = f.WriteString(body)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return f.Name()
}

// Bad values are errors naming the file, the section, the key and the value.
func TestLoadConfigFileBadValues(t *testing.T) {
	cases := []struct {
		section, line, want string
	}{
		{"storage", "retention_period = 0", `retention_period = "0": must be at least 1`},
		{"storage", "retention_period = 100d", `retention_period = "100d": not an integer`},
		{"storage_opensearch", "host = localhost:9200", `host = "localhost:9200": localhost:9200: want an http:// or https:// URL`},
		{"storage_opensearch", "host = ftp://x", `host = "ftp://x": ftp://x: want an http:// or https:// URL`},
		{"storage_opensearch", "host = http://a:9200,,http://b:9200", `empty URL in the list`},
		{"storage_opensearch", "host = http://", `http://: no host`},
		{"storage_opensearch", "index_name = Rating", `index_name = "Rating": index names are lower case`},
		{"storage_opensearch", "index_name = a*b", `index_name = "a*b": index names cannot contain`},
		{"storage_opensearch", "index_name = _x", `index names cannot start with`},
		{"storage_opensearch", "insecure = maybe", `insecure = "maybe": not a boolean`},
		{"storage_opensearch", "use_datastream = 2", `use_datastream = "2": not a boolean`},
		{"storage_opensearch", "index_granularity = hour", `index_granularity = "hour": not one of day, week, month`},
		{"storage_opensearch", "time_match = overlap", `time_match = "overlap": invalid argument: time match "overlap" is not one of start, inside`},
		{"storage_opensearch", "timezone = Mars/Olympus", `timezone = "Mars/Olympus": unknown time zone`},
		{"storage_opensearch", "shards = 0", `shards = "0": must be at least 1`},
		{"storage_opensearch", "replicas = -1", `replicas = "-1": must be at least 0`},
		{"storage_opensearch", "replicas = one", `replicas = "one": not an integer`},
		{"storage_opensearch", "timeout = soon", `timeout = "soon": not seconds (30) or a duration (30s, 2m)`},
		{"storage_opensearch", "timeout = -5s", `timeout = "-5s": negative`},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			body := "[" + c.section + "]\n" + c.line + "\n"
			if c.section == "storage_opensearch" {
				body = "[storage]\nbackend = opensearch\n" + body
			}
			path := writeConf(t, dir, body)
			_, _, err := storage.LoadConfigFile(path)
			require.Error(t, err)
			assert.ErrorIs(t, err, storage.ErrInvalid)
			var se *storage.SettingError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, "file "+path+" ["+c.section+"]", se.Source)
			assert.True(t, strings.HasPrefix(err.Error(), "file "+path+" ["+c.section+"]: "), err.Error())
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestLoadConfigFileErrors(t *testing.T) {
	_, _, err := storage.LoadConfigFile(filepath.Join("testdata", "absent.conf"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorContains(t, err, "read testdata/absent.conf")

	path := writeConf(t, t.TempDir(), "[storage_opensearch]\npassword hunter2 is here\n")
	_, _, err = storage.LoadConfigFile(path)
	require.Error(t, err)
	assert.ErrorContains(t, err, `a line starting "password" is not "key = value"`)
	assert.NotContains(t, err.Error(), "hunter2", "a malformed line's value is not shown")
}

// Precedence: file < environment < explicit values, and Settings says where each value came from.
func TestLayeredPrecedence(t *testing.T) {
	path := filepath.Join("testdata", "cloudkitty-opensearch.conf")
	l := storage.NewLayered()
	_, err := l.LoadFile(path)
	require.NoError(t, err)
	env := map[string]string{
		"CKOS_INDEX":    "from-env",
		"CKOS_SHARDS":   "5",
		"CKOS_PASSWORD": "env-secret",
		"CKOS_TIMEOUT":  "",   // empty: not set
		"CKOS_REFRESH":  "on", // a key the file does not set
		"HOME":          "/root",
	}
	require.NoError(t, l.ApplyEnv(func(k string) string { return env[k] }))
	require.NoError(t, l.Set("shards", "7", "flag --shards"))

	cfg, err := l.Config()
	require.NoError(t, err)
	assert.Equal(t, "from-env", cfg.Index, "env beats file")
	assert.Equal(t, 7, cfg.Shards, "flag beats env and file")
	assert.Equal(t, "env-secret", cfg.Password)
	assert.True(t, cfg.Refresh)
	assert.Equal(t, 45*time.Second, cfg.Timeout, "an empty variable leaves the file's value")
	assert.Equal(t, 1, cfg.Replicas, "file beats default")

	sources := map[string]storage.Setting{}
	for _, s := range l.Settings() {
		sources[s.Key] = s
	}
	assert.Equal(t, storage.ConfigKeys(), keysOf(l.Settings()), "every key, in display order")
	file := "file " + path + " [storage_opensearch]"
	for key, want := range map[string]struct{ value, source string }{
		"backend":           {"opensearch", "file " + path + " [storage]"},
		"retention_period":  {"720", "file " + path + " [storage]"},
		"host":              {"https://os1.example:9200, https://os2.example:9200", file},
		"index_name":        {"from-env", "env CKOS_INDEX"},
		"shards":            {"7", "flag --shards"},
		"password":          {storage.Masked, "env CKOS_PASSWORD"},
		"username":          {"cloudkitty", file},
		"timeout":           {"45", file},
		"refresh":           {"on", "env CKOS_REFRESH"},
		"index_granularity": {"week", file},
	} {
		assert.Equal(t, want.value, sources[key].Value, key)
		assert.Equal(t, want.source, sources[key].Source, key)
	}
	assert.True(t, sources["password"].Secret)
	for _, s := range l.Settings() {
		assert.NotContains(t, s.Value, "secret", s.Key)
		assert.NotContains(t, s.Value, "s3cr#t", s.Key)
	}
}

func TestLayeredDefaults(t *testing.T) {
	l := storage.NewLayered()
	cfg, err := l.Config()
	require.NoError(t, err)
	assert.Equal(t, storage.Config{
		Backend:          "opensearch",
		URLs:             []string{storage.DefaultURL},
		Index:            storage.DefaultIndex,
		IndexGranularity: storage.DefaultGranularity,
		TimeMatch:        storage.TimeMatchStart,
		Location:         time.UTC,
		Shards:           1,
		RetentionHours:   storage.DefaultRetentionHours,
	}, cfg)
	for _, s := range l.Settings() {
		assert.Equal(t, storage.SourceDefault, s.Source, s.Key)
		if s.Key == "password" {
			assert.Equal(t, "", s.Value, "no password: nothing to mask")
		}
	}
	// An empty value restores the default, and says who did it.
	require.NoError(t, l.Set("index_name", "x", "file a.conf [storage_opensearch]"))
	require.NoError(t, l.Set("index_name", "", "flag --index"))
	cfg, err = l.Config()
	require.NoError(t, err)
	assert.Equal(t, storage.DefaultIndex, cfg.Index)
	for _, s := range l.Settings() {
		if s.Key == "index_name" {
			assert.Equal(t, storage.Setting{Key: "index_name", Value: storage.DefaultIndex, Source: "flag --index"}, s)
		}
	}
}

func TestLayeredSetErrors(t *testing.T) {
	l := storage.NewLayered()
	err := l.Set("hosts", "http://x:9200", "flag --hosts")
	assert.ErrorIs(t, err, storage.ErrInvalid)
	assert.ErrorContains(t, err, `flag --hosts: hosts = "http://x:9200": unknown key (want one of backend, retention_period, host,`)

	err = l.ApplyEnv(func(k string) string {
		if k == "CKOS_SHARDS" {
			return "many"
		}
		return ""
	})
	assert.EqualError(t, err, `env CKOS_SHARDS: shards = "many": not an integer`)

	err = l.Set("host", "http://u:pw@bad host:9200", "env CKOS_URL")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "pw@", "a URL's password is not shown in errors")
	assert.Contains(t, err.Error(), "http://u:****@bad host:9200")

	assert.Equal(t, "CKOS_URL", storage.EnvName("host"))
	assert.Equal(t, "CKOS_INDEX", storage.EnvName("index_name"))
	assert.Equal(t, "", storage.EnvName("nope"))
}

func TestLayeredValueForms(t *testing.T) {
	cases := []struct {
		key, value string
		check      func(t *testing.T, c storage.Config)
	}{
		{"timeout", "1.5", func(t *testing.T, c storage.Config) { assert.Equal(t, 1500*time.Millisecond, c.Timeout) }},
		{"timeout", "2m30s", func(t *testing.T, c storage.Config) { assert.Equal(t, 150*time.Second, c.Timeout) }},
		{"timeout", "0", func(t *testing.T, c storage.Config) { assert.Zero(t, c.Timeout) }},
		{"insecure", "YES", func(t *testing.T, c storage.Config) { assert.True(t, c.Insecure) }},
		{"insecure", "0", func(t *testing.T, c storage.Config) { assert.False(t, c.Insecure) }},
		{"timezone", "America/New_York", func(t *testing.T, c storage.Config) { assert.Equal(t, "America/New_York", c.Location.String()) }},
		{"time_match", "start", func(t *testing.T, c storage.Config) { assert.Equal(t, storage.TimeMatchStart, c.TimeMatch) }},
		{"host", " https://x.example/prefix ", func(t *testing.T, c storage.Config) {
			assert.Equal(t, []string{"https://x.example/prefix"}, c.URLs)
		}},
		{"replicas", "0", func(t *testing.T, c storage.Config) { assert.Zero(t, c.Replicas) }},
	}
	for _, c := range cases {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			l := storage.NewLayered()
			require.NoError(t, l.Set(c.key, c.value, "test"))
			cfg, err := l.Config()
			require.NoError(t, err)
			c.check(t, cfg)
		})
	}
}

// Every key reaches the Config: a non-default value of each changes it.
func TestLayeredEveryKeyReachesConfig(t *testing.T) {
	samples := map[string]string{
		"backend": "elasticsearch", "retention_period": "24", "host": "https://h:9200", "index_name": "other",
		"insecure": "true", "cafile": "/ca.pem", "use_datastream": "true", "index_granularity": "month",
		"username": "u", "password": "p", "time_match": "inside", "timezone": "Asia/Tokyo", "shards": "2",
		"replicas": "2", "timeout": "10", "refresh": "true",
	}
	def, err := storage.NewLayered().Config()
	require.NoError(t, err)
	for _, key := range storage.ConfigKeys() {
		v, ok := samples[key]
		require.True(t, ok, "no sample value for %s", key)
		l := storage.NewLayered()
		require.NoError(t, l.Set(key, v, "test"))
		cfg, err := l.Config()
		require.NoError(t, err)
		assert.NotEqual(t, def, cfg, "%s = %s does not change the Config", key, v)
	}
}

func keysOf(settings []storage.Setting) []string {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.Key
	}
	return keys
}
