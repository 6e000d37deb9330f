#!/usr/bin/env bash
# Usage: build/soak.sh MINUTES [PEERS]
# Mixed traffic between a .NET node and PEERS real erl nodes (3 by default) on 127.0.0.1 for MINUTES, with peers
# killed and restarted, or stopped and continued, at random. Fails when a live connection lost, repeated or
# reordered a message (either way) or memory did not return to its baseline. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: build/soak.sh MINUTES [PEERS]" >&2; exit 2; }
command -v erl >/dev/null || { echo "soak.sh: erl not found (apt-get install -y erlang-nox)" >&2; exit 1; }
dotnet run -c Release --project tests/Ergo.Gen.Soak -- "$@"
