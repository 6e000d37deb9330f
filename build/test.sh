#!/usr/bin/env bash
# Runs every test. Installs Erlang/OTP and Elixir first when `erl` is missing: the interop tests drive real nodes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v erl >/dev/null 2>&1 || ! command -v elixir >/dev/null 2>&1; then
  echo "build/test.sh: installing Erlang/OTP and Elixir (apt-get)" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq erlang-nox elixir >/dev/null
fi

dotnet test Ergo.Gen.sln -c Release
