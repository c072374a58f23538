package aggs

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	goldenfile "github.com/ckos/ckos/internal/golden"
)

// golden compares got (compact JSON) with testdata/<name>.golden.json, stored indented.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	require.True(t, json.Valid(got), "builder output is not valid JSON: %s", got)
	var buf bytes.Buffer
	require.NoError(t, json.Indent(&buf, got, "", "  "))
	buf.WriteByte('\n')
	goldenfile.Assert(t, filepath.Join("testdata", name+".golden.json"), buf.Bytes())
}
