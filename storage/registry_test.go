package storage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ckos/ckos/dataframe"
)

// fakeStorage is a Storage that only remembers the config it was opened with.
type fakeStorage struct{ cfg Config }

func (fakeStorage) Init(context.Context) error                        { return nil }
func (fakeStorage) Push(context.Context, []dataframe.DataFrame) error { return nil }
func (fakeStorage) Retrieve(context.Context, RetrieveQuery) (RetrieveResult, error) {
	return RetrieveResult{}, nil
}
func (fakeStorage) Total(context.Context, TotalQuery) (TotalResult, error) { return TotalResult{}, nil }
func (fakeStorage) Delete(context.Context, DeleteQuery) (int64, error)     { return 0, nil }
func (f fakeStorage) Retention() time.Duration                             { return f.cfg.Retention() }
func (fakeStorage) Close() error                                           { return nil }

// register registers d under name for the duration of the test.
func register(t *testing.T, name string, d Driver) {
	t.Helper()
	Register(name, d)
	t.Cleanup(func() {
		driversMu.Lock()
		defer driversMu.Unlock()
		delete(drivers, name)
	})
}

func opener(ctx context.Context, cfg Config) (Storage, error) { return fakeStorage{cfg}, nil }

func wantPanic(t *testing.T, what, mentions string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s did not panic", what)
			return
		}
		if msg, _ := r.(string); !strings.Contains(msg, mentions) {
			t.Errorf("%s panicked with %v, want a message mentioning %q", what, r, mentions)
		}
	}()
	fn()
}

func TestRegisterPanicsOnDuplicate(t *testing.T) {
	register(t, "test-dup", DriverFunc(opener))
	wantPanic(t, "registering test-dup twice", "test-dup", func() { Register("test-dup", DriverFunc(opener)) })
}

func TestRegisterPanicsOnNil(t *testing.T) {
	wantPanic(t, "registering a nil driver", "nil", func() { Register("test-nil", nil) })
	if slices.Contains(Drivers(), "test-nil") {
		t.Error("a nil driver was registered")
	}
}

func TestDriversSorted(t *testing.T) {
	for _, n := range []string{"test-zulu", "test-alpha", "test-mike"} {
		register(t, n, DriverFunc(opener))
	}
	var got []string
	for _, n := range Drivers() {
		if strings.HasPrefix(n, "test-") {
			got = append(got, n)
		}
	}
	if want := []string{"test-alpha", "test-mike", "test-zulu"}; !slices.Equal(got, want) {
		t.Errorf("Drivers() = %q, want %q among them in this order", Drivers(), want)
	}
	if !slices.IsSorted(Drivers()) {
		t.Errorf("Drivers() = %q is not sorted", Drivers())
	}
}

func TestOpenPassesTheConfig(t *testing.T) {
	register(t, "test-open", DriverFunc(opener))
	s, err := Open(t.Context(), "test-open", Config{RetentionHours: 5})
	if err != nil {
		t.Fatal(err)
	}
	if s.Retention() != 5*time.Hour {
		t.Errorf("opened storage has retention %v, want 5h", s.Retention())
	}
}

func TestOpenUnknownNamesTheRegisteredDrivers(t *testing.T) {
	register(t, "test-known", DriverFunc(opener))
	_, err := Open(t.Context(), "test-unknown", Config{})
	if !errors.Is(err, ErrUnknownDriver) {
		t.Fatalf("Open(unknown): %v, want ErrUnknownDriver", err)
	}
	for _, want := range []string{`"test-unknown"`, "test-known"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open(unknown): %q does not mention %s", err, want)
		}
	}
}

func TestOpenWrapsTheDriversError(t *testing.T) {
	cause := errors.New("no route to host")
	register(t, "test-failing", DriverFunc(func(context.Context, Config) (Storage, error) {
		return nil, errors.Join(ErrUnavailable, cause)
	}))
	_, err := Open(t.Context(), "test-failing", Config{})
	if !errors.Is(err, cause) || !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "test-failing") {
		t.Errorf("Open(failing) = %v, want an error naming the driver and wrapping its cause", err)
	}
}
