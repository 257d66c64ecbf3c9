#!/usr/bin/env bash
# `npm run test:python` (and the second half of `npm test`): installs the Python package
# clients/python into a virtual environment that also sees Debian's grpcio, protobuf, PyYAML and
# pytest (--system-site-packages), offline (no package index, no build isolation), then runs its
# pytest suite against real servers. Arguments go to pytest. With FLOWSERV_PYTEST_JUNITXML=FILE
# the results are also written there as JUnit XML, which .ci/run counts.
# Missing prerequisites skip the suite with a message (scripts/install-python-deps.sh installs
# them); under FLOWSERV_TEST_REQUIRE_ALL=1 they fail it instead.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=/usr/bin/python3
VENV=clients/python/.venv
JUNIT="${FLOWSERV_PYTEST_JUNITXML:-}"

write_junit() { # failed skipped
  if [[ -n "$JUNIT" ]]; then
    printf '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="pytest" tests="1" errors="0" failures="%d" skipped="%d"></testsuite></testsuites>\n' "$1" "$2" >"$JUNIT"
  fi
}

unavailable() {
  if [[ "${FLOWSERV_TEST_REQUIRE_ALL:-}" == 1 ]]; then
    echo "python tests: required in CI but unavailable: $1" >&2
    write_junit 1 0
    exit 1
  fi
  echo "[skip] python tests: $1 (run scripts/install-python-deps.sh)" >&2
  write_junit 0 1
  exit 0
}

[[ -x "$PYTHON" ]] || unavailable "$PYTHON not found"
"$PYTHON" -c 'import grpc, google.protobuf, pytest, yaml, venv' 2>/dev/null ||
  unavailable "$PYTHON cannot import grpc, protobuf, pytest, yaml and venv"
"$PYTHON" -m pip --version >/dev/null 2>&1 || unavailable "$PYTHON has no pip (Debian python3-pip)"

if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv --system-site-packages "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --no-index \
  --force-reinstall ./clients/python

# The package's pyproject.toml is the pytest config: without arguments it runs clients/python/tests.
args=(-m pytest -p no:cacheprovider -c clients/python/pyproject.toml --rootdir clients/python)
if [[ -n "$JUNIT" ]]; then
  args+=("--junitxml=$JUNIT")
fi
exec "$VENV/bin/python" "${args[@]}" "$@"
