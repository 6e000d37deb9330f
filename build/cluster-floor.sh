#!/usr/bin/env bash
# Usage: build/cluster-floor.sh [ROUNDS]
# The floor of the cluster suite's pg and global rounds on this machine: their message pattern played by plain C
# processes with blocking sockets (tests/Ergo.Gen.Benchmarks/floor/cluster_floor.c), on the same simulated hosts as
# build/bench.sh cluster (a driver on h0, members on h1..h8, member 2 the origin). Prints one "floor" line per round
# kind: the lowest, 2nd, 10th, 50th and 90th percentile round in µs. Needs root and a C compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3000}"
[ "$(id -u)" = 0 ] || { echo "cluster-floor.sh: makes network namespaces: run it as root" >&2; exit 1; }
command -v cc >/dev/null || { echo "cluster-floor.sh: no C compiler (apt-get install -y gcc)" >&2; exit 1; }
source build/netlab.sh
work=$(mktemp -d)
trap 'netlab_down; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
cc -O2 -o "$work/cluster_floor" tests/Ergo.Gen.Benchmarks/floor/cluster_floor.c
hosts=(h1 h2 h3 h4 h5 h6 h7 h8)
netlab_up h0 "${hosts[@]}"
port=7000
for kind in pg global; do
  for host in "${hosts[@]}"; do
    if [ "$host" = h2 ]; then
      netlab_exec "$host" "$work/cluster_floor" member "$port" 1 h1.lab h3.lab h4.lab h5.lab h6.lab h7.lab h8.lab &
    else
      netlab_exec "$host" "$work/cluster_floor" member "$port" 0 &
    fi
  done
  netlab_exec h0 "$work/cluster_floor" driver "$kind" "$rounds" "$port" 1 "${hosts[@]/%/.lab}"
  netlab_kill "${hosts[@]}"
  port=$((port + 1))
done
