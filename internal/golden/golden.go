// Package golden compares test output with files under testdata and rewrites those files when
// the tests run with -update. Tests only.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the tests' output")

// Update reports whether the tests run with -update.
func Update() bool { return *update }

// Assert fails t unless got equals the contents of the file at path; under -update it writes got
// to path first.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (go test -update creates it)", path, err)
	}
	if string(want) != string(got) {
		t.Errorf("output differs from %s (go test -update rewrites it if the change is intended)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
