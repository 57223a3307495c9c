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
  # Test binaries are named after the package's last element, so packages that share one
  # (helper/cloud and mockserver/cloud, the two report packages) go to separate -o
  # directories: round i holds each name's i-th package.
  declare -A seen=()
  rounds=()
  for p in $("$go" list ./...); do
    b=${p##*/}
    i=${seen[$b]:-0}
    seen[$b]=$((i + 1))
    rounds[i]+=" $p"
  done
  for i in "${!rounds[@]}"; do
    GOOS=$os GOARCH=amd64 CGO_ENABLED=0 "$go" test -c "${flags[@]}" -o "$out/$os-$i/" ${rounds[i]}
  done
  unset seen
  echo "cross-check: $os vet and test compile ok"
done
