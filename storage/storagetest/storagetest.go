// Package storagetest is the conformance suite of the storage contract (SPEC.md §1–3): Run checks
// any storage.Storage against every rule, with CloudKitty's own storage scenarios and a case for
// every flaw of the upstream Elasticsearch/OpenSearch drivers; Diff compares two drivers on random
// data and queries.
package storagetest

import (
	"testing"

	"github.com/ckos/ckos/storage"
)

// Run runs the conformance suite. open must return an empty, initialised storage configured with
// the defaults (UTC, time match "start") whose writes are visible to the next query (Refresh);
// every call must give a store that no other call sees. Each case is a named subtest.
func Run(t *testing.T, open func(t *testing.T) storage.Storage) {
	t.Run("cloudkitty", func(t *testing.T) { runCloudKitty(t, open) })
	t.Run("filters", func(t *testing.T) { runFilters(t, open) })
	t.Run("delete", func(t *testing.T) { runDelete(t, open) })
	t.Run("missing groupby keys", func(t *testing.T) { runMissing(t, open) })
	t.Run("pages", func(t *testing.T) { runPages(t, open) })
	t.Run("time windows", func(t *testing.T) { runWindows(t, open) })
	t.Run("push", func(t *testing.T) { runPush(t, open) })
	t.Run("custom fields", func(t *testing.T) { runCustomFields(t, open) })
	t.Run("time groupbys", func(t *testing.T) { runTimeGroupbys(t, open) })
	t.Run("calendar groupbys", func(t *testing.T) { runCalendar(t, open) })
	t.Run("lifecycle", func(t *testing.T) { runLifecycle(t, open) })
}
