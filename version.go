// Package ckos stores OpenStack CloudKitty rating data in OpenSearch; see the storage package.
package ckos

// Version is ckos's version, stamped into every object it installs in a cluster.
const Version = "0.1.0"
