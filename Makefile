# gitops-lint — run `make help` for the targets.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin/gitops-lint
# Tools the targets install through the Go module proxy, pinned.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(CURDIR)/.bin/golangci-lint-$(GOLANGCI_LINT_VERSION)
# go test's own 10-minute default hides a slow package until CI; fail
# loudly well before it. No package of make test needs two minutes on a
# quiet 2-core machine; the timeout leaves room for a busy one (the
# slowest package took 4.4 minutes with four times as many jobs as cores).
TEST_TIMEOUT ?= 8m
TEST_LONG_TIMEOUT ?= 15m
FUZZTIME ?= 10m

.PHONY: help build install demo test test-long lint vet fmt-check rego-test generate check-generated pluto-table bench bench-helm bench-peers corpus helm-equality fuzz fuzz-ci

help: ## show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/gitops-lint with the version stamped in
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/gitops-lint

install: ## go install ./cmd/gitops-lint with the version stamped in ($(go env GOPATH)/bin)
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/gitops-lint

demo: build ## run the check on the demo repository (exits 1: it has deliberate problems)
	-$(BIN) check testdata/repos/demo

# The built-in Rego library's tests run inside the race tests
# (TestPolicyTestCommand runs `policy test` in process and wants it to
# pass), so make test does not build and link the binary again for
# rego-test.
#
# make test runs the race tests in -short mode: the sweeps that repeat one
# thing many times (every embedded Kubernetes version, more planted
# defects, more repositories merged from shards) are smaller, and tests
# that only start child processes or scan the whole repository are left
# to test-long. test-long runs every test at full size without the race
# detector (which also checks the memory bounds race builds cannot), and
# CI runs both.
test: fmt-check vet lint ## gofmt, go vet, golangci-lint (pinned), race tests in -short mode (the Rego library's tests included)
	$(GO) test -race -short -count=1 -timeout $(TEST_TIMEOUT) ./...

test-long: ## every test at full size, without the race detector (CI runs it after make test)
	$(GO) test -count=1 -timeout $(TEST_LONG_TIMEOUT) ./...

rego-test: ## run the built-in Rego library's unit tests (gitops-lint policy test)
	$(GO) run ./cmd/gitops-lint policy test

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint: $(GOLANGCI_LINT) ## golangci-lint at the pinned version, with .golangci.yml (staticcheck included)
	$(GOLANGCI_LINT) run ./...

$(GOLANGCI_LINT):
	@mkdir -p $(CURDIR)/.bin
	GOBIN=$(CURDIR)/.bin/tmp-golangci $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(CURDIR)/.bin/tmp-golangci/golangci-lint $@ && rmdir $(CURDIR)/.bin/tmp-golangci

generate: ## regenerate embedded schemas, the API table, GitOps CRD schemas, docs and the JSON Schema of .gitops-lint.yaml (downloads k8s.io/kubernetes and the GitOps CRD modules through the Go module proxy)
	$(GO) generate ./...
	$(GO) run ./cmd/gitops-lint rules --format markdown -o docs/rules.md
	$(GO) run ./internal/config/schemagen -o docs/gitops-lint.schema.json

check-generated: generate ## fail when generated files or go.mod are stale
	$(GO) mod tidy
	@git diff --exit-code -- go.mod go.sum internal/schema/bundle internal/apis/served.json docs/rules.md docs/gitops-lint.schema.json || \
	  { echo "generated files or go.mod are stale: run make generate and go mod tidy, then commit"; exit 1; }

pluto-table: ## copy pluto's table of deprecated APIs, which the tests compare with ours (Go module proxy)
	cd internal/schema && $(GO) run ./gen -pluto ../apis/testdata/pluto/versions.yaml

bench: ## benchmarks on the synthetic repositories, the secret scan alone (also on ../shared/corpus when present), check over every hostile case as a process, and whole-process runs at scale (scripts/bench-scale.sh)
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 60m ./internal/engine/ ./internal/rules/secrets/ ./cmd/gitops-lint/
	./scripts/bench-scale.sh

fuzz: ## run every fuzz target for FUZZTIME each (default 10m; FUZZPARALLEL workers, default 1)
	GO=$(GO) FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

# CI fuzzes each target briefly, for inputs the seeds (which every go test
# runs) miss: with eight targets, the instrumented builds take about as
# long as 10 s of fuzzing each; make fuzz is the long run.
fuzz-ci: ## run every fuzz target for 20,000 inputs each, as CI does (a count: a duration races Go's fuzz coordinator)
	GO=$(GO) FUZZTIME=20000x ./scripts/fuzz.sh

bench-helm: ## the Helm case alone: 50 HelmReleases of a local chart x 4 environments checked in process, beside helm template run once per release (installs the helm v4 CLI into .bin as helm-equality does)
	GOBIN=$(CURDIR)/.bin $(GO) install helm.sh/helm/v4/cmd/helm@$$($(GO) list -m -f '{{.Version}}' helm.sh/helm/v4)
	$(GO) test -run '^$$' -bench '^BenchmarkHelm(Releases|TemplatePerRelease)$$' -benchtime 3x ./internal/engine/

bench-peers: ## time kustomize build | kubeconform on the same repositories
	./scripts/bench-peers.sh

helm-equality: ## compare in-process Helm renders with kustomize build --enable-helm and helm template (installs both through the Go module proxy)
	GOBIN=$(CURDIR)/.bin $(GO) install sigs.k8s.io/kustomize/kustomize/v5@v5.8.2
	GOBIN=$(CURDIR)/.bin $(GO) install helm.sh/helm/v4/cmd/helm@$$($(GO) list -m -f '{{.Version}}' helm.sh/helm/v4)
	$(GO) test -count=1 -run 'TestHelmChartsMatchKustomize|TestChartsMatchHelmTemplate' -v ./internal/render/ | grep -E '^(---|ok|FAIL|PASS)|helm_equality_test'

corpus: ## the tests over ../shared/corpus (GITOPS_LINT_CORPUS=1; not in make test): renders vs kustomize build, inferred sources, dependencies, GitOps references, planted defects (GITOPS_LINT_PLANTS per kind and entry)
	GOBIN=$(CURDIR)/.bin $(GO) install sigs.k8s.io/kustomize/kustomize/v5@v5.8.2
	GITOPS_LINT_CORPUS=1 $(GO) test -count=1 -run TestCorpusMatchesKustomize -v ./internal/render/ | grep -E '^(---|ok|FAIL|PASS)|corpus_test'
	GITOPS_LINT_CORPUS=1 $(GO) test -count=1 -timeout 60m -run 'TestInferredSourcesMatchOriginAnnotations|TestDependenciesCoverRecordedReads' ./internal/engine/
	GITOPS_LINT_CORPUS=1 $(GO) test -count=1 -timeout 60m -run TestCorpusReferences ./internal/rules/gitops/
	GITOPS_LINT_CORPUS=1 $(GO) test -count=1 -timeout 120m -run TestPlantedDefectsCorpus -v ./internal/engine/ | grep -E '^(---|ok|FAIL|PASS)|planted_test|^ *\|'

