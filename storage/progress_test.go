package storage

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProgress(t *testing.T) {
	ReportProgress(context.Background(), 1, 2) // no Progress: nothing happens
	var got [][2]int64
	ctx := WithProgress(context.Background(), func(done, total int64) { got = append(got, [2]int64{done, total}) })
	ReportProgress(ctx, 5, 10)
	ReportProgress(ctx, 10, 10)
	assert.Equal(t, [][2]int64{{5, 10}, {10, 10}}, got)
}
