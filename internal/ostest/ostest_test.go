package ostest

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewPrefix(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"TestRetrieve", "testretrieve"},
		{"TestRetrieve/paginate=false#01", "testretrieve-paginate-false-01"},
		{"TestX/__weird  name__/ÜNICODE", "testx-weird-name-nicode"},
		{"///", "t"},
		{strings.Repeat("A", 100), strings.Repeat("a", maxNameInPrefix)},
		{"TestAbc/" + strings.Repeat("b", 31) + "/c", "testabc-" + strings.Repeat("b", 31)}, // cut at the limit, trailing dash trimmed
	} {
		got := newPrefix(tc.name)
		re := regexp.MustCompile(`^ckt-` + regexp.QuoteMeta(tc.want) + `-[0-9a-f]{6}$`)
		assert.Regexp(t, re, got, "newPrefix(%q)", tc.name)
	}
}

// validIndexName is OpenSearch's rule for index names, minus the length limit.
var validIndexName = regexp.MustCompile(`^[a-z0-9][^A-Z\\/*?"<>| ,#:]*$`)

func TestNewPrefixIsAValidUniqueIndexName(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		p := newPrefix("TestSomething/With Spaces:and#odd*chars")
		require.Regexp(t, validIndexName, p)
		require.LessOrEqual(t, len(p), 64, "prefix %q leaves room for a suffix under 255 bytes", p)
		require.False(t, seen[p], "prefix %q handed out twice", p)
		seen[p] = true
	}
}

// The Docker image's version must be the one scripts/opensearch.sh pins, so both sources of a test
// node run the same OpenSearch.
func TestDefaultVersionMatchesScript(t *testing.T) {
	script, err := os.ReadFile("../../scripts/opensearch.sh")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^OPENSEARCH_VERSION="\$\{OPENSEARCH_VERSION:-([0-9.]+)\}"$`).FindSubmatch(script)
	require.NotNil(t, m, "scripts/opensearch.sh has no OPENSEARCH_VERSION=\"${OPENSEARCH_VERSION:-x.y.z}\" line")
	assert.Equal(t, string(m[1]), DefaultVersion)
}

func TestFindNodeUnreachableURLIsAFailureNotASkip(t *testing.T) {
	t.Setenv(EnvURL, "http://127.0.0.1:1")
	_, err := findNode()
	require.Error(t, err)
	assert.False(t, isUnavailable(err), "an unreachable OPENSEARCH_URL must fail the test, not skip it: %v", err)
	assert.Contains(t, err.Error(), "OPENSEARCH_URL=http://127.0.0.1:1")
}

func TestFindNodeBadURL(t *testing.T) {
	t.Setenv(EnvURL, "127.0.0.1:9200")
	_, err := findNode()
	require.Error(t, err)
	assert.False(t, isUnavailable(err))
	assert.Contains(t, err.Error(), "not an http(s) URL")
}

func TestFindNodeWithoutURLOrDockerSaysHowToGetOne(t *testing.T) {
	t.Setenv(EnvURL, "")
	t.Setenv("DOCKER_HOST", "unix://"+t.TempDir()+"/no-docker.sock")
	_, err := findNode()
	require.Error(t, err)
	assert.True(t, isUnavailable(err), "no cluster anywhere is a skip: %v", err)
	assert.Contains(t, err.Error(), "make opensearch-up")
	assert.Contains(t, err.Error(), "OPENSEARCH_URL=http://127.0.0.1:9200")
}

func TestRedact(t *testing.T) {
	assert.Equal(t, "https://admin:xxxxx@h:9200", redact("https://admin:secret@h:9200"))
	assert.Equal(t, "http://h:9200", redact("http://h:9200"))
}
