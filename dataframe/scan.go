package dataframe

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// pointScanner returns the tokens of one JSON value that json.Decoder has already read and
// checked, with json.Decoder's Token and More semantics (commas and colons are skipped).
// Because the input is known to be well-formed it only tells tokens apart; a malformed input
// gives errMalformed, never a panic.
type pointScanner struct {
	b json.RawMessage
	i int
}

// errMalformed means the scanner was given JSON that json.Decoder would not have accepted.
var errMalformed = errors.New("malformed JSON")

// skip moves past white space, commas and colons.
func (s *pointScanner) skip() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			s.i++
		default:
			return
		}
	}
}

// More reports whether the current object or array has another element.
func (s *pointScanner) More() bool {
	s.skip()
	return s.i < len(s.b) && s.b[s.i] != '}' && s.b[s.i] != ']'
}

// Token returns the next token: json.Delim, string, json.Number, bool or nil.
func (s *pointScanner) Token() (json.Token, error) {
	s.skip()
	if s.i >= len(s.b) {
		return nil, errMalformed
	}
	switch c := s.b[s.i]; c {
	case '{', '}', '[', ']':
		s.i++
		return json.Delim(c), nil
	case '"':
		return s.str()
	case 't':
		return s.literal("true", true)
	case 'f':
		return s.literal("false", false)
	case 'n':
		return s.literal("null", nil)
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '-', '+', '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			s.i++
			continue
		}
		break
	}
	if s.i == start {
		return nil, errMalformed
	}
	return json.Number(s.b[start:s.i]), nil
}

func (s *pointScanner) literal(word string, v json.Token) (json.Token, error) {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return nil, errMalformed
	}
	s.i += len(word)
	return v, nil
}

// str reads a string; one without escapes or non-ASCII bytes is copied as is, any other is
// left to encoding/json so escapes and invalid UTF-8 are handled exactly as it does.
func (s *pointScanner) str() (json.Token, error) {
	start := s.i
	plain := true
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '\\':
			plain = false
			s.i++
		case c == '"':
			s.i++
			raw := s.b[start:s.i]
			if plain {
				return string(raw[1 : len(raw)-1]), nil
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, errMalformed
			}
			return v, nil
		case c >= utf8.RuneSelf:
			plain = false
		}
	}
	return nil, errMalformed
}
