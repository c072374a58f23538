package templates

import (
	"context"
	"time"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"

	"github.com/ckos/ckos/mapping"
)

// RetentionInfo is how retention is configured and enforced for a prefix.
type RetentionInfo struct {
	Prefix         string              `json:"prefix"`
	RetentionHours int                 `json:"retention_hours"`
	Granularity    mapping.Granularity `json:"granularity"`
	// Cutoff is now minus the retention period: an index whose date range ends at or before it
	// holds only expired data, and `ckos retention enforce` deletes it.
	Cutoff time.Time `json:"cutoff"`
	// PolicyMinIndexAge is the index age at which the ISM/ILM policy deletes an index.
	PolicyMinIndexAge string `json:"policy_min_index_age"`
	// Policy is the retention policy's state in the cluster (see Status).
	Policy Entry `json:"policy"`
}

// RetentionPolicyInfo returns the configured retention of s, the cutoff at now, and the state of
// the retention policy in the cluster.
func RetentionPolicyInfo(ctx context.Context, c *opensearchapi.Client, s Settings, now time.Time) (RetentionInfo, error) {
	info := RetentionInfo{
		Prefix:            s.Prefix,
		RetentionHours:    s.RetentionHours,
		Granularity:       s.Granularity,
		Cutoff:            now.UTC().Add(-time.Duration(s.RetentionHours) * time.Hour),
		PolicyMinIndexAge: s.MinIndexAge(),
	}
	r, err := Status(ctx, c, s)
	if err != nil {
		return info, err
	}
	for _, e := range r.Objects {
		if e.Object == ObjectISMPolicy || e.Object == ObjectILMPolicy {
			info.Policy = e
		}
	}
	return info, nil
}
