package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeBlock is a fenced code block of README.md.
type readmeBlock struct {
	lang string
	line int // line of the opening fence
	body []string
}

func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	f, err := os.Open("../../README.md")
	require.NoError(t, err)
	defer f.Close()
	var (
		blocks []readmeBlock
		cur    *readmeBlock
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &readmeBlock{lang: strings.TrimPrefix(line, "```"), line: n}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body = append(cur.body, line)
		}
	}
	require.NoError(t, sc.Err())
	require.Nil(t, cur, "unterminated code block")
	return blocks
}

// TestREADMECommands runs every ckos command line of README.md's sh blocks, in order, against
// the test cluster (CKOS_URL and CKOS_INDEX point at the test's prefix), in a scratch
// directory holding the README's cloudkitty.conf, and requires exit code 0 from each. The
// Dashboards URL is served by a fake that checks the import request.
func TestREADMECommands(t *testing.T) {
	c := newCluster(t)
	blocks := readmeBlocks(t)
	dash := fakeDashboards(t)
	dir := t.TempDir()
	for _, b := range blocks {
		if b.lang == "ini" {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "cloudkitty.conf"), []byte(strings.Join(b.body, "\n")+"\n"), 0o644))
		}
	}
	t.Chdir(dir)

	ran := 0
	for _, b := range blocks {
		if b.lang != "sh" {
			continue
		}
		for i, line := range b.body {
			where := fmt.Sprintf("README.md:%d: %s", b.line+1+i, line)
			cmds, out, ok := parseReadmeLine(t, where, line)
			if !ok {
				continue
			}
			var stdin io.Reader = strings.NewReader("")
			var stdout string
			for _, cmd := range cmds {
				env := map[string]string{"CKOS_URL": c.URL, "CKOS_INDEX": c.Prefix}
				for k, v := range cmd.env {
					env[k] = v
				}
				args := make([]string, len(cmd.args))
				for j, a := range cmd.args {
					args[j] = strings.ReplaceAll(a, "http://localhost:5601", dash.URL)
				}
				r := invocation{env: env, stdin: stdin}.ckos(t, args...)
				require.Equalf(t, 0, r.code, "%s\nstdout: %s\nstderr: %s", where, r.stdout, r.stderr)
				stdin, stdout = strings.NewReader(r.stdout), r.stdout
			}
			if out != "" {
				require.NoError(t, os.WriteFile(out, []byte(stdout), 0o644), where)
			}
			ran++
		}
	}
	assert.Greater(t, ran, 20, "README lost its command examples?")
	assert.Positive(t, dash.imports, "ckos dashboards install reached the fake Dashboards")
}

// readmeCommand is one ckos invocation of a README line.
type readmeCommand struct {
	env  map[string]string
	args []string // without the leading "ckos"
}

// parseReadmeLine understands the shell the README uses: VAR=value prefixes, quotes, a pipe
// between ckos commands, "> file", and comments. It returns ok=false for lines that do not run
// ckos (make, go, scripts…) and fails the test on any other shell syntax.
func parseReadmeLine(t *testing.T, where, line string) (cmds []readmeCommand, out string, ok bool) {
	t.Helper()
	words, err := shellWords(line)
	require.NoError(t, err, where)
	if len(words) == 0 {
		return nil, "", false
	}
	cur := readmeCommand{env: map[string]string{}}
	inCmd := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "|":
			require.True(t, inCmd, where)
			cmds = append(cmds, cur)
			cur, inCmd = readmeCommand{env: map[string]string{}}, false
		case w == ">":
			require.Less(t, i+1, len(words), where)
			out = words[i+1]
			require.Equal(t, len(words), i+2, "%s: > must end the line", where)
			i++
		case !inCmd && regexp.MustCompile(`^[A-Z_]+=`).MatchString(w):
			k, v, _ := strings.Cut(w, "=")
			cur.env[k] = v
		case !inCmd:
			if w != "ckos" {
				require.Empty(t, cmds, "%s: only ckos commands in a pipe", where)
				return nil, "", false // not a ckos command (make, go test, scripts/…)
			}
			inCmd = true
		default:
			require.NotContains(t, []string{"<", ">>", "&&", ";", "2>"}, w, "%s: shell syntax the README test does not run", where)
			cur.args = append(cur.args, w)
		}
	}
	require.True(t, inCmd, where)
	return append(cmds, cur), out, true
}

