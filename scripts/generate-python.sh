#!/usr/bin/env bash
# `npm run generate:python`: regenerates clients/python/flowserv_remote/_gen from proto/ and
# proto-vendor/ with buf (clients/python/buf.gen.yaml: Debian's protoc for messages and .pyi
# stubs, Debian's grpc_python_plugin for the gRPC stubs), then moves the modules into the
# package namespace (clients/python/tools/rewrite_imports.py). The result is committed; CI
# regenerates and fails on a diff. Needs scripts/install-python-deps.sh.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
for tool in /usr/bin/protoc /usr/bin/grpc_python_plugin /usr/bin/python3; do
  if [[ ! -x "$tool" ]]; then
    echo "generate-python: $tool not found; run scripts/install-python-deps.sh" >&2
    exit 1
  fi
done

RAW=clients/python/.gen-raw
trap 'rm -rf "$RAW"' EXIT
npx buf generate --template clients/python/buf.gen.yaml
/usr/bin/python3 clients/python/tools/rewrite_imports.py "$RAW" clients/python/flowserv_remote/_gen
