#!/usr/bin/env bash
# dist.sh: release binaries, one archive per platform and SHA256SUMS, with plain `go build`
# (no release tool needed). Each binary is static (CGO_ENABLED=0), built with -trimpath and
# stamped with the version, commit and date through -ldflags (see cmd/git-credential-bitbucket).
#
#   scripts/dist.sh OUTDIR VERSION COMMIT DATE
#
# OUTDIR/<name>_<version>_<os>_<arch>/git-credential-bitbucket[.exe]   the helper
# OUTDIR/<name>_<version>_<os>_<arch>/git-credential-bitbucket-fast[.exe]  its fast front
# OUTDIR/<name>_<version>_<os>_<arch>.tar.gz                          + README.md and LICENSE
# OUTDIR/SHA256SUMS                                                   sha256sum of every archive
set -euo pipefail
out=$1 version=$2 commit=$3 date=$4
top=$(cd "$(dirname "$0")/.." && pwd)
go=${GO:-go}
name=git-credential-bitbucket
platforms=${DIST_PLATFORMS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"}
ldflags="-s -w -X main.version=$version -X main.commit=$commit -X main.date=$date"

rm -rf "$out"
mkdir -p "$out"
for p in $platforms; do
  os=${p%/*} arch=${p#*/}
  dir=${name}_${version}_${os}_${arch}
  sfx=; [ "$os" = windows ] && sfx=.exe
  mkdir -p "$out/$dir"
  for cmd in $name $name-fast; do
    (cd "$top" && CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$go" build -trimpath -tags "${DIST_TAGS-nethttpomithttp2}" \
      -ldflags "$ldflags" -o "$out/$dir/$cmd$sfx" ./cmd/$cmd)
  done
  cp "$top/README.md" "$top/LICENSE" "$out/$dir/"
  # Reproducible archives: fixed owner, order and time (the commit's date).
  tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$date" -czf "$out/$dir.tar.gz" "$dir"
  echo "dist: $out/$dir.tar.gz"
done
(cd "$out" && sha256sum -- *.tar.gz >SHA256SUMS)
echo "dist: $out/SHA256SUMS"
