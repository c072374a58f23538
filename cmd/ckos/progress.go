package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is a progress bar on stderr. A nil *progress (stderr is not a terminal, or --quiet)
// does nothing, so callers never test whether progress is shown.
type progress struct {
	bar     *progressbar.ProgressBar
	mu      sync.Mutex
	stop    chan struct{} // closed by finish to stop the spinner's ticker
	stopped chan struct{} // closed when the ticker goroutine has returned
	done    bool
}

// progressShown reports whether progress bars are drawn: stderr is a terminal and not --quiet.
func (a *app) progressShown() bool {
	return !a.quiet && a.isTerminal(a.stderr)
}

// newBar returns a progress bar on stderr over max units (-1: a spinner) with the options every
// ckos bar shares — count, elapsed time, throttled redraws, no goroutine of its own — plus opts.
func (a *app) newBar(max int64, desc string, opts ...progressbar.Option) *progressbar.ProgressBar {
	common := []progressbar.Option{
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetSpinnerChangeInterval(0), // redrawn by ckos only: no goroutine of the library's
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(a.stderr) }),
	}
	return progressbar.NewOptions64(max, append(common, opts...)...)
}

// newByteProgress returns a bar over size bytes with rate and ETA, or nil when not shown.
func (a *app) newByteProgress(desc string, size int64) *progress {
	if !a.progressShown() || size <= 0 {
		return nil
	}
	bar := a.newBar(size, desc, progressbar.OptionShowBytes(true), progressbar.OptionSetPredictTime(true))
	return &progress{bar: bar}
}

// newSpinner returns an indeterminate bar counting unit (with its rate and the elapsed time),
// redrawn every 100ms until finish, or nil when not shown. Use it when the amount of work is
// not known in advance.
func (a *app) newSpinner(desc, unit string) *progress {
	if !a.progressShown() {
		return nil
	}
	bar := a.newBar(-1, desc, progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit))
	p := &progress{bar: bar, stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				if !p.done {
					_ = p.bar.Add64(0)
				}
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// newPointProgress returns a bar over the points of a long library call, with rate and ETA once
// the call reports its total (a spinner until then), or nil when not shown. Pass its report
// method to storage.WithProgress.
func (a *app) newPointProgress(desc string) *progress {
	if !a.progressShown() {
		return nil
	}
	bar := a.newBar(-1, desc, progressbar.OptionShowIts(), progressbar.OptionSetItsString("points"),
		progressbar.OptionSetPredictTime(true))
	return &progress{bar: bar}
}

// report moves the bar to done of total points (total -1 when unknown); it is a storage.Progress.
func (p *progress) report(done, total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	if total > 0 && total != p.bar.GetMax64() {
		p.bar.ChangeMax64(total)
	}
	_ = p.bar.Set64(done)
}

// set moves the bar to n.
func (p *progress) set(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done && n > int64(p.bar.State().CurrentNum) {
		_ = p.bar.Set64(n)
	}
}

// add advances the bar by n.
func (p *progress) add(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done {
		_ = p.bar.Add64(n)
	}
}

// finish completes the bar (ok) or leaves it where it stopped (failure), ends its line, and
// stops the spinner's goroutine before returning.
func (p *progress) finish(ok bool) {
	if p == nil {
		return
	}
	if p.stop != nil {
		close(p.stop)
		<-p.stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	if ok && p.stop == nil {
		_ = p.bar.Finish() // the completion callback ends the line
		return
	}
	_ = p.bar.Exit()
	_ = p.bar.Clear()
}
