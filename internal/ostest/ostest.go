// Package ostest gives a test a real OpenSearch cluster and an index prefix of its own.
//
// The cluster comes from OPENSEARCH_URL; else from a Docker container (official image, security
// disabled) when a Docker engine answers; else the test is skipped with a message saying how to get
// one — or fails, when CKOS_REQUIRE_OPENSEARCH=1. Everything a test creates under its prefix (indices,
// data streams, templates, ISM policies) is deleted in t.Cleanup.
//
// Typical use:
//
//	e := ostest.Cluster(t)
//	index := e.Prefix + "-2026.12.03"
package ostest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
)

// Environment variables that steer where the cluster comes from.
const (
	// EnvURL names the variable holding the URL of an existing cluster to test against.
	EnvURL = "OPENSEARCH_URL"
	// EnvRequire names the variable that, set to 1, turns "no cluster" from a skip into a failure.
	EnvRequire = "CKOS_REQUIRE_OPENSEARCH"
	// EnvRequireISM names the variable that, set to 1, turns "no ISM plugin" from a skip into a failure.
	EnvRequireISM = "CKOS_REQUIRE_ISM"
)

// ISMPlugin is the component name of OpenSearch's Index State Management plugin.
const ISMPlugin = "opensearch-index-management"

// cleanupTimeout bounds the deletion of a test's objects.
const cleanupTimeout = time.Minute

// Env is a test's handle on a real cluster: a client, the cluster's URL and an index prefix unique
// to the test. Name every index, template and policy the test creates Prefix + something.
type Env struct {
	Client *opensearchapi.Client
	URL    string
	Prefix string

	node *node
}

// Cluster returns an Env for t on a real cluster and registers the deletion of everything under
// the Env's prefix. It skips t when no cluster is available (fails when CKOS_REQUIRE_OPENSEARCH=1)
// and in -short mode.
func Cluster(t testing.TB) Env {
	t.Helper()
	if testing.Short() {
		t.Skip("ostest: skipped in -short mode (needs an OpenSearch cluster)")
	}
	n, err := sharedNode()
	if err != nil {
		if isUnavailable(err) && os.Getenv(EnvRequire) != "1" {
			t.Skipf("ostest: %v", err)
		}
		t.Fatalf("ostest: %v", err)
	}
	e := Env{Client: n.client, URL: n.url, Prefix: newPrefix(t.Name()), node: n}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := e.cleanup(ctx); err != nil {
			t.Errorf("ostest: cleaning up %s*: %v", e.Prefix, err)
		}
	})
	return e
}

// HasPlugin reports whether every node of the cluster runs the plugin whose component name is name
// (as listed by _cat/plugins, e.g. "opensearch-index-management").
func (e Env) HasPlugin(t testing.TB, name string) bool {
	t.Helper()
	plugins, err := e.node.pluginSet(t.Context())
	if err != nil {
		t.Fatalf("ostest: listing plugins: %v", err)
	}
	return plugins[name]
}

// RequireISM skips t unless the cluster runs the ISM plugin (fails instead when CKOS_REQUIRE_ISM=1).
func RequireISM(t testing.TB, e Env) {
	t.Helper()
	if e.HasPlugin(t, ISMPlugin) {
		return
	}
	msg := fmt.Sprintf("ostest: the cluster at %s has no %s plugin (ISM); scripts/opensearch.sh installs it "+
		"where the Maven repository serves it; set %s=1 to make this a failure", e.URL, ISMPlugin, EnvRequireISM)
	if os.Getenv(EnvRequireISM) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// maxNameInPrefix bounds the part of a prefix taken from the test's name.
const maxNameInPrefix = 40

// newPrefix returns "ckt-<test name, sanitized and shortened>-<6 random hex digits>": lowercase and
// made of characters valid in an index name.
func newPrefix(testName string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(testName) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := b.String()
	if len(name) > maxNameInPrefix {
		name = name[:maxNameInPrefix]
	}
	name = strings.Trim(name, "-")
	if name == "" {
		name = "t"
	}
	var rnd [3]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		panic(fmt.Sprintf("ostest: reading random bytes: %v", err)) // crypto/rand does not fail on Linux
	}
	return "ckt-" + name + "-" + hex.EncodeToString(rnd[:])
}
