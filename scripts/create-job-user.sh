#!/usr/bin/env bash
# Creates the unprivileged system account that local jobs run as when the server runs as root
# (--job-user, default `flowserv-job`): no home, no login shell, its own group, owning nothing.
# Idempotent: an existing account is left as it is. Needs root (or sudo) only when it is missing.
set -euo pipefail

NAME="${1:-flowserv-job}"

if getent passwd "$NAME" >/dev/null; then
  echo "create-job-user: $NAME already exists ($(id "$NAME"))"
  exit 0
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  SUDO=(sudo)
fi

"${SUDO[@]}" useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$NAME"
echo "create-job-user: created $(id "$NAME")"
