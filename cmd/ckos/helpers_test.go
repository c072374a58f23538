package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	goldenfile "github.com/ckos/ckos/internal/golden"
	"github.com/ckos/ckos/internal/ostest"
)

// result is what one ckos invocation produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// invocation describes how to run ckos in-process.
type invocation struct {
	env      map[string]string // the whole environment ckos sees
	stdin    io.Reader
	terminal bool   // pretend stderr is a terminal (progress bars)
	confFile string // the default cloudkitty.conf path; "" means one that does not exist
}

// ckos runs ckos with args in-process, in an environment of its own (never the test
// process's), and returns its exit code and output.
func (inv invocation) ckos(t testing.TB, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	stdin := inv.stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	a := newApp(stdin, &out, &errb, func(k string) string { return inv.env[k] })
	a.isTerminal = func(io.Writer) bool { return inv.terminal }
	a.defaultConfigFile = inv.confFile
	if a.defaultConfigFile == "" {
		a.defaultConfigFile = filepath.Join(t.TempDir(), "absent", "cloudkitty.conf")
	}
	code := a.execute(context.Background(), args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// cluster is a test's cluster and index prefix, with ckos pointed at them through the
// environment (CKOS_URL, CKOS_INDEX).
type cluster struct {
	ostest.Env
}

func newCluster(t *testing.T) cluster {
	t.Helper()
	return cluster{ostest.Cluster(t)}
}

func (c cluster) inv() invocation {
	return invocation{env: map[string]string{"CKOS_URL": c.URL, "CKOS_INDEX": c.Prefix}}
}

// ok runs ckos on the cluster and requires exit code 0.
func (c cluster) ok(t *testing.T, args ...string) result {
	t.Helper()
	r := c.inv().ckos(t, args...)
	require.Equalf(t, 0, r.code, "ckos %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.stdout, r.stderr)
	return r
}

// pushFixture initialises the prefix and pushes testdata/frames.json, visible to searches.
func (c cluster) pushFixture(t *testing.T) {
	t.Helper()
	c.ok(t, "init")
	r := c.ok(t, "push", "--refresh", "testdata/frames.json")
	require.Contains(t, r.stdout, "pushed 5 points in 2 frames")
}

// golden compares got with testdata/<name>, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), []byte(got))
}
