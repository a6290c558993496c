# rampart build, test and benchmark entry points. `make help` lists them.
GO       ?= go
VERSION  ?= 0.1.0-dev
BIN      := bin
# -trimpath and a fixed version make rebuilds of the same source byte-identical, so the
# local provider does not see a "new" runtime binary after every build.
LDFLAGS  := -s -w -X github.com/rampart-sec/rampart/version.Version=$(VERSION)
GOBUILD  := CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)'
BINARIES := rampart rampart-provider-local rampart-provider-docker rampart-waf rampart-gateway rampart-cdr rampart-scanner

.PHONY: help build demo test test-short bench bench-plan bench-waf bench-docker bench-gateway bench-scanner bench-cdr ftw lint coraza-test proto clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build every binary into bin/
	@mkdir -p $(BIN)
	$(GOBUILD) -o $(BIN)/ $(addprefix ./cmd/,$(BINARIES))

demo: build ## run the quickstart end to end on loopback (no Docker, no network, no root)
	$(GO) run ./examples/quickstart/demo -bin $(BIN)

test: build ## unit, integration and end-to-end tests
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

test-short: ## unit tests only
	$(GO) test -short ./...

bench: build ## Go benchmarks, then the side-by-side comparisons
	$(GO) test -run '^$$' -bench . -skip 'BenchmarkPlan1000' -benchmem ./... | tee bench/results/go-bench.txt
	$(MAKE) bench-plan

bench-plan: build ## plan of 1,000 appliances with state already matching → bench/results/plan.json
	$(GO) test -run '^$$' -bench 'BenchmarkPlan1000' -benchtime 5x -timeout 30m ./engine/ | tee bench/results/plan.txt
	$(GO) run ./bench/report -area plan < bench/results/plan.txt

bench-waf: build ## rampart-waf vs nginx + ModSecurity 3 with CRS v4 (installs nginx, wrk) → bench/results/waf.json
	bash bench/waf/run.sh

bench-docker: ## Docker provider vs a direct Docker API loop, N = 10, 50, 200 WAF containers → bench/results/docker.json
	bash bench/docker/run.sh

bench-gateway: ## rampart-gateway vs Squid (installs squid-openssl) → bench/results/gateway.json
	bash bench/gateway/run.sh

bench-scanner: ## rampart-scanner vs nmap on a namespace lab it builds (root; installs nmap and the services) → bench/results/scanner.json
	bash bench/scanner/run.sh

bench-cdr: ## rampart-cdr vs Suricata 7 (unpacked from bookworm-backports, not installed) → bench/results/cdr.json
	bash bench/cdr/run.sh

ftw: build ## the OWASP CRS v4.25.0 regression corpus against rampart-waf → bench/results/crs-regression.txt
	$(GO) run ./bench/ftw -bin $(BIN)/rampart-waf -tests ../shared/data/crs-v4.25.0-tests/tests/regression/tests

lint: ## gofmt, go vet and staticcheck
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "run gofmt -w"; exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	third_party/coraza/sync.sh -check

coraza-test: ## upstream Coraza's own tests on our patched copy (third_party/coraza)
	third_party/coraza/sync.sh -test

proto: ## regenerate providers/protocol from rampart.proto
	cd providers/protocol && ./generate.sh

clean:
	rm -rf $(BIN)
