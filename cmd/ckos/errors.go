package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

// Exit codes; exitCodesHelp documents them in `ckos --help`.
const (
	exitOK          = 0   // success
	exitOther       = 1   // any other failure
	exitUsage       = 2   // bad flags, arguments or subcommand
	exitInput       = 3   // bad input: time, file, groupby, custom fields, configuration values
	exitUnavailable = 4   // the cluster could not be reached
	exitRejected    = 5   // the cluster answered with an error
	exitInterrupted = 130 // interrupted (Ctrl-C)
)

const exitCodesHelp = `Exit codes:
  0  success
  1  any other failure
  2  usage: bad flag, argument or subcommand
  3  input: bad time, input file, filter, groupby, custom fields or configuration value
  4  cluster unreachable (the message names its URL)
  5  the cluster rejected the request (the message gives its status and reason)
130  interrupted`

// exitError carries an exit code for err; the central printer in run uses it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf returns an error that exits with exitUsage.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// inputError marks err as bad input (exitInput).
func inputError(err error) error {
	return &exitError{code: exitInput, err: err}
}

// runError marks an error returned by a command's own code, as opposed to one cobra produced
// while parsing flags and arguments (those are usage errors).
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var re *runError
	if !errors.As(err, &re) {
		// cobra's own errors: unknown flag, bad flag value, wrong number of arguments.
		return exitUsage
	}
	var de *dataframe.Error
	switch {
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &de), errors.Is(err, storage.ErrInvalid), errors.Is(err, storage.ErrUnknownDriver):
		return exitInput
	case errors.Is(err, storage.ErrUnavailable):
		return exitUnavailable
	case errors.Is(err, storage.ErrRejected):
		return exitRejected
	}
	return exitOther
}

// printError is the one place errors reach the user: one line on stderr (plus a hint for
// usage errors), no stack trace. Messages never hold credentials: URLs in errors are redacted
// where they are made, and redactSecrets removes any password the configuration holds.
func printError(w io.Writer, err error, code int, secrets []string) {
	msg := redactSecrets(err.Error(), secrets)
	fmt.Fprintf(w, "ckos: error: %s\n", msg)
	if code == exitUsage {
		fmt.Fprintln(w, "Run 'ckos --help' for usage.")
	}
}

// redactSecrets replaces every occurrence of a non-empty secret in s.
func redactSecrets(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "****")
		}
	}
	return s
}
