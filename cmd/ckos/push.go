package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

const (
	// pushBatchPoints is about how many points one Push call carries; frames are never split.
	pushBatchPoints = 5000
	// pushWorkers is how many Push calls run at once.
	pushWorkers = 2
)

func (a *app) pushCmd() *cobra.Command {
	var refresh bool
	cmd := &cobra.Command{
		Use:   "push [--refresh] FILE|-",
		Short: "Store the rated dataframes of a file (or stdin)",
		Long: `Store the dataframes of FILE, or of stdin for "-". The input is CloudKitty's v2 JSON in any of
its forms — {"dataframes": [...]}, a bare array of dataframes, or NDJSON (one dataframe per
line) — and is streamed: frames are decoded and pushed in batches of about 5000 points, so a
file of any size is never held in memory.

Pushing is idempotent: pushing a file again stores each point once. A malformed frame stops
the push with its exact location; the frames before it are stored, so pushing the corrected
file again is safe.`,
		Example: `  ckos push --refresh dataframes.json
  ckos demo-data --days 1 | ckos push -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("push takes one argument, a file name or - for stdin; got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			var (
				in   io.Reader
				size int64
			)
			if name == "-" {
				in, name = a.stdin, "stdin"
			} else {
				f, err := os.Open(name)
				if err != nil {
					return inputError(fmt.Errorf("push: %w", err))
				}
				defer f.Close()
				if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
					size = st.Size()
				}
				in = f
			}
			st, _, err := a.openStore(cmd.Context(), func(c *storage.Config) { c.Refresh = refresh })
			if err != nil {
				return err
			}
			defer st.Close()

			var bar *progress
			if size > 0 {
				bar = a.newByteProgress("pushing "+name, size)
			} else {
				bar = a.newSpinner("pushing "+name, "points")
			}
			began := time.Now()
			stats, err := pushStream(cmd.Context(), st, in, func(points, offset int64) {
				if size > 0 {
					bar.set(offset)
				} else {
					bar.add(points)
				}
			})
			bar.finish(err == nil)
			if err != nil {
				var de *dataframe.Error
				if errors.As(err, &de) && stats.points > 0 {
					return fmt.Errorf("push %s: %w (the %d points of the %d frames before it were stored; pushing the corrected input again is safe)",
						name, err, stats.points, stats.frames)
				}
				if errors.As(err, &de) {
					return fmt.Errorf("push %s: %w (nothing was stored)", name, err)
				}
				return fmt.Errorf("push %s: %w", name, err)
			}
			return writePushed(a, stats, time.Since(began))
		},
	}
	cmd.Flags().BoolVar(&refresh, "refresh", false, "make the points visible to searches before returning")
	return cmd
}

// pushStats counts what a push stored.
type pushStats struct {
	frames, points int64
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// pushBatch is a run of whole frames and the input offset reached when it was cut.
type pushBatch struct {
	frames []dataframe.DataFrame
	points int64
	offset int64
}

// pushStream decodes r frame by frame and pushes batches of whole frames (about pushBatchPoints
// points each; adjacent frames of the same period stay together) with pushWorkers concurrent
// Push calls, calling stored after each stored batch. Only a few batches are in memory at once.
// A decoding error stops reading; the batches already read are still pushed, and the returned
// stats say what was stored.
func pushStream(ctx context.Context, st storage.Storage, r io.Reader, stored func(points, offset int64)) (pushStats, error) {
	cr := &countingReader{r: r}
	dec := dataframe.NewDecoder(cr)
	var (
		mu       sync.Mutex
		stats    pushStats
		decodeEr error
	)
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan pushBatch, pushWorkers)
	g.Go(func() error {
		defer close(batches)
		var cur pushBatch
		send := func() error {
			cur.offset = cr.n
			select {
			case batches <- cur:
				cur = pushBatch{}
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		for {
			f, err := dec.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				// Push what was read before the bad frame, then report it.
				decodeEr = err
				break
			}
			if cur.points >= pushBatchPoints && !samePeriod(cur.frames[len(cur.frames)-1], f) {
				if err := send(); err != nil {
					return err
				}
			}
			cur.frames = append(cur.frames, f)
			cur.points += int64(f.Len())
		}
		if len(cur.frames) > 0 {
			return send()
		}
		return nil
	})
	for range pushWorkers {
		g.Go(func() error {
			for b := range batches {
				if err := st.Push(gctx, b.frames); err != nil {
					return err
				}
				mu.Lock()
				stats.frames += int64(len(b.frames))
				stats.points += b.points
				mu.Unlock()
				if stored != nil {
					stored(b.points, b.offset)
				}
			}
			return nil
		})
	}
	err := g.Wait()
	if err == nil {
		err = decodeEr
	}
	return stats, err
}

func samePeriod(a, b dataframe.DataFrame) bool {
	return a.Start.Equal(b.Start) && a.End.Equal(b.End)
}

// writePushed prints what push stored: {"frames": F, "points": P} in JSON.
func writePushed(a *app, s pushStats, took time.Duration) error {
	switch a.output {
	case formatJSON:
		_, err := fmt.Fprintf(a.stdout, "{\"frames\": %d, \"points\": %d}\n", s.frames, s.points)
		return err
	case formatCSV:
		t := &table{header: []string{"frames", "points"}}
		t.add(fmt.Sprint(s.frames), fmt.Sprint(s.points))
		return t.writeCSV(a.stdout)
	}
	rate := ""
	if secs := took.Seconds(); secs > 0 && s.points > 0 {
		rate = fmt.Sprintf(", %.0f points/s", float64(s.points)/secs)
	}
	_, err := fmt.Fprintf(a.stdout, "pushed %d points in %d frames (%s%s)\n", s.points, s.frames, took.Round(10*time.Millisecond), rate)
	return err
}