// shellWords splits a line into words: single and double quotes group, an unquoted # starts
// a comment, | and > are words of their own.
func shellWords(s string) ([]string, error) {
	var (
		words []string
		w     strings.Builder
		has   bool
		quote rune
	)
	flush := func() {
		if has {
			words = append(words, w.String())
			w.Reset()
			has = false
		}
	}
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, has = r, true
		case r == '#' && !has:
			flush()
			return words, nil
		case r == ' ' || r == '\t':
			flush()
		case r == '|' || r == '>':
			flush()
			words = append(words, string(r))
		default:
			w.WriteRune(r)
			has = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	flush()
	return words, nil
}

func TestShellWords(t *testing.T) {
	w, err := shellWords(`CKOS_INDEX=x ckos total --custom-fields "SUM(price) AS cost, MAX(qty) AS peak" -o json # note`)
	require.NoError(t, err)
	assert.Equal(t, []string{"CKOS_INDEX=x", "ckos", "total", "--custom-fields", "SUM(price) AS cost, MAX(qty) AS peak", "-o", "json"}, w)
	w, err = shellWords(`ckos demo-data --days 1 | ckos push -`)
	require.NoError(t, err)
	assert.Equal(t, []string{"ckos", "demo-data", "--days", "1", "|", "ckos", "push", "-"}, w)
	_, err = shellWords(`ckos total --groupby "type`)
	assert.Error(t, err)
}

// TestREADMEGoMatchesExample keeps the README's library snippet identical to the code that
// storage/example_test.go compiles and runs.
func TestREADMEGoMatchesExample(t *testing.T) {
	src, err := os.ReadFile("../../storage/example_test.go")
	require.NoError(t, err)
	var found bool
	for _, b := range readmeBlocks(t) {
		if b.lang != "go" {
			continue
		}
		found = true
		// The example's lines are indented one tab more.
		var want bytes.Buffer
		for _, l := range b.body {
			if l != "" {
				want.WriteString("\t")
			}
			want.WriteString(l + "\n")
		}
		assert.Contains(t, string(src), want.String(), "README.md's go block differs from storage/example_test.go")
	}
	assert.True(t, found, "README.md has no go block")
}

// fakeDashboards serves the saved-objects import API and counts valid imports.
type fakeDash struct {
	*httptest.Server
	imports int
}

func fakeDashboards(t *testing.T) *fakeDash {
	t.Helper()
	d := &fakeDash{}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(msg string) {
			t.Errorf("fake Dashboards: %s", msg)
			http.Error(w, msg, http.StatusBadRequest)
		}
		if r.Method != http.MethodPost || r.URL.Path != "/api/saved_objects/_import" || r.URL.Query().Get("overwrite") != "true" {
			fail("unexpected " + r.Method + " " + r.URL.String())
			return
		}
		if r.Header.Get("osd-xsrf") != "true" {
			fail("no osd-xsrf header")
			return
		}
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			fail(err.Error())
			return
		}
		part, err := multipart.NewReader(r.Body, params["boundary"]).NextPart()
		if err != nil || part.FormName() != "file" {
			fail(fmt.Sprintf("no file part: %v", err))
			return
		}
		n := 0
		sc := bufio.NewScanner(part)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var obj map[string]any
			if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
				fail("bad NDJSON line: " + err.Error())
				return
			}
			n++
		}
		d.imports++
		fmt.Fprintf(w, `{"success": true, "successCount": %d}`, n)
	}))
	t.Cleanup(d.Close)
	return d
}
