#!/usr/bin/env bash
# Usage: build/bench.sh SUITE [--quick]
# Runs Ergo.Gen's BenchmarkDotNet suite and its peers (Erlang now; Akka.NET and Proto.Actor join in later suites)
# in one run, prints a table, then one line per comparison: "ratio <scenario> vs <peer> = <number>",
# ours over theirs oriented so that higher is better (for time: theirs / ours).
set -euo pipefail
cd "$(dirname "$0")/.."

suite="${1:-}"
quick=false
[ "${2:-}" = "--quick" ] && quick=true
case "$suite" in
  etf|local|dist|stage) ;;
  peers) echo "bench.sh: suite '$suite' arrives with its issue; available: etf, local, dist, stage" >&2; exit 2 ;;
  *) echo "usage: build/bench.sh SUITE [--quick]   (suites: etf, local, dist, stage)" >&2; exit 2 ;;
esac
command -v erl >/dev/null || { echo "bench.sh: erl not found (apt-get install -y erlang-nox)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== Erlang/OTP ($suite)" >&2
erlc -o "$work" "tests/Ergo.Gen.Benchmarks/erlang/${suite}_bench.erl"
erl -noshell +P 2000000 -name bench@127.0.0.1 -setcookie ergo_bench -pa "$work" \
    -eval "${suite}_bench:run([$quick]), halt()." | tee "$work/erlang.txt" >&2

echo "== Ergo.Gen ($suite)" >&2
args=("$suite"); $quick && args+=("--quick")
ERGO_BENCH_BEAMS="$work" dotnet run -c Release --project tests/Ergo.Gen.Benchmarks -- "${args[@]}" | tee "$work/dotnet.txt" >&2

# Result lines: "result SCENARIO VALUE UNIT [ALLOC]". ns and bytes: lower is better; per_s: higher is better.
awk '
  FNR == 1 { file++ }
  $1 == "result" && file == 1 { erl[$2] = $3 }
  $1 == "result" && file == 2 { ours[$2] = $3; unit[$2] = $4; alloc[$2] = ($5 == "" ? "-" : $5); order[++n] = $2 }
  END {
    printf "\n%-28s %16s %16s %8s %14s\n", "scenario", "ergo.gen", "erlang", "unit", "alloc B/op"
    # A scenario with a variant suffix (dist.small.erl_to_ergo) is compared with its Erlang-only base (dist.small).
    for (i = 1; i <= n; i++) { s = order[i]; b = s; if (!(b in erl)) sub(/\.[a-z_]+$/, "", b); base[s] = b }
    for (i = 1; i <= n; i++) { s = order[i]; printf "%-28s %16.1f %16s %8s %14s\n", s, ours[s], (base[s] in erl ? sprintf("%.1f", erl[base[s]]) : "-"), unit[s], alloc[s] }
    print ""
    for (i = 1; i <= n; i++) {
      s = order[i]; b = base[s]
      if (!(b in erl) || ours[s] <= 0 || erl[b] <= 0) continue
      r = (unit[s] == "per_s") ? ours[s] / erl[b] : erl[b] / ours[s]
      printf "ratio %s vs erlang = %.2f\n", s, r
    }
  }' "$work/erlang.txt" "$work/dotnet.txt"
