package opensearch

import (
	"context"
	"fmt"

	"github.com/ckos/ckos/templates"
)

// Init installs what the Store needs in the cluster — the index template, and the retention
// policy where the cluster supports it — without clobbering objects an operator changed.
// It is idempotent.
func (s *Store) Init(ctx context.Context) error {
	if err := s.check(); err != nil {
		return err
	}
	set, err := templates.SettingsFromConfig(s.cfg)
	if err != nil {
		return err
	}
	set.Distribution = templates.Distribution(s.flavor)
	if _, err := templates.Install(ctx, s.client, set, templates.InstallOptions{}); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	s.templateOK.Store(true)
	return nil
}
