#!/usr/bin/env bash
# Runs every test. Installs Erlang/OTP and Elixir first when `erl` is missing: the interop tests drive real nodes.
set -euo pipefail
cd "$(dirname "$0")/.."

# The NativeAOT test links with the system C toolchain and zlib; the TLS test makes its CA with openssl; the web
# observer test drives Debian's chromium headless; the multi-host tests make network namespaces with iproute2's ip.
if ! command -v erl >/dev/null 2>&1 || ! command -v elixir >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1 \
   || ! command -v chromium >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 \
   || ! dpkg -s zlib1g-dev >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1; then
  echo "build/test.sh: installing Erlang/OTP, Elixir, openssl, chromium, iproute2 and the native toolchain (apt-get)" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq erlang-nox elixir openssl chromium iproute2 zlib1g-dev gcc >/dev/null
fi

dotnet test Ergo.Gen.sln -c Release
