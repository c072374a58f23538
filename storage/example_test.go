package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ckos/ckos/dataframe"
	"github.com/ckos/ckos/internal/ostest"
	_ "github.com/ckos/ckos/opensearch" // registers the "opensearch" and "elasticsearch" drivers
	"github.com/ckos/ckos/storage"
)

// costByProject is the library in ten lines, as README.md shows it: open the OpenSearch
// driver, install its template, push one rated frame, and print the cost by project.
func costByProject(ctx context.Context, w io.Writer, url, index string) error {
	st, err := storage.Open(ctx, "opensearch", storage.Config{URLs: []string{url}, Index: index, Refresh: true})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Init(ctx); err != nil {
		return err
	}
	begin := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	frame := dataframe.DataFrame{Start: begin, End: begin.Add(time.Hour)}
	frame.AddPoint("instance", dataframe.DataPoint{Unit: "instance", Qty: 1, Price: 0.046,
		Groupby: map[string]string{"id": "vm-1", "project_id": "demo"}, Metadata: map[string]string{"flavor_name": "m1.medium"}})
	if err := st.Push(ctx, []dataframe.DataFrame{frame}); err != nil {
		return err
	}
	res, err := st.Total(ctx, storage.TotalQuery{Window: storage.Window{Begin: begin, End: begin.AddDate(0, 1, 0)}, Groupby: []string{"project_id"}})
	if err != nil {
		return err
	}
	for _, row := range res.Rows {
		project, _ := row.Group("project_id")
		rate, _ := row.Field("rate")
		fmt.Fprintf(w, "%s: %.3f\n", *project, rate)
	}
	return nil
}

// Example opens the OpenSearch driver on a local node, pushes a frame and sums it by project.
func Example() {
	if err := costByProject(context.Background(), os.Stdout, "http://localhost:9200", "cloudkitty"); err != nil {
		log.Fatal(err)
	}
}

// TestExample runs the example against the test cluster, under the test's own prefix.
func TestExample(t *testing.T) {
	e := ostest.Cluster(t)
	var out bytes.Buffer
	require.NoError(t, costByProject(t.Context(), &out, e.URL, e.Prefix))
	require.Equal(t, "demo: 0.046\n", out.String())
}
