package ckos

// This file pins the project's third-party modules in go.mod until packages import them.

import (
	_ "github.com/cenkalti/backoff/v5"
	_ "github.com/opensearch-project/opensearch-go/v4"
	_ "github.com/ory/dockertest/v3"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/spf13/cobra"
	_ "github.com/stretchr/testify/require"
	_ "gopkg.in/ini.v1"
)
