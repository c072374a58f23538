package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeConf writes a cloudkitty.conf in a temporary directory and returns its path.
func writeConf(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cloudkitty.conf")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

// showConfig runs `config show -o json` and returns the settings by key.
func showConfig(t *testing.T, inv invocation, args ...string) (shownConfig, map[string]shownSetting) {
	t.Helper()
	r := inv.ckos(t, append(args, "config", "show", "-o", "json")...)
	require.Equal(t, 0, r.code, r.stderr)
	var c shownConfig
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &c), r.stdout)
	by := map[string]shownSetting{}
	for _, s := range c.Settings {
		by[s.Key] = s
	}
	return c, by
}

const testConf = `[DEFAULT]
debug = true

[storage]
backend = opensearch
retention_period = 720

[storage_opensearch]
host = https://cloudkitty:file-secret@os.example:9200
index_name = fromfile
insecure = true
password = hunter2
scroll_duration = 60
`

func TestConfigPrecedenceFileEnvFlag(t *testing.T) {
	conf := writeConf(t, testConf)

	// File only.
	c, s := showConfig(t, invocation{}, "--config", conf)
	assert.Equal(t, configSource{Path: conf, Source: "flag --config"}, c.ConfigFile)
	assert.Equal(t, "fromfile", s["index_name"].Value)
	assert.Equal(t, "file "+conf+" [storage_opensearch]", s["index_name"].Source)
	assert.Equal(t, "720", s["retention_period"].Value)
	assert.Equal(t, "file "+conf+" [storage]", s["retention_period"].Source)
	assert.Equal(t, "true", s["insecure"].Value)
	assert.Equal(t, "day", s["index_granularity"].Value)
	assert.Equal(t, "default", s["index_granularity"].Source)
	assert.Contains(t, c.Warnings[0], "scroll_duration: accepted, ignored")

	// Environment beats the file.
	env := map[string]string{"CKOS_INDEX": "fromenv", "CKOS_RETENTION_PERIOD": "48"}
	_, s = showConfig(t, invocation{env: env}, "--config", conf)
	assert.Equal(t, "fromenv", s["index_name"].Value)
	assert.Equal(t, "env CKOS_INDEX", s["index_name"].Source)
	assert.Equal(t, "48", s["retention_period"].Value)
	assert.Equal(t, "env CKOS_RETENTION_PERIOD", s["retention_period"].Source)
	assert.Equal(t, "true", s["insecure"].Value, "keys the environment does not set keep the file's value")

	// Flags beat the environment.
	_, s = showConfig(t, invocation{env: env}, "--config", conf, "--index", "fromflag", "--url", "http://flag.example:9200")
	assert.Equal(t, "fromflag", s["index_name"].Value)
	assert.Equal(t, "flag --index", s["index_name"].Source)
	assert.Equal(t, "http://flag.example:9200", s["host"].Value)
	assert.Equal(t, "flag --url", s["host"].Source)

	// CKOS_CONFIG names the file when --config does not; --config wins over it.
	c, s = showConfig(t, invocation{env: map[string]string{"CKOS_CONFIG": conf}})
	assert.Equal(t, configSource{Path: conf, Source: "env CKOS_CONFIG"}, c.ConfigFile)
	assert.Equal(t, "fromfile", s["index_name"].Value)
	other := writeConf(t, "[storage_opensearch]\nindex_name = other\n")
	_, s = showConfig(t, invocation{env: map[string]string{"CKOS_CONFIG": conf}}, "--config", other)
	assert.Equal(t, "other", s["index_name"].Value)
}

func TestConfigDefaultFile(t *testing.T) {
	conf := writeConf(t, "[storage_opensearch]\nindex_name = fromdefault\n")
	c, s := showConfig(t, invocation{confFile: conf})
	assert.Equal(t, configSource{Path: conf, Source: "default"}, c.ConfigFile)
	assert.Equal(t, "fromdefault", s["index_name"].Value)
	assert.Equal(t, "opensearch", s["backend"].Value)

	// Absent default file: nothing read, defaults everywhere.
	c, s = showConfig(t, invocation{})
	assert.Equal(t, configSource{Source: "none"}, c.ConfigFile)
	assert.Equal(t, "cloudkitty", s["index_name"].Value)
	assert.Equal(t, "default", s["index_name"].Source)
	assert.Equal(t, "http://localhost:9200", s["host"].Value)
}

func TestConfigShowMasksSecrets(t *testing.T) {
	conf := writeConf(t, testConf)
	for _, format := range []string{"table", "json", "csv"} {
		r := invocation{}.ckos(t, "--config", conf, "config", "show", "-o", format)
		require.Equal(t, 0, r.code, r.stderr)
		assert.NotContains(t, r.stdout+r.stderr, "hunter2")
		assert.NotContains(t, r.stdout+r.stderr, "file-secret")
		assert.Contains(t, r.stdout, "https://cloudkitty:****@os.example:9200")
		assert.Contains(t, r.stdout, "****")
	}
	r := invocation{}.ckos(t, "--config", conf, "config", "show")
	lines := strings.Split(r.stdout, "\n")
	assert.Equal(t, []string{"KEY", "VALUE", "SOURCE"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{"config_file", conf, "flag", "--config"}, strings.Fields(lines[1]))
	assert.Contains(t, r.stdout, "password           ****")

	// Env password is masked too.
	r = invocation{env: map[string]string{"CKOS_PASSWORD": "env-secret-pw"}}.ckos(t, "config", "show", "-o", "json")
	assert.NotContains(t, r.stdout, "env-secret-pw")
	assert.Contains(t, r.stdout, `"value": "****",`)
}

func TestConfigFileReachesTheCluster(t *testing.T) {
	c := newCluster(t)
	// The file alone says where the cluster is and which prefix to use.
	conf := writeConf(t, "[storage]\nbackend = opensearch\n[storage_opensearch]\nhost = "+c.URL+"\nindex_name = "+c.Prefix+"\n")
	r := invocation{}.ckos(t, "--config", conf, "templates", "status", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"name": "`+c.Prefix+`"`)
	// A flag overrides the file's host: an unreachable one fails with its URL.
	r = invocation{}.ckos(t, "--config", conf, "--url", "http://127.0.0.1:1", "total")
	assert.Equal(t, exitUnavailable, r.code)
	assert.Contains(t, r.stderr, "http://127.0.0.1:1")
	// A backend ckos does not have is an input error naming it.
	conf = writeConf(t, "[storage]\nbackend = influxdb\n")
	r = invocation{}.ckos(t, "--config", conf, "total")
	assert.Equal(t, exitInput, r.code)
	assert.Contains(t, r.stderr, `unknown storage driver "influxdb"`)
}
