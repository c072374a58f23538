package osreq

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ckos/ckos/storage"
)

func TestParseError(t *testing.T) {
	for _, tc := range []struct {
		status     int
		body, want string
	}{
		{404, `{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [x]"}],"type":"index_not_found_exception","reason":"no such index [x]"},"status":404}`,
			"op: HTTP 404: index_not_found_exception: no such index [x]"},
		{400, `{"error":{"root_cause":[{"type":"query_shard_exception","reason":"bad field"}],"type":"search_phase_execution_exception","reason":"all shards failed"},"status":400}`,
			"op: HTTP 400: query_shard_exception: bad field"},
		{400, `{"error":{"type":"illegal_argument_exception","reason":"bad","caused_by":{"type":"x","reason":"deeper"}},"status":400}`,
			"op: HTTP 400: illegal_argument_exception: bad (caused by x: deeper)"},
		{405, `{"error":"Incorrect HTTP method","status":405}`, "op: HTTP 405: Incorrect HTTP method"},
		{502, `<html>bad gateway</html>`, "op: HTTP 502: <html>bad gateway</html>"},
		{503, ``, "op: HTTP 503: Service Unavailable"},
	} {
		e := ParseError("op", tc.status, []byte(tc.body))
		assert.Equal(t, tc.want, e.Error(), "body %s", tc.body)
		assert.ErrorIs(t, e, storage.ErrRejected)
		assert.Equal(t, tc.status, Status(e))
	}
	long := ParseError("op", 500, []byte(strings.Repeat("x", 1000)))
	assert.Len(t, []rune(long.Reason), 301)
}

func TestNoHandler(t *testing.T) {
	assert.True(t, NoHandler(ParseError("op", 400, []byte(`{"error":"no handler found for uri [/_plugins/_ism/policies] and method [GET]"}`))))
	assert.False(t, NoHandler(ParseError("op", 404, []byte(`{"error":"no handler found"}`))))
	assert.False(t, NoHandler(nil))
}
