#!/usr/bin/env bash
# Installs bubblewrap (Debian package `bubblewrap`, the `bwrap` program) that the local engine
# uses to confine jobs (--job-sandbox auto|bwrap), and makes sure the dedicated job account
# exists (scripts/create-job-user.sh). Idempotent: a second run installs nothing and does not
# refresh the package lists. Needs root (or sudo) only when something is missing.
set -euo pipefail

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  SUDO=(sudo)
fi

if is_installed bubblewrap; then
  echo "install-bubblewrap: bubblewrap already installed ($(bwrap --version))"
else
  echo "install-bubblewrap: installing bubblewrap"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends bubblewrap
  if ! is_installed bubblewrap; then
    echo "install-bubblewrap: bubblewrap is still missing after apt-get install" >&2
    exit 1
  fi
  echo "install-bubblewrap: installed $(bwrap --version)"
fi

bash "$(dirname "${BASH_SOURCE[0]}")/create-job-user.sh"
