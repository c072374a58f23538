package storagetest

import (
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

var deleteBase = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// deleteData is four hourly frames (the third lasting two hours) with two projects, two types and
// a flavor in metadata: 4 frames × 2 projects × 2 types = 16 points.
func deleteData() []dataframe.DataFrame {
	var frames []dataframe.DataFrame
	for i, start := range []float64{0, 1, 2, 4} {
		d := time.Hour
		if start == 2 {
			d = 2 * time.Hour
		}
		var pts []pt
		for _, project := range []string{Tenant, OtherTenant} {
			flavor := "m1.small"
			if project == OtherTenant {
				flavor = "M1.Large"
			}
			pts = append(pts,
				pt{Type: "compute", Qty: 1, Price: 1, Groupby: kv("id", "c", "project_id", project), Metadata: kv("flavor", flavor)},
				pt{Type: "storage", Qty: 10, Price: 2, Groupby: kv("id", "s", "project_id", project), Metadata: kv("frame", string(rune('0'+i)))},
			)
		}
		frames = append(frames, frame(hours(deleteBase, start), d, pts...))
	}
	return frames
}

func runDelete(t *testing.T, open func(t *testing.T) storage.Storage) {
	everything := storage.Window{Begin: deleteBase, End: hours(deleteBase, 24)}
	fresh := func(t *testing.T) storage.Storage {
		s := open(t)
		push(t, s, deleteData()...)
		wantEqual(t, "points before delete", len(all(t, s, everything)), 16)
		return s
	}
	// left returns how many points of each project survive.
	left := func(t *testing.T, s storage.Storage) (tenant, other int) {
		for _, p := range all(t, s, everything) {
			switch p.P.Groupby["project_id"] {
			case Tenant:
				tenant++
			case OtherTenant:
				other++
			}
		}
		return tenant, other
	}

	t.Run("honours a project filter: the other project survives", func(t *testing.T) {
		s := fresh(t)
		n := del(t, s, storage.Window{Begin: deleteBase, End: hours(deleteBase, 24), Filters: storage.Filters{"project_id": {OtherTenant}}})
		wantEqual(t, "deleted", n, int64(8))
		tenant, other := left(t, s)
		wantEqual(t, "Tenant points left", tenant, 8)
		wantEqual(t, "OtherTenant points left", other, 0)
		qty, rate, _ := sums(t, s, everything)
		wantNear(t, "qty left", qty, 44)
		wantNear(t, "rate left", rate, 12)
	})
	t.Run("honours metric types", func(t *testing.T) {
		s := fresh(t)
		n := del(t, s, storage.Window{MetricTypes: []string{"storage"}})
		wantEqual(t, "deleted", n, int64(8))
		for _, p := range all(t, s, everything) {
			if p.Type != "compute" {
				t.Errorf("%s survived a delete of type storage", p.key())
			}
		}
	})
	t.Run("honours the type filter key", func(t *testing.T) {
		s := fresh(t)
		n := del(t, s, storage.Window{Filters: storage.Filters{"type": {"compute"}, "project_id": {Tenant}}})
		wantEqual(t, "deleted", n, int64(4))
		wantEqual(t, "points left", len(all(t, s, everything)), 12)
		w := everything
		w.Filters = storage.Filters{"type": {"compute"}, "project_id": {Tenant}}
		wantEqual(t, "deleted points left", len(all(t, s, w)), 0)
	})
	t.Run("honours metadata filters and ANDs keys", func(t *testing.T) {
		s := fresh(t)
		n := del(t, s, storage.Window{Filters: storage.Filters{"flavor": {"M1.Large"}, "project_id": {Tenant, OtherTenant}}})
		wantEqual(t, "deleted", n, int64(4))
		n = del(t, s, storage.Window{Filters: storage.Filters{"flavor": {"m1.small"}, "project_id": {OtherTenant}}})
		wantEqual(t, "deleted with a contradiction", n, int64(0))
		n = del(t, s, storage.Window{Filters: storage.Filters{"frame": {"0", "3"}}})
		wantEqual(t, "deleted by a metadata list", n, int64(4))
		wantEqual(t, "points left", len(all(t, s, everything)), 8)
	})
	t.Run("honours the start time match", func(t *testing.T) {
		s := fresh(t)
		// [01:00, 03:00) holds the frames starting at 01:00 and at 02:00 (which ends at 04:00).
		n := del(t, s, storage.Window{Begin: hours(deleteBase, 1), End: hours(deleteBase, 3)})
		wantEqual(t, "deleted", n, int64(8))
		var starts []string
		for _, p := range all(t, s, everything) {
			if p.P.Groupby["id"] == "c" && p.P.Groupby["project_id"] == Tenant {
				starts = append(starts, p.Start.Format("15:04"))
			}
		}
		wantStrings(t, "frames left", starts, []string{"00:00", "04:00"})
	})
	t.Run("an open begin deletes everything before end", func(t *testing.T) {
		s := fresh(t)
		n := del(t, s, storage.Window{End: hours(deleteBase, 2)})
		wantEqual(t, "deleted", n, int64(8))
		wantEqual(t, "points left", len(all(t, s, everything)), 8)
	})
	t.Run("an open end deletes everything from begin", func(t *testing.T) {
		s := fresh(t)
		n := del(t, s, storage.Window{Begin: hours(deleteBase, 2), Filters: storage.Filters{"project_id": {Tenant}}})
		wantEqual(t, "deleted", n, int64(4))
		wantEqual(t, "points left", len(all(t, s, everything)), 12)
	})
	t.Run("no bounds and a filter deletes that filter's points", func(t *testing.T) {
		s := fresh(t)
		n := del(t, s, storage.Window{Filters: storage.Filters{"project_id": {Tenant}}})
		wantEqual(t, "deleted", n, int64(8))
		tenant, other := left(t, s)
		wantEqual(t, "Tenant points left", tenant, 0)
		wantEqual(t, "OtherTenant points left", other, 8)
	})
	t.Run("deleting nothing returns zero", func(t *testing.T) {
		s := fresh(t)
		wantEqual(t, "deleted in an empty window", del(t, s, storage.Window{Begin: hours(deleteBase, 100), End: hours(deleteBase, 101)}), int64(0))
		wantEqual(t, "deleted by an unknown project", del(t, s, storage.Window{Filters: storage.Filters{"project_id": {"nobody"}}}), int64(0))
		wantEqual(t, "points left", len(all(t, s, everything)), 16)
	})
	t.Run("begin not before end is invalid", func(t *testing.T) {
		s := fresh(t)
		for _, w := range []storage.Window{
			{Begin: hours(deleteBase, 2), End: hours(deleteBase, 2)},
			{Begin: hours(deleteBase, 3), End: hours(deleteBase, 2)},
		} {
			_, err := s.Delete(t.Context(), storage.DeleteQuery{Window: w})
			wantInvalid(t, "Delete "+describeWindow(w), err)
		}
		wantEqual(t, "points left", len(all(t, s, everything)), 16)
	})
	t.Run("delete then re-push one project's window leaves no duplicates", func(t *testing.T) {
		s := fresh(t)
		// CloudKitty's reprocessing: delete a scope's window, then push it again re-rated.
		w := storage.Window{Begin: hours(deleteBase, 1), End: hours(deleteBase, 3), Filters: storage.Filters{"project_id": {Tenant}}}
		wantEqual(t, "deleted", del(t, s, w), int64(4))
		for _, f := range deleteData()[1:3] {
			re := dataframe.DataFrame{Start: f.Start, End: f.End}
			for typ, pts := range f.Usage {
				for _, p := range pts {
					if p.Groupby["project_id"] == Tenant {
						p.Price *= 10
						re.AddPoint(typ, p)
					}
				}
			}
			push(t, s, re)
		}
		wantEqual(t, "points", len(all(t, s, everything)), 16)
		_, rate, _ := sums(t, s, w)
		wantNear(t, "re-rated window rate", rate, 60)
	})
}
