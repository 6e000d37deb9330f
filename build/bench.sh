#!/usr/bin/env bash
# Usage: build/bench.sh SUITE [--quick]
# Runs Ergo.Gen's suite and its peers (Erlang; in the peers suite also Akka.NET and Proto.Actor)
# in one run, prints a table, then one line per comparison: "ratio <scenario> vs <peer> = <number>",
# ours over theirs oriented so that higher is better (for time: theirs / ours).
set -euo pipefail
cd "$(dirname "$0")/.."

suite="${1:-}"
quick=false
[ "${2:-}" = "--quick" ] && quick=true
case "$suite" in
  etf|local|dist|stage|events|peers|coldstart|cluster) ;;
  *) echo "usage: build/bench.sh SUITE [--quick]   (suites: etf, local, dist, stage, events, peers, coldstart, cluster)" >&2; exit 2 ;;
esac
command -v erl >/dev/null || { echo "bench.sh: erl not found (apt-get install -y erlang-nox)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# coldstart: the NativeAOT sample started as a distributed node (samples/Ergo.Gen.AotService serve) beside erl
# starting a distributed node, both registering with one EPMD on a private port: the time from exec to "ready" on
# stdout, and the resident memory then. Best of several starts each.
if [ "$suite" = "coldstart" ]; then
  starts=10; $quick && starts=5
  export ERL_EPMD_PORT=24379
  epmd -port "$ERL_EPMD_PORT" -daemon
  trap 'epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  echo "== publishing the NativeAOT sample" >&2
  dotnet publish samples/Ergo.Gen.AotService -c Release -o "$work/aot" >&2
  # cold_start NAME CMD...: prints "NS RSS_BYTES" for one start.
  cold_start() {
    local t0 t1 line rss
    t0=$(date +%s%N)
    coproc STARTED { exec "$@" 2>/dev/null; }
    while IFS= read -r line <&"${STARTED[0]}"; do [ "$line" = "ready" ] && break; done
    t1=$(date +%s%N)
    rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$STARTED_PID/status")
    kill "$STARTED_PID"; wait "$STARTED_PID" 2>/dev/null || true
    echo "$((t1 - t0)) $rss"
  }
  # The lowest of a column (1: time, 2: memory) over the starts.
  best() { cut -d' ' -f"$2" "$1" | sort -n | head -1; }
  : > "$work/ergo.txt"; : > "$work/erl.txt"
  for i in $(seq 1 "$starts"); do
    cold_start "$work/aot/Ergo.Gen.AotService" serve >> "$work/ergo.txt"
    cold_start erl -noshell -name "erl_cold@127.0.0.1" -setcookie ergo_bench_cookie \
      -eval 'io:format("ready~n"), receive after infinity -> ok end.' >> "$work/erl.txt"
  done
  ergo_ns=$(best "$work/ergo.txt" 1); ergo_rss=$(best "$work/ergo.txt" 2)
  erl_ns=$(best "$work/erl.txt" 1); erl_rss=$(best "$work/erl.txt" 2)
  printf "\n%-28s %16s %16s %8s\n" scenario ergo.gen erlang unit
  printf "%-28s %16.0f %16.0f %8s\n" coldstart.ready "$ergo_ns" "$erl_ns" ns coldstart.rss "$ergo_rss" "$erl_rss" bytes
  echo
  awk -v a="$ergo_ns" -v b="$erl_ns" 'BEGIN { printf "ratio coldstart.ready vs erlang = %.2f\n", b / a }'
  awk -v a="$ergo_rss" -v b="$erl_rss" 'BEGIN { printf "ratio coldstart.rss vs erlang = %.2f\n", b / a }'
  exit 0
fi

# cluster: three clusters of 8 members, each member on a simulated host of its own (build/netlab.sh: network
# namespaces h1..h8, long names nI@hI.lab, each host its own EPMD), one after the other: 8 erl, 8 Ergo.Gen nodes
# (ClusterNode.cs), and 4 + 4 mixed (erl on the odd hosts). One hidden erl driver on h0 measures each the same
# way through rpc (erlang/cluster_driver.erl): the time until a full mesh forms, until a global name and a pg
# join are seen on every member, and broadcast throughput to one process per member. Needs root.
if [ "$suite" = "cluster" ]; then
  source build/netlab.sh
  cookie=ergo_cluster_bench
  hosts=(h1 h2 h3 h4 h5 h6 h7 h8)
  dll=tests/Ergo.Gen.Benchmarks/bin/Release/net10.0/Ergo.Gen.Benchmarks.dll
  ready_seconds=90
  trap 'netlab_down; rm -rf "$work"' EXIT
  # The EXIT trap also runs on Ctrl-C and kill.
  trap 'exit 130' INT TERM
  [ "$(id -u)" = 0 ] || { echo "bench.sh: cluster makes network namespaces: run it as root" >&2; exit 1; }
  echo "== building the Ergo.Gen member (tests/Ergo.Gen.Benchmarks)" >&2
  dotnet build -c Release -nologo -v q tests/Ergo.Gen.Benchmarks >&2
  erlc -o "$work" tests/Ergo.Gen.Benchmarks/erlang/cluster_bench.erl tests/Ergo.Gen.Benchmarks/erlang/cluster_driver.erl
  netlab_up h0 "${hosts[@]}"

  # measure SUFFIX KIND...: a member of each KIND (erl or ergo) on h1, h2, ...; waits until every one prints
  # "ready", runs the driver (its result lines on stdout), then ends the members.
  measure() {
    local suffix=$1; shift
    local kinds=("$@") pids=() members=() i host name waited=0
    for i in "${!kinds[@]}"; do
      host=${hosts[$i]}; name="n$((i + 1))@$host.lab"
      if [ "${kinds[$i]}" = erl ]; then
        # The host's EPMD first, answering before erl registers: the member there before (an Ergo.Gen node with
        # its embedded EPMD) may have just ended, and erl then found no EPMD to register with.
        netlab_exec "$host" epmd -daemon
        for _ in $(seq 1 100); do netlab_exec "$host" epmd -names > /dev/null 2>&1 && break; sleep 0.05; done
        netlab_exec "$host" erl -noshell -name "$name" -setcookie "$cookie" -kernel start_pg true -pa "$work" \
          -eval 'io:format("ready~n").' > "$work/$host.log" 2>&1 &
      else
        netlab_exec "$host" dotnet "$dll" cluster-node "$name" "$cookie" > "$work/$host.log" 2>&1 &
      fi
      pids+=($!); members+=("'$name'")
    done
    for i in "${!kinds[@]}"; do
      until grep -qx ready "$work/${hosts[$i]}.log"; do
        if ! netlab_running "${pids[$i]}" || [ "$waited" -ge $((ready_seconds * 10)) ]; then
          echo "bench.sh: cluster: member n$((i + 1)) (${kinds[$i]}) on ${hosts[$i]} did not start within ${ready_seconds}s; its output:" >&2
          cat "$work/${hosts[$i]}.log" >&2
          exit 1
        fi
        sleep 0.1; waited=$((waited + 1))
      done
    done
    echo "== cluster [${kinds[*]}]: all members ready" >&2
    netlab_exec h0 erl -noshell -hidden -name driver@h0.lab -setcookie "$cookie" -pa "$work" \
      -eval "cluster_driver:run(\"$suffix\", $quick, [$(IFS=,; echo "${members[*]}")])."
    netlab_kill h0 "${hosts[@]}"
  }
  erls=(erl erl erl erl erl erl erl erl); ergos=(ergo ergo ergo ergo ergo ergo ergo ergo)
  measure "" "${erls[@]}" > "$work/erlang.txt"; cat "$work/erlang.txt" >&2
  measure "" "${ergos[@]}" > "$work/dotnet.txt"; cat "$work/dotnet.txt" >&2
  measure ".mixed" erl ergo erl ergo erl ergo erl ergo >> "$work/dotnet.txt"; grep mixed "$work/dotnet.txt" >&2

  # "result cluster.SCENARIO[.mixed] VALUE UNIT" (ns: lower is better; per_s: higher is better) and
  # "missing cluster.SCENARIO[.mixed] WHY" for a scenario whose reports did not all come.
  awk '
    FNR == 1 { file++ }
    $1 == "result" { v[file == 1 ? "erlang" : "ours", $2] = $3; unit[$2] = $4 }
    $1 == "missing" { sub(/^missing /, ""); missing[++nm] = (file == 1 ? "erlang: " : "ergo.gen: ") $0 }
    function show(k, s) { return ((k, s) in v) ? sprintf("%.1f", v[k, s]) : "missing" }
    END {
      split("mesh global pg broadcast", names, " ")
      printf "\n%-28s %16s %16s %16s %8s\n", "scenario", "ergo.gen", "mixed", "erlang", "unit"
      for (i = 1; i <= 4; i++) {
        s = "cluster." names[i]; u = unit[s] != "" ? unit[s] : unit[s ".mixed"]
        printf "%-28s %16s %16s %16s %8s\n", s, show("ours", s), show("ours", s ".mixed"), show("erlang", s), u
      }
      print ""
      for (i = 1; i <= 4; i++) {
        s = "cluster." names[i]
        split(s " " s ".mixed", rows, " ")
        for (r = 1; r <= 2; r++) {
          o = rows[r]
          if (("ours", o) in v && ("erlang", s) in v && v["ours", o] > 0 && v["erlang", s] > 0)
            printf "ratio %s vs erlang = %.2f\n", o, (unit[o] == "per_s") ? v["ours", o] / v["erlang", s] : v["erlang", s] / v["ours", o]
        }
      }
      for (i = 1; i <= nm; i++) print "missing " missing[i]
      exit (nm > 0)
    }' "$work/erlang.txt" "$work/dotnet.txt" || { echo "bench.sh: cluster: some scenarios never completed (the missing lines)" >&2; exit 1; }
  exit 0
fi

# peers: the local scenarios on Ergo.Gen, Erlang, Akka.NET and Proto.Actor, the distribution ones on Ergo.Gen and
# Erlang; the table and chart go to docs/benchmarks/.
erlang_suites="$suite"
[ "$suite" = "peers" ] && erlang_suites="local dist"
echo "== Erlang/OTP ($erlang_suites)" >&2
: > "$work/erlang.txt"
for s in $erlang_suites; do
  erlc -o "$work" tests/Ergo.Gen.Benchmarks/erlang/bench_rounds.erl "tests/Ergo.Gen.Benchmarks/erlang/${s}_bench.erl"
  erl -noshell +P 2000000 -name bench@127.0.0.1 -setcookie ergo_bench -pa "$work" \
      -eval "${s}_bench:run([$quick]), halt()." | tee -a "$work/erlang.txt" >&2
done

echo "== Ergo.Gen ($suite)" >&2
args=("$suite"); $quick && args+=("--quick")
ERGO_BENCH_BEAMS="$work" dotnet run -c Release --project tests/Ergo.Gen.Benchmarks -- "${args[@]}" | tee "$work/dotnet.txt" >&2

# Result lines: "result SCENARIO VALUE UNIT [ALLOC]" (Erlang's and ours), "peer NAME SCENARIO VALUE UNIT" (Akka.NET,
# Proto.Actor). ns and bytes: lower is better; per_s: higher is better.
# CPU lines: "cpu SCENARIO SEND_NS RECV_NS" (Erlang: CPU time per message of the sending and the receiving node)
# and "cpu SCENARIO NS" (ours: of this side's process; both sides when both are Ergo.Gen). A row with Erlang on
# the other side is compared with the Erlang node doing the same side's work: erl_to_ergo with Erlang's receiver,
# ergo_to_erl with Erlang's sender; an Ergo.Gen-only row with both of Erlang's.
awk '
  FNR == 1 { file++ }
  $1 == "result" && file == 1 { erl[$2] = $3 }
  $1 == "result" && file == 2 { ours[$2] = $3; unit[$2] = $4; alloc[$2] = ($5 == "" ? "-" : $5); order[++n] = $2 }
  $1 == "peer" && file == 2 { peer[$2, $3] = $4; if (!($2 in seen)) { seen[$2] = 1; peers[++np] = $2 } }
  $1 == "cpu" && file == 1 { esend[$2] = $3; erecv[$2] = $4 }
  $1 == "cpu" && file == 2 { ocpu[$2] = $3 }
  END {
    printf "\n%-28s %16s %16s", "scenario", "ergo.gen", "erlang"
    for (p = 1; p <= np; p++) printf " %16s", peers[p]
    printf " %8s %14s %12s %12s\n", "unit", "alloc B/op", "cpu ns/msg", "erlang cpu"
    # A scenario with a variant suffix (dist.small.erl_to_ergo) is compared with its Erlang-only base (dist.small).
    for (i = 1; i <= n; i++) { s = order[i]; b = s; if (!(b in erl)) sub(/\.[a-z_]+$/, "", b); base[s] = b }
    for (i = 1; i <= n; i++) {
      s = order[i]; b = base[s]
      if (!(s in ocpu) || !(b in esend)) continue
      ecpu[s] = (s ~ /\.erl_to_ergo/) ? erecv[b] : (s ~ /\.ergo_to_erl/) ? esend[b] : esend[b] + erecv[b]
    }
    for (i = 1; i <= n; i++) {
      s = order[i]
      printf "%-28s %16.1f %16s", s, ours[s], (base[s] in erl ? sprintf("%.1f", erl[base[s]]) : "-")
      for (p = 1; p <= np; p++) printf " %16s", ((peers[p], s) in peer ? sprintf("%.1f", peer[peers[p], s]) : "-")
      printf " %8s %14s %12s %12s\n", unit[s], alloc[s], (s in ocpu ? sprintf("%.0f", ocpu[s]) : "-"), (s in ecpu ? sprintf("%.0f", ecpu[s]) : "-")
    }
    print ""
    for (i = 1; i <= n; i++) {
      s = order[i]; b = base[s]
      if ((b in erl) && ours[s] > 0 && erl[b] > 0)
        printf "ratio %s vs erlang = %.2f\n", s, (unit[s] == "per_s") ? ours[s] / erl[b] : erl[b] / ours[s]
      if ((s in ecpu) && ocpu[s] > 0 && ecpu[s] > 0)
        printf "ratio cpu.%s vs erlang = %.2f\n", s, ecpu[s] / ocpu[s]
      for (p = 1; p <= np; p++) {
        v = peer[peers[p], s]
        if (v > 0 && ours[s] > 0)
          printf "ratio %s vs %s = %.2f\n", s, peers[p], (unit[s] == "per_s") ? ours[s] / v : v / ours[s]
      }
    }
  }' "$work/erlang.txt" "$work/dotnet.txt"

if [ "$suite" = "peers" ]; then
  dotnet run -c Release --no-build --project tests/Ergo.Gen.Benchmarks -- report "$work/erlang.txt" "$work/dotnet.txt" docs/benchmarks
  echo "wrote docs/benchmarks/peers.md and docs/benchmarks/peers.png" >&2
fi
