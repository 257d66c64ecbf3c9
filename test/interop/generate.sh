#!/usr/bin/env bash
# Generates the Python stubs the interop client imports into test/interop/gen/ (gitignored):
# the service protos (proto/), the vendored google.rpc status protos (proto-vendor/), and the
# grpc.health.v1 / grpc.reflection.v1 protos that Debian's grpc-proto package ships (Debian has
# no Python health/reflection modules). Uses Debian's protoc (3.21, which has --pyi_out) and
# Debian's grpc_python_plugin. Run scripts/install-python-deps.sh first.
# Usage: test/interop/generate.sh [OUT_DIR]   (default: test/interop/gen)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/test/interop/gen}"
PROTOC="${PROTOC:-/usr/bin/protoc}"
PLUGIN="${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}"
PYTHON="${PYTHON:-/usr/bin/python3}"
GRPC_PROTO="${GRPC_PROTO_DIR:-/usr/share/grpc-proto/grpc}"

for tool in "$PROTOC" "$PLUGIN" "$PYTHON"; do
  if [[ ! -x "$tool" ]]; then
    echo "generate.sh: $tool not found; run scripts/install-python-deps.sh" >&2
    exit 1
  fi
done
if [[ ! -f "$GRPC_PROTO/health/v1/health.proto" ]]; then
  echo "generate.sh: $GRPC_PROTO/health/v1/health.proto not found (Debian package grpc-proto)" >&2
  exit 1
fi

# Debian's protoc ships without the well-known .proto files (they are in libprotobuf-dev);
# python3-grpc-tools bundles them, so take them from there instead of another package.
WKT="$("$PYTHON" -c 'import os, grpc_tools; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')"
if [[ ! -f "$WKT/google/protobuf/struct.proto" ]]; then
  echo "generate.sh: well-known types not found under $WKT (python3-grpc-tools)" >&2
  exit 1
fi

rm -rf "$OUT"
mkdir -p "$OUT"

cd "$ROOT"
mapfile -t SERVICE_PROTOS < <(find proto -name '*.proto' | sort)
mapfile -t VENDOR_PROTOS < <(find proto-vendor -name '*.proto' | sort)

"$PROTOC" -Iproto -Iproto-vendor -I"$WKT" \
  --python_out="$OUT" --pyi_out="$OUT" --grpc_out="$OUT" \
  --plugin=protoc-gen-grpc="$PLUGIN" \
  "${SERVICE_PROTOS[@]#proto/}" "${VENDOR_PROTOS[@]#proto-vendor/}"

# -I points at .../grpc itself: with its parent on the path the generated package would be
# called `grpc`, which shadows the grpcio package.
"$PROTOC" -I"$GRPC_PROTO" \
  --python_out="$OUT" --pyi_out="$OUT" --grpc_out="$OUT" \
  --plugin=protoc-gen-grpc="$PLUGIN" \
  health/v1/health.proto reflection/v1/reflection.proto

count="$(find "$OUT" -name '*_pb2*.py' | wc -l)"
echo "generate.sh: wrote $count Python modules to $OUT"
