package storage

import "context"

// Progress is told how far a long call has come: points done out of total (-1 when unknown).
// It is called from the goroutine running the call and must return quickly.
type Progress func(done, total int64)

type progressKey struct{}

// WithProgress returns a context whose long calls (Retrieve walking many pages, Delete) report
// their progress to p, in the manner of net/http/httptrace.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// ReportProgress tells the Progress of ctx, if it has one, how far a call has come.
func ReportProgress(ctx context.Context, done, total int64) {
	if p, ok := ctx.Value(progressKey{}).(Progress); ok && p != nil {
		p(done, total)
	}
}
