# ckos — build and test. `make test` starts a local OpenSearch node (scripts/opensearch.sh) unless
# OPENSEARCH_URL points at an existing cluster.

SHELL := /bin/bash
GO    ?= go

.PHONY: build test unit vet opensearch-up opensearch-down opensearch-logs opensearch-status

build:
	$(GO) build -o bin/ckos ./cmd/ckos

# Integration and unit tests against a real node. CKOS_REQUIRE_OPENSEARCH (from the environment)
# turns a missing cluster from a skip into a failure.
test:
	@set -e; \
	if [ -z "$${OPENSEARCH_URL:-}" ]; then \
		scripts/opensearch.sh up; \
		export OPENSEARCH_URL="http://127.0.0.1:$${OPENSEARCH_PORT:-9200}"; \
	fi; \
	echo "testing against OPENSEARCH_URL=$${OPENSEARCH_URL}"; \
	$(GO) vet ./...; \
	$(GO) test -race ./...

# Unit tests only: no node needed (integration tests skip in -short mode).
unit:
	$(GO) test -short ./...

vet:
	$(GO) vet ./...

opensearch-up:
	scripts/opensearch.sh up

opensearch-down:
	scripts/opensearch.sh down

opensearch-logs:
	scripts/opensearch.sh logs

opensearch-status:
	scripts/opensearch.sh status
