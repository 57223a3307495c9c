#!/usr/bin/env bash
# bench-process.sh: whole-process cost of `git-credential-bitbucket get`, as ratios against
# baselines measured in the same invocation (these machines are noisy; absolute times mean little).
#
#   baseline  git credential-store get      git's own file helper answering from its store
#   front     git-credential-bitbucket-fast get  the hot path as git runs it once configure
#             found the fast front installed: token in our store, valid
#   fast      git-credential-bitbucket get  the same answer from the full helper
#   fill      git credential fill           real git calling our helper (what a fetch pays)
#   slow      git-credential-bitbucket get  token expired: lock, git config, a new token from the mock
#
# Usage: scripts/bench-process.sh [N]   (N runs of each, interleaved; default 200)
# Prints median wall times and their ratios, then the peak RSS of the fast path and the baseline
# (GNU time's %M; skipped with the reason when /usr/bin/time is missing).
set -euo pipefail
n=${1:-200}
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
[ -x "$bin/git-credential-bitbucket" ] && [ -x "$bin/git-credential-bitbucket-fast" ] && [ -x "$bin/bitbucket-mock" ] || (cd "$top" && make -s build)

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
git config --global "credential.$cloud.helper" "$bin/git-credential-bitbucket-fast"

req="protocol=http
host=$hostport
"
# Prime our store (one mint) and git's store with a credential of the same size.
tok=$(printf '%s' "$req" | "$bin/git-credential-bitbucket" get | sed -n 's/^password=//p')
[ -n "$tok" ] || { echo "bench-process: the helper returned no token" >&2; exit 1; }
printf 'protocol=http\nhost=%s\nusername=x-token-auth\npassword=%s\n' "$hostport" "$tok" |
  git credential-store --file "$work/git-store" store

printf '%s' "$req" >"$work/req"
printf 'url=%s\n' "$cloud" >"$work/fill"
# Wall time per run from bash's own clock (no date(1) fork inside the interval), stdin from a
# file (no pipeline subshell): the interval is the command's fork, exec, run and reaping.
declare -A runs=([baseline]="" [front]="" [fast]="" [fill]="" [slow]="" [base_slow]="")
time_one() { # name cmd...: appends the run's microseconds to runs[name]
  local name=$1 t0 t1; shift
  t0=${EPOCHREALTIME/[.,]/}; "$@" <"$in" >/dev/null; t1=${EPOCHREALTIME/[.,]/}
  runs[$name]+="$((t1 - t0)) "
}
runs_slow=$(( n / 10 )); [ "$runs_slow" -ge 5 ] || runs_slow=5
for i in $(seq "$n"); do
  in=$work/req time_one baseline git credential-store --file "$work/git-store" get
  in=$work/req time_one front "$bin/git-credential-bitbucket-fast" get
  in=$work/req time_one fast "$bin/git-credential-bitbucket" get
  in=$work/fill time_one fill git credential fill
done
for i in $(seq "$runs_slow"); do
  # Two hours pass for the mock and the helper alike: the stored token has expired.
  curl -s -X POST -d '{"advance":"2h1m"}' "$cloud/_mock/clock" >/dev/null
  in=$work/req time_one base_slow git credential-store --file "$work/git-store" get
  in=$work/req GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET="$(( i * 121 ))m" time_one slow "$bin/git-credential-bitbucket" get
done

# Every expired get fetched one new token: by refresh (Cloud era 2025) or,
# as client credentials have no refresh token since 2026, by a new grant.
# The priming mint is the one more.
mints=$(curl -s "$cloud/_mock/requests?path=/site/oauth2/access_token" | grep -o '"status":200' | wc -l)
[ "$mints" -eq "$(( runs_slow + 1 ))" ] || { echo "bench-process: $mints token requests for $runs_slow expired gets and the first mint" >&2; exit 1; }

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
m_base=$(median <<<"${runs[baseline]}") m_front=$(median <<<"${runs[front]}") m_fast=$(median <<<"${runs[fast]}") m_fill=$(median <<<"${runs[fill]}")
m_bslow=$(median <<<"${runs[base_slow]}") m_slow=$(median <<<"${runs[slow]}")
echo "whole-process benchmark: median wall time of $n interleaved runs each ($runs_slow for slow), ratio to git credential-store get in the same loop"
printf '%-44s %8s us  ratio %s\n' "git credential-store get (baseline)" "$m_base" "1.00"
printf '%-44s %8s us  ratio %s\n' "git-credential-bitbucket-fast get (hot path)" "$m_front" "$(ratio "$m_front" "$m_base")"
printf '%-44s %8s us  ratio %s\n' "git-credential-bitbucket get, fast path" "$m_fast" "$(ratio "$m_fast" "$m_base")"
printf '%-44s %8s us  ratio %s\n' "git credential fill through the helper" "$m_fill" "$(ratio "$m_fill" "$m_base")"
printf '%-44s %8s us  ratio %s\n' "git-credential-bitbucket get, token expired" "$m_slow" "$(ratio "$m_slow" "$m_bslow")"
echo "  hot path:  $bin/git-credential-bitbucket-fast get <request   vs   git credential-store --file STORE get <request"

# Peak RSS (ru_maxrss) of the same two commands, from GNU time.
if [ ! -x /usr/bin/time ]; then
  echo "peak RSS: skipped: /usr/bin/time is not installed (Debian package: time)"
  exit 0
fi
rss_runs=${RSS_RUNS:-21}
rss_base="" rss_front="" rss_fast=""
for i in $(seq "$rss_runs"); do
  rss_base+="$(/usr/bin/time -f %M git credential-store --file "$work/git-store" get <"$work/req" 2>&1 >/dev/null | tail -n 1) "
  rss_front+="$(/usr/bin/time -f %M "$bin/git-credential-bitbucket-fast" get <"$work/req" 2>&1 >/dev/null | tail -n 1) "
  rss_fast+="$(/usr/bin/time -f %M "$bin/git-credential-bitbucket" get <"$work/req" 2>&1 >/dev/null | tail -n 1) "
done
mib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }
max() { tr ' ' '\n' | grep . | sort -n | tail -n 1; }
r_base=$(median <<<"$rss_base") r_front=$(median <<<"$rss_front") r_fast=$(median <<<"$rss_fast")
echo "peak RSS, median (max) of $rss_runs runs each: /usr/bin/time -f %M CMD <request"
printf '%-44s %6s MiB (%s)\n' "git credential-store get (baseline)" "$(mib "$r_base")" "$(mib "$(max <<<"$rss_base")")"
printf '%-44s %6s MiB (%s)  ratio %s\n' "git-credential-bitbucket-fast get (hot path)" "$(mib "$r_front")" "$(mib "$(max <<<"$rss_front")")" "$(ratio "$r_front" "$r_base")"
printf '%-44s %6s MiB (%s)  ratio %s\n' "git-credential-bitbucket get, fast path" "$(mib "$r_fast")" "$(mib "$(max <<<"$rss_fast")")" "$(ratio "$r_fast" "$r_base")"
