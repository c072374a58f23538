package storage

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// Driver opens a Storage from a configuration; drivers register one under a name.
type Driver interface {
	Open(ctx context.Context, cfg Config) (Storage, error)
}

// DriverFunc adapts a function to the Driver interface.
type DriverFunc func(ctx context.Context, cfg Config) (Storage, error)

// Open calls f.
func (f DriverFunc) Open(ctx context.Context, cfg Config) (Storage, error) { return f(ctx, cfg) }

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// Register makes a driver available under name; it panics if d is nil or name is taken.
func Register(name string, d Driver) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if d == nil {
		panic("storage: Register driver is nil")
	}
	if _, dup := drivers[name]; dup {
		panic("storage: Register called twice for driver " + name)
	}
	drivers[name] = d
}

// Drivers returns the sorted names of the registered drivers.
func Drivers() []string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	names := make([]string, 0, len(drivers))
	for n := range drivers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open opens a Storage with the driver registered under name.
func Open(ctx context.Context, name string, cfg Config) (Storage, error) {
	driversMu.RLock()
	d, ok := drivers[name]
	driversMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q (registered: %v; import its package to register it)", ErrUnknownDriver, name, Drivers())
	}
	s, err := d.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s storage: %w", name, err)
	}
	return s, nil
}
