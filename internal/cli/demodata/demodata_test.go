package demodata

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var start = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func TestOptionsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		o   Options
		msg string
	}{
		{Options{Start: start, Days: 0, Projects: 1, Resources: 1}, "days 0: must be at least 1"},
		{Options{Start: start, Days: 1, Projects: 0, Resources: 1}, "projects 0: must be at least 1"},
		{Options{Start: start, Days: 1, Projects: 1, Resources: 0}, "resources 0: must be at least 1"},
		{Options{Start: start, Days: 1, Projects: 1, Resources: 1, Period: 7 * time.Hour}, "period 7h0m0s: must divide a day"},
		{Options{Days: 1, Projects: 1, Resources: 1}, "start: not set"},
	} {
		_, err := New(tc.o)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.msg)
	}
}

func TestFramesAreHourlyAndDeterministic(t *testing.T) {
	o := Options{Start: start.Add(30 * time.Minute), Days: 2, Projects: 3, Resources: 40, Seed: 9}
	g, err := New(o)
	require.NoError(t, err)
	assert.Equal(t, 48, g.Frames())
	n := 0
	for {
		f, ok := g.Next()
		if !ok {
			break
		}
		if n == 0 {
			assert.Equal(t, start, f.Start, "start is truncated to the period")
		}
		assert.Equal(t, time.Hour, f.End.Sub(f.Start))
		assert.Equal(t, start.Add(time.Duration(n)*time.Hour), f.Start)
		n++
	}
	assert.Equal(t, 48, n)

	o.Days = 1
	var a, b bytes.Buffer
	sa, err := Write(&a, o)
	require.NoError(t, err)
	sb, err := Write(&b, o)
	require.NoError(t, err)
	assert.Equal(t, sa, sb)
	assert.Equal(t, a.Bytes(), b.Bytes())
	assert.EqualValues(t, 24, sa.Frames)
	assert.Equal(t, int64(bytes.Count(a.Bytes(), []byte("\n"))), sa.Frames)
}
