#!/usr/bin/env bash
# Installs what the Python package (clients/python) and its tests need from Debian's packages,
# and nothing that is already there: grpcio and protobuf for /usr/bin/python3, protoc 3.21 with
# the gRPC Python plugin (npm run generate:python), the health/reflection protos, PyYAML (reads
# benchmark.yaml), pytest, and venv + pip + setuptools + wheel to install the package offline.
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
  python3-pytest
  python3-venv
  python3-pip
  python3-setuptools
  python3-wheel
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
