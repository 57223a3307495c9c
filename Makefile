# git-credential-bitbucket: see README.md
GO      ?= go
BIN     ?= bin
PREFIX  ?= $(HOME)/.local
FUZZTIME ?= 30s

.PHONY: all build test conformance bench fuzz lint install clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

conformance: build
	@echo "conformance: no suite yet"

bench:
	@echo "bench: no benchmarks yet"

fuzz:
	@echo "fuzz: no fuzz targets yet"

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

install: build
	install -d $(PREFIX)/bin
	install -m 0755 $(BIN)/git-credential-bitbucket $(BIN)/bitbucket-mock $(PREFIX)/bin/

clean:
	rm -rf $(BIN)
