package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/storage"
)

var lifeBase = time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)

func runLifecycle(t *testing.T, open func(t *testing.T) storage.Storage) {
	w := storage.Window{Begin: lifeBase, End: hours(lifeBase, 1)}
	data := frame(lifeBase, time.Hour, pt{Type: "a", Qty: 1, Price: 1})

	t.Run("init is idempotent", func(t *testing.T) {
		s := open(t)
		push(t, s, data)
		for i := range 2 {
			if err := s.Init(t.Context()); err != nil {
				t.Fatalf("Init #%d: %v", i+1, err)
			}
		}
		wantEqual(t, "points after Init", len(all(t, s, w)), 1)
	})
	t.Run("retention is positive", func(t *testing.T) {
		s := open(t)
		if r := s.Retention(); r <= 0 {
			t.Errorf("Retention() = %v, want > 0", r)
		}
	})
	t.Run("a closed storage refuses every call with ErrClosed", func(t *testing.T) {
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		ctx := t.Context()
		wantClosed := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, storage.ErrClosed) {
				t.Errorf("%s after Close: %v, want storage.ErrClosed", what, err)
			}
		}
		wantClosed("Init", s.Init(ctx))
		wantClosed("Push", s.Push(ctx, []dataframe.DataFrame{data}))
		_, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w})
		wantClosed("Retrieve", err)
		_, err = s.Total(ctx, storage.TotalQuery{Window: w})
		wantClosed("Total", err)
		_, err = s.Delete(ctx, storage.DeleteQuery{Window: w})
		wantClosed("Delete", err)
	})
	t.Run("a cancelled context fails the call", func(t *testing.T) {
		s := open(t)
		push(t, s, data)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		wantCanceled := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: %v, want context.Canceled", what, err)
			}
		}
		wantCanceled("Push", s.Push(ctx, []dataframe.DataFrame{frame(hours(lifeBase, 2), time.Hour, pt{Type: "a", Qty: 1, Price: 1})}))
		_, err := s.Retrieve(ctx, storage.RetrieveQuery{Window: w})
		wantCanceled("Retrieve", err)
		_, err = s.Total(ctx, storage.TotalQuery{Window: w})
		wantCanceled("Total", err)
		_, err = s.Delete(ctx, storage.DeleteQuery{Window: w})
		wantCanceled("Delete", err)
		wantEqual(t, "points left", len(all(t, s, storage.Window{Begin: lifeBase, End: hours(lifeBase, 24)})), 1)
	})
}
