#!/usr/bin/env bash
# cross-check.sh: go vet (test files included) and a test-binary compile of every package for
# Windows and macOS, so build-tagged files on either side cannot rot unnoticed on Linux CI.
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
# The release build's flags (scripts/dist.sh), so `make dist` after this reuses the compiled
# packages; one `go test -c` for every package links the test binaries in parallel.
flags=(-trimpath -tags "${DIST_TAGS-nethttpomithttp2}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for os in windows darwin; do
  GOOS=$os GOARCH=amd64 CGO_ENABLED=0 "$go" vet "${flags[@]}" ./...
  # Two packages are both named report: their test binaries cannot share one -o directory.
  pkgs=$("$go" list ./... | grep -v /conformance/cmd/report)
  GOOS=$os GOARCH=amd64 CGO_ENABLED=0 "$go" test -c "${flags[@]}" -o "$out/$os/" $pkgs
  GOOS=$os GOARCH=amd64 CGO_ENABLED=0 "$go" test -c "${flags[@]}" -o "$out/$os-cmd/" ./conformance/cmd/report
  echo "cross-check: $os vet and test compile ok"
done
