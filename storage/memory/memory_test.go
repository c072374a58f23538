package memory_test

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York and friends on machines without a zoneinfo database

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
	"github.com/ckos/ckos/storage/memory"
	"github.com/ckos/ckos/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		return memory.New(storage.Config{Refresh: true})
	})
}

func TestConformanceTimeMatchInside(t *testing.T) {
	storagetest.RunTimeMatchInside(t, func(t *testing.T) storage.Storage {
		return memory.New(storage.Config{TimeMatch: storage.TimeMatchInside})
	})
}

func TestConformanceTimeZones(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("UTC+05:30", 5*3600+1800), ny} {
		t.Run(loc.String(), func(t *testing.T) {
			storagetest.RunTimeZone(t, loc, func(t *testing.T) storage.Storage {
				return memory.New(storage.Config{Location: loc})
			})
		})
	}
}

func TestDiffSanity(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 0} {
		storagetest.Diff(t, memory.New(storage.Config{}), memory.New(storage.Config{}), storagetest.DiffOptions{Seed: seed})
	}
}

// TestDiffCatchesADifference checks that Diff is not blind: run against a store that drops every
// point of one project, it must fail and name the seed. Diff fails the test it is given, so the
// failing run happens in a child process.
func TestDiffCatchesADifference(t *testing.T) {
	if os.Getenv("CKOS_DIFF_BROKEN_STORE") == "1" {
		storagetest.Diff(t, memory.New(storage.Config{}), dropProject{memory.New(storage.Config{})}, storagetest.DiffOptions{Seed: 7, Queries: 50})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiffCatchesADifference$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CKOS_DIFF_BROKEN_STORE=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("Diff passed against a store that drops a project's points:\n%s", out)
	}
	for _, want := range []string{"--- FAIL: TestDiffCatchesADifference", "reproduce with seed 7", "Diff: query #"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the failing Diff's output does not contain %q:\n%s", want, out)
		}
	}
}

// dropProject is a Storage that silently drops the points of project "2022" on Push.
type dropProject struct{ *memory.Store }

func (d dropProject) Push(ctx context.Context, frames []dataframe.DataFrame) error {
	var out []dataframe.DataFrame
	for _, f := range frames {
		g := dataframe.DataFrame{Start: f.Start, End: f.End}
		for typ, pts := range f.Usage {
			for _, p := range pts {
				if p.Groupby["project_id"] != "2022" {
					g.AddPoint(typ, p)
				}
			}
		}
		out = append(out, g)
	}
	return d.Store.Push(ctx, out)
}

func TestRegisteredAsMemory(t *testing.T) {
	if !slices.Contains(storage.Drivers(), "memory") {
		t.Fatalf("Drivers() = %v, want memory among them", storage.Drivers())
	}
	s, err := storage.Open(t.Context(), "memory", storage.Config{RetentionHours: 48})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Retention(); got != 48*time.Hour {
		t.Errorf("Retention() = %v, want 48h", got)
	}
	_, err = storage.Open(t.Context(), "memory", storage.Config{TimeMatch: "overlap"})
	if !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("Open with time match overlap: %v, want ErrInvalid", err)
	}
}

func TestDefaultRetention(t *testing.T) {
	if got := memory.New(storage.Config{}).Retention(); got != 2400*time.Hour {
		t.Errorf("Retention() = %v, want 2400h", got)
	}
}

func TestClockSetsTheDefaultRange(t *testing.T) {
	now := time.Date(2023, 12, 20, 15, 0, 0, 0, time.UTC)
	s := memory.New(storage.Config{}, memory.WithClock(func() time.Time { return now }))
	ctx := t.Context()
	var frames []dataframe.DataFrame
	for _, start := range []time.Time{
		time.Date(2023, 11, 30, 23, 0, 0, 0, time.UTC),
		time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		f := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
		f.AddPoint("a", dataframe.DataPoint{Qty: 1, Price: 1})
		frames = append(frames, f)
	}
	if err := s.Push(ctx, frames); err != nil {
		t.Fatal(err)
	}
	res, err := s.Retrieve(ctx, storage.RetrieveQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || len(res.DataFrames) != 2 || !res.DataFrames[0].Start.Equal(frames[1].Start) || !res.DataFrames[1].Start.Equal(frames[2].Start) {
		t.Errorf("default range of December 2023 returned %d points in %v", res.Total, res.DataFrames)
	}
	tot, err := s.Total(ctx, storage.TotalQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tot.Rows) != 1 || !tot.Rows[0].Begin.Equal(frames[1].Start) || !tot.Rows[0].End.Equal(frames[3].Start) {
		t.Errorf("default total rows = %v, want one row for December 2023", tot.Rows)
	}
}

func TestRetrieveReturnsCopies(t *testing.T) {
	s := memory.New(storage.Config{})
	ctx := t.Context()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
	gb := map[string]string{"project_id": "p"}
	f.AddPoint("a", dataframe.DataPoint{Qty: 1, Price: 1, Groupby: gb})
	if err := s.Push(ctx, []dataframe.DataFrame{f}); err != nil {
		t.Fatal(err)
	}
	gb["project_id"] = "changed by the caller after Push"
	q := storage.RetrieveQuery{Window: storage.Window{Begin: start, End: start.Add(time.Hour)}}
	res, err := s.Retrieve(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	res.DataFrames[0].Usage["a"][0].Groupby["project_id"] = "changed by the caller after Retrieve"
	res, err = s.Retrieve(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.DataFrames[0].Usage["a"][0].Groupby["project_id"]; got != "p" {
		t.Errorf("stored project_id = %q, want p", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := memory.New(storage.Config{})
	ctx := t.Context()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	w := storage.Window{Begin: start, End: start.Add(24 * time.Hour)}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				f := dataframe.DataFrame{Start: start.Add(time.Duration(j) * time.Hour % (24 * time.Hour)), End: start.Add(time.Duration(j)*time.Hour%(24*time.Hour) + time.Hour)}
				f.AddPoint("a", dataframe.DataPoint{Qty: 1, Price: 1, Groupby: map[string]string{"worker": string(rune('a' + i)), "j": string(rune('A' + j))}})
				if err := s.Push(ctx, []dataframe.DataFrame{f}); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Total(ctx, storage.TotalQuery{Window: w, Groupby: []string{"worker"}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	res, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w, All: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 400 {
		t.Errorf("Total = %d after 8 workers pushed 50 distinct points each, want 400", res.Total)
	}
}

func TestPushErrorsNameTheLocation(t *testing.T) {
	s := memory.New(storage.Config{})
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
	bad := dataframe.DataFrame{Start: start, End: start.Add(time.Hour)}
	bad.AddPoint("instance", dataframe.DataPoint{Qty: 1})
	bad.AddPoint("instance", dataframe.DataPoint{Qty: 1, Price: math.NaN()})
	err := s.Push(t.Context(), []dataframe.DataFrame{ok, bad})
	if !errors.Is(err, storage.ErrInvalid) || !strings.Contains(err.Error(), `frames[1].usage["instance"][1].rating.price`) {
		t.Errorf("Push error = %v, want ErrInvalid naming frames[1].usage[\"instance\"][1].rating.price", err)
	}
}
