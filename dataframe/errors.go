package dataframe

import (
	"fmt"
	"strconv"
)

// Error is bad input at one place of a DataFrame stream; errors.As finds it in any decoding error.
type Error struct {
	Path string // where: dataframes[3].usage["instance"][7].vol.qty; empty means the whole input
	Line int    // 1-based line where the frame starts, set for NDJSON input only
	Err  error  // what was wrong there
}

// Error formats the error as "line N: path: cause".
func (e *Error) Error() string {
	s := e.Err.Error()
	if e.Path != "" {
		s = e.Path + ": " + s
	}
	if e.Line > 0 {
		s = "line " + strconv.Itoa(e.Line) + ": " + s
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errUnknownKey says which keys were expected instead of key.
func errUnknownKey(key, want string) error {
	return fmt.Errorf("unknown key %s (want %s)", quoteShort(key), want)
}

// errDuplicateKey reports a key given twice in one object.
func errDuplicateKey(key string) error {
	return fmt.Errorf("duplicate key %s", quoteShort(key))
}

// errMissing reports a required key that is absent.
func errMissing(key string) error {
	return fmt.Errorf("missing %q", key)
}

// quoteShort quotes s for a message, cutting it after 64 bytes.
func quoteShort(s string) string {
	const maxLen = 64
	if len(s) > maxLen {
		return strconv.Quote(s[:maxLen]) + "…"
	}
	return strconv.Quote(s)
}
