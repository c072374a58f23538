# ckos — build and test. `make test` starts a local OpenSearch node (scripts/opensearch.sh) unless
# OPENSEARCH_URL points at an existing cluster.

SHELL := /bin/bash
GO    ?= go

.PHONY: build test unit vet bench demo opensearch-up opensearch-down opensearch-logs opensearch-status

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

# Benchmarks (push, total, decoding, …) against the node; -run '^$$' skips the tests.
bench:
	@set -e; \
	if [ -z "$${OPENSEARCH_URL:-}" ]; then \
		scripts/opensearch.sh up >/dev/null; \
		export OPENSEARCH_URL="http://127.0.0.1:$${OPENSEARCH_PORT:-9200}"; \
	fi; \
	echo "benchmarking against OPENSEARCH_URL=$${OPENSEARCH_URL}"; \
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The demo: a month of rated data for a small cloud, pushed and summed. It uses OPENSEARCH_URL,
# else starts the local node, and works under its own index prefix (DEMO_INDEX), so it never
# touches CloudKitty's own indices. The month is the last complete calendar month (UTC).
DEMO_INDEX     ?= ckos-demo
DEMO_SEED      ?= 42
DEMO_PROJECTS  ?= 30
DEMO_RESOURCES ?= 300
DEMO_BEGIN     ?= $(shell date -u -d "$$(date -u +%Y-%m-01) -1 month" +%Y-%m-%d)
DEMO_END       ?= $(shell date -u +%Y-%m-01)

demo: build
	@set -e; t0=$$SECONDS; \
	if [ -z "$${OPENSEARCH_URL:-}" ]; then \
		scripts/opensearch.sh up >/dev/null; \
		export OPENSEARCH_URL="http://127.0.0.1:$${OPENSEARCH_PORT:-9200}"; \
	fi; \
	export PATH="$(CURDIR)/bin:$$PATH" CKOS_URL="$$OPENSEARCH_URL" CKOS_INDEX="$(DEMO_INDEX)"; \
	show() { printf '\n$$ %s\n' "$$*" >&2; }; \
	run() { show "$$@"; "$$@"; }; \
	days=$$(( ($$(date -u -d "$(DEMO_END)" +%s) - $$(date -u -d "$(DEMO_BEGIN)" +%s)) / 86400 )); \
	data="bin/demo-$(DEMO_BEGIN).ndjson"; \
	echo "ckos demo: export CKOS_URL=$$CKOS_URL CKOS_INDEX=$$CKOS_INDEX"; \
	run ckos init; \
	gen="ckos demo-data --days $$days --projects $(DEMO_PROJECTS) --resources $(DEMO_RESOURCES) --start $(DEMO_BEGIN) --seed $(DEMO_SEED)"; \
	show "$$gen > $$data"; $$gen > "$$data"; \
	run ckos push --refresh "$$data"; \
	echo; echo "Cost of $(DEMO_BEGIN) .. $(DEMO_END) by metric type:"; \
	run ckos total --begin $(DEMO_BEGIN) --end $(DEMO_END) --groupby type --sort rate --desc; \
	echo; echo "Top 10 projects by cost:"; \
	run ckos total --begin $(DEMO_BEGIN) --end $(DEMO_END) --groupby project_id --sort rate --desc --limit 10 --quiet; \
	echo; \
	echo "Dashboards: import the saved objects (index pattern, visualizations, dashboard) with"; \
	echo "  ckos dashboards export > ckos-dashboards.ndjson   # then Dashboards Management > Saved objects > Import"; \
	echo "or straight into a running OpenSearch Dashboards:"; \
	echo "  ckos dashboards install --dashboards-url http://localhost:5601"; \
	echo "(with CKOS_INDEX=$(DEMO_INDEX) set as above, so the index pattern is $(DEMO_INDEX)-2*)"; \
	echo; echo "demo done in $$((SECONDS - t0))s"
