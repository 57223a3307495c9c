# git-credential-bitbucket: see README.md
GO      ?= go
BIN     ?= bin
PREFIX  ?= $(HOME)/.local
FUZZTIME ?= 30s
BENCH_RUNS ?= 200
# mockbench flags (go run ./scripts/mockbench -h), e.g. MOCKBENCH_FLAGS=-mixed=50000
MOCKBENCH_FLAGS ?=
DIST    ?= dist

# Release stamp (cmd/git-credential-bitbucket: `version` prints it): the
# nearest tag (else the short commit), the commit and the commit's date, so
# two builds of one commit are the same bytes.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
LDFLAGS  = -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
# Static binaries (no dynamic loader, no libc: the hot path starts about
# 12% faster and maps less), and without net/http's bundled HTTP/2, which
# no Bitbucket endpoint needs: the whole binary is paged in at start-up, so
# its size is the hot path's memory (scripts/bench-process.sh).
GOTAGS  ?= nethttpomithttp2

.PHONY: all build test conformance bench fuzz lint install clean dist check-dist man

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags "$(GOTAGS)" -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

# The man page, generated from the help texts the binary prints
# (scripts/genman); not committed: `man -l man/git-credential-bitbucket.1`.
man:
	$(GO) run ./scripts/genman -version "$(VERSION)" -o man/git-credential-bitbucket.1

# Release archives for linux, darwin and windows on amd64 and arm64, plus
# SHA256SUMS (scripts/dist.sh); check-dist verifies them (CI runs it).
dist:
	GO="$(GO)" DIST_TAGS="$(GOTAGS)" scripts/dist.sh "$(DIST)" "$(VERSION)" "$(COMMIT)" "$(DATE)"

check-dist: dist
	scripts/check-dist.sh "$(DIST)" "$(COMMIT)"

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# The conformance suite (conformance/README.md): every case against the
# in-process mock, the bitbucket-mock binary, the real-target mode pointed at
# the binary, and a real Bitbucket when CONFORMANCE_* variables are set.
# One line per case, closing "N passed, N failed, N skipped"; non-zero exit on
# any failure; CONFORMANCE_JUNIT=path also writes JUnit XML. MODERN_GIT (a git
# >= 2.41 for the password_expiry_utc script) defaults to /opt/modern-git/bin/git.
conformance: build
	@$(GO) build -o "$(BIN)/.conformance-report" ./conformance/cmd/report
	@MODERN_GIT="$${MODERN_GIT:-$$(test -x /opt/modern-git/bin/git && echo /opt/modern-git/bin/git)}" \
	CONFORMANCE_MOCK_BIN="$(abspath $(BIN))/bitbucket-mock" \
	CONFORMANCE_HELPER_BIN="$(abspath $(BIN))/git-credential-bitbucket" \
	$(GO) test ./conformance -run '^Test(InProcess|Binary|InProcess2025|Binary2025|Real|RealModeOnMock)$$' \
		-count=1 -parallel 8 -timeout 5m -json \
	| "$(BIN)/.conformance-report"

bench: build
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./... | tee $(BIN)/bench.txt | awk -f scripts/bench-ratios.awk
	scripts/bench-process.sh $(BENCH_RUNS)
	$(GO) run ./scripts/mockbench -mock $(BIN)/bitbucket-mock $(MOCKBENCH_FLAGS)

# Every fuzz target for FUZZTIME each (make fuzz FUZZTIME=5m).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz: $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg; \
	  done; \
	done

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

install: build
	install -d $(PREFIX)/bin
	install -m 0755 $(BIN)/git-credential-bitbucket $(BIN)/git-credential-bitbucket-fast $(BIN)/bitbucket-mock $(PREFIX)/bin/

clean:
	rm -rf $(BIN) $(DIST) man
