#!/usr/bin/env bash
# cross-check.sh: go vet (test files included) and a test-binary compile of every package for
# Windows and macOS, so build-tagged files on either side cannot rot unnoticed on Linux CI.
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
for os in windows darwin; do
  GOOS=$os GOARCH=amd64 "$go" vet ./...
  for pkg in $("$go" list ./...); do
    GOOS=$os GOARCH=amd64 "$go" test -c -o /dev/null "$pkg"
  done
  echo "cross-check: $os vet and test compile ok"
done
