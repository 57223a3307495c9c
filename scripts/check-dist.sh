#!/usr/bin/env bash
# check-dist.sh: checks what `make dist` wrote (CI runs it after the tests):
# six platforms, each with the helper and its fast front; each Linux binary statically linked
# (file(1)); every archive holds both binaries, README.md and LICENSE and matches SHA256SUMS;
# the host platform's binary prints a version line that names the commit it was built from,
# and its front, which hands `version` to the helper beside it, prints the same.
#
#   scripts/check-dist.sh DISTDIR COMMIT
set -euo pipefail
out=$1 commit=$2
name=git-credential-bitbucket
fail() { echo "check-dist: $*" >&2; exit 1; }
command -v file >/dev/null || fail "file(1) is not installed (Debian package: file)"

n=0
for bin in "$out"/${name}_*_*_*/$name "$out"/${name}_*_*_*/$name.exe; do
  [ -f "$bin" ] || continue
  n=$((n + 1))
  dir=$(basename "$(dirname "$bin")")
  sfx=; case $bin in *.exe) sfx=.exe;; esac
  front=$(dirname "$bin")/$name-fast$sfx
  [ -f "$front" ] || fail "$dir has no $name-fast$sfx"
  for b in "$bin" "$front"; do
    desc=$(file -b "$b")
    case $dir in
      *_linux_*) case $desc in *"statically linked"*) ;; *) fail "$b is not statically linked: $desc";; esac ;;
    esac
  done
  members=$(tar -tzf "$out/$dir.tar.gz")
  for m in LICENSE README.md "$name$sfx" "$name-fast$sfx"; do
    grep -qxF "$dir/$m" <<<"$members" || fail "$dir.tar.gz lacks $m"
  done
done
[ "$n" -eq 6 ] || fail "$n binaries, want 6"
(cd "$out" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the archives"
[ "$(wc -l <"$out/SHA256SUMS")" -eq 6 ] || fail "SHA256SUMS does not list 6 archives"

host=$(go env GOOS)_$(go env GOARCH)
bin=$(ls "$out"/${name}_*_"$host"/$name)
line=$("$bin" version)
case $line in *"commit $commit,"*) ;; *) fail "host binary's version does not name commit $commit: $line";; esac
[ "$("$bin" --version)" = "$line" ] || fail "--version differs from version"
[ "$("$(dirname "$bin")/$name-fast" version)" = "$line" ] || fail "the fast front's version differs from the helper's"
echo "check-dist: 6 platforms of helper and fast front, Linux ones static, archives and SHA256SUMS good; $line"
