#!/usr/bin/env bash
# Installs what the Python interop client needs from Debian's packages, and nothing that is
# already there: grpcio and protobuf for /usr/bin/python3, protoc 3.21 with the gRPC Python
# plugin, the health/reflection protos, and PyYAML (the client reads benchmark.yaml).
# Idempotent: a second run installs nothing and does not even refresh the package lists.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  python3-grpcio
  python3-grpc-tools
  python3-protobuf
  protobuf-compiler
  protobuf-compiler-grpc
  grpc-proto
  python3-yaml
)

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! is_installed "$pkg"; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-python-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  SUDO=(sudo)
fi

echo "install-python-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

for pkg in "${missing[@]}"; do
  if ! is_installed "$pkg"; then
    echo "install-python-deps: $pkg is still missing after apt-get install" >&2
    exit 1
  fi
done
echo "install-python-deps: done"
