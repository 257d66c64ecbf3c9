#!/usr/bin/env bash
# Installs Debian's `prometheus` package (the server and `promtool`) for the metrics tests and
# the rules check, and nothing if both are already on PATH. The package's service is not
# started (no systemd here; the tests start their own prometheus on loopback).
# Idempotent: a second run installs nothing and does not even refresh the package lists.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
  echo "install-prometheus: $(prometheus --version 2>&1 | head -n1)"
  exit 0
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  SUDO=(sudo)
fi

echo 'install-prometheus: installing prometheus'
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends prometheus

for tool in prometheus promtool; do
  if ! command -v "$tool" >/dev/null; then
    echo "install-prometheus: $tool is still missing after apt-get install" >&2
    exit 1
  fi
done
echo "install-prometheus: $(prometheus --version 2>&1 | head -n1)"
