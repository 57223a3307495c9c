#!/usr/bin/env bash
# bench-process.sh: whole-process cost of `git-credential-bitbucket get`, as ratios against
# baselines measured in the same invocation (these machines are noisy; absolute times mean little).
#
#   baseline  git credential-store get      git's own file helper answering from its store
#   fast      git-credential-bitbucket get  token in our store, valid: no network, no subprocess
#   fill      git credential fill           real git calling our helper (what a fetch pays)
#   slow      git-credential-bitbucket get  token expired: lock, git config, a new token from the mock
#
# Usage: scripts/bench-process.sh [N]   (N runs of each, interleaved; default 200)
set -euo pipefail
n=${1:-200}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
[ -x "$bin/git-credential-bitbucket" ] && [ -x "$bin/bitbucket-mock" ] || (cd "$top" && make -s build)

work=$(mktemp -d)
mock_pid=
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

export HOME=$work/home XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"

"$bin/bitbucket-mock" --auto-approve >"$work/mock.out" 2>"$work/mock.err" &
mock_pid=$!
for _ in $(seq 100); do [ -s "$work/mock.out" ] && break; sleep 0.05; done
cloud=$(head -n 1 "$work/mock.out" | sed -n 's/.*"cloud":"\([^"]*\)".*/\1/p')
[ -n "$cloud" ] || { echo "bench-process: the mock did not start" >&2; cat "$work/mock.err" >&2; exit 1; }
hostport=${cloud#http://}

# The private consumer of the built-in fixtures.
fixtures=$("$bin/bitbucket-mock" fixtures)
key=$(printf '%s' "$fixtures" | python3 -c 'import json,sys; f=json.load(sys.stdin); c=[c for c in f["cloud"]["consumers"] if c.get("private") and c.get("callback_url")][0]; print(c["key"])')
secret=$(printf '%s' "$fixtures" | python3 -c 'import json,sys; f=json.load(sys.stdin); c=[c for c in f["cloud"]["consumers"] if c.get("private") and c.get("callback_url")][0]; print(c["secret"])')
printf '%s' "$secret" >"$work/secret"; chmod 600 "$work/secret"
git config --global "bitbucket.$cloud.kind" cloud
git config --global "bitbucket.$cloud.grant" client-credentials
git config --global "bitbucket.$cloud.clientId" "$key"
git config --global "bitbucket.$cloud.clientSecretFile" "$work/secret"
git config --global "credential.$cloud.helper" "$bin/git-credential-bitbucket"

req="protocol=http
host=$hostport
"
# Prime our store (one mint) and git's store with a credential of the same size.
tok=$(printf '%s' "$req" | "$bin/git-credential-bitbucket" get | sed -n 's/^password=//p')
[ -n "$tok" ] || { echo "bench-process: the helper returned no token" >&2; exit 1; }
printf 'protocol=http\nhost=%s\nusername=x-token-auth\npassword=%s\n' "$hostport" "$tok" |
  git credential-store --file "$work/git-store" store

now_ns() { date +%s%N; }
declare -A total=([baseline]=0 [fast]=0 [fill]=0 [slow]=0)
runs_slow=$(( n / 10 )); [ "$runs_slow" -ge 5 ] || runs_slow=5
for i in $(seq "$n"); do
  t0=$(now_ns); printf '%s' "$req" | git credential-store --file "$work/git-store" get >/dev/null; t1=$(now_ns)
  printf '%s' "$req" | "$bin/git-credential-bitbucket" get >/dev/null; t2=$(now_ns)
  printf 'url=%s\n' "$cloud" | git credential fill >/dev/null; t3=$(now_ns)
  total[baseline]=$(( total[baseline] + t1 - t0 ))
  total[fast]=$(( total[fast] + t2 - t1 ))
  total[fill]=$(( total[fill] + t3 - t2 ))
done
base_slow=0
for i in $(seq "$runs_slow"); do
  # Two hours pass for the mock and the helper alike: the stored token has expired.
  curl -s -X POST -d '{"advance":"2h1m"}' "$cloud/_mock/clock" >/dev/null
  offset="$(( i * 121 ))m"
  t0=$(now_ns); printf '%s' "$req" | git credential-store --file "$work/git-store" get >/dev/null; t1=$(now_ns)
  printf '%s' "$req" | GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET=$offset "$bin/git-credential-bitbucket" get >/dev/null; t2=$(now_ns)
  base_slow=$(( base_slow + t1 - t0 ))
  total[slow]=$(( total[slow] + t2 - t1 ))
done

# Every expired get fetched one new token: by refresh (Cloud era 2025) or,
# as client credentials have no refresh token since 2026, by a new grant.
# The priming mint is the one more.
mints=$(curl -s "$cloud/_mock/requests?path=/site/oauth2/access_token" | grep -o '"status":200' | wc -l)
[ "$mints" -eq "$(( runs_slow + 1 ))" ] || { echo "bench-process: $mints token requests for $runs_slow expired gets and the first mint" >&2; exit 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
us() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.0f", a / n / 1000 }'; }
echo "whole-process benchmark, $n runs each ($runs_slow for slow), ratios against git credential-store get run in the same loop"
printf '%-44s %8s us/op  ratio %s\n' "git credential-store get (baseline)" "$(us "${total[baseline]}" "$n")" "1.00"
printf '%-44s %8s us/op  ratio %s\n' "git-credential-bitbucket get, fast path" "$(us "${total[fast]}" "$n")" "$(ratio "${total[fast]}" "${total[baseline]}")"
printf '%-44s %8s us/op  ratio %s\n' "git credential fill through the helper" "$(us "${total[fill]}" "$n")" "$(ratio "${total[fill]}" "${total[baseline]}")"
printf '%-44s %8s us/op  ratio %s\n' "git-credential-bitbucket get, token expired" "$(us "${total[slow]}" "$runs_slow")" "$(ratio "${total[slow]}" "$base_slow")"
