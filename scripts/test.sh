#!/usr/bin/env bash
# `npm test`: the vitest suite (every argument goes to vitest, e.g. `npm test -- --reporter=json`),
# then the Python package's pytest suite (scripts/test-python.sh). Both always run; the exit
# status is non-zero when either failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx vitest run "$@"
vitest_status=$?
printf '\n==> Python package tests (scripts/test-python.sh)\n'
bash scripts/test-python.sh
pytest_status=$?
if [[ $vitest_status -ne 0 ]]; then
  exit "$vitest_status"
fi
exit "$pytest_status"
