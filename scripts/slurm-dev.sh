#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for development and CI (Debian bookworm, root).
#
#   scripts/slurm-dev.sh up      install (once), configure, start munged/slurmctld/slurmd, wait
#                                until the node is usable; idempotent: starts only what is down
#   scripts/slurm-dev.sh stop [munged|slurmctld|slurmd]
#                                SIGTERM by pid file, then wait (all daemons, or just the one named)
#   scripts/slurm-dev.sh status  prints each daemon and the node state; exit 0 only when ready
#
# Environment (optional): SLURM_DEV_CPUS (default 8: oversubscribed on purpose, see TOOLCHAIN.md),
# SLURM_DEV_READY_TIMEOUT_S (default 60), SLURM_DEV_PARTITION (default debug).
# Logs: /var/log/slurm/{slurmctld,slurmd,jobcomp}.log and /var/log/munge/munged.log.
set -euo pipefail

readonly PACKAGES=(slurmctld slurmd slurm-client munge)
readonly CONF_DIR=/etc/slurm
readonly CONF_FILE="$CONF_DIR/slurm.conf"
readonly LOG_DIR=/var/log/slurm
readonly STATE_DIR=/var/spool/slurmctld
readonly SPOOL_DIR=/var/spool/slurmd
readonly MUNGE_RUN=/run/munge
readonly MUNGE_PID="$MUNGE_RUN/munged.pid"
readonly CTLD_PID=/run/slurmctld.pid
readonly SLURMD_PID=/run/slurmd.pid
readonly CPUS="${SLURM_DEV_CPUS:-8}"
readonly READY_TIMEOUT_S="${SLURM_DEV_READY_TIMEOUT_S:-60}"
readonly PARTITION="${SLURM_DEV_PARTITION:-debug}"
# Slurm commands must never authenticate with a JWT here (it disables munge auth).
unset SLURM_JWT

HOST="$(hostname -s)"
readonly HOST

log() { printf 'slurm-dev: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# pid_of NAME PIDFILE: prints the pid when the pid file names a live process called NAME.
# A pid file left by a dead daemon (or whose pid was reused) prints nothing.
pid_of() {
  local name="$1" file="$2" pid comm
  [[ -r "$file" ]] || return 0
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" && -r "/proc/$pid/comm" ]] || return 0
  comm="$(<"/proc/$pid/comm")"
  [[ "$comm" == "$name" ]] && printf '%s\n' "$pid"
  return 0
}

pidfile_for() {
  case "$1" in
    munged) printf '%s\n' "$MUNGE_PID" ;;
    slurmctld) printf '%s\n' "$CTLD_PID" ;;
    slurmd) printf '%s\n' "$SLURMD_PID" ;;
    *) die "unknown daemon '$1' (munged, slurmctld or slurmd)" ;;
  esac
}

is_running() { [[ -n "$(pid_of "$1" "$(pidfile_for "$1")")" ]]; }

install_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  [[ $EUID -eq 0 ]] || die "installing ${missing[*]} needs root"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Prints the slurm.conf for this machine on stdout.
render_conf() {
  local mem
  mem="$(free -m | awk '/^Mem:/ { print $2 - 256 }')"
  [[ "$mem" -gt 256 ]] || die "not enough memory for a node (free -m total minus 256 = $mem MB)"
  cat <<EOF
# Written by scripts/slurm-dev.sh: a single-node development cluster. Do not edit by hand.
ClusterName=flowserv-dev
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG_DIR/jobcomp.log
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
}

# Writes slurm.conf; returns 0 when the file changed.
write_conf() {
  local tmp
  mkdir -p "$CONF_DIR" "$LOG_DIR" "$STATE_DIR" "$SPOOL_DIR"
  tmp="$(mktemp "$CONF_DIR/.slurm.conf.XXXXXX")"
  render_conf >"$tmp"
  if [[ -f "$CONF_FILE" ]] && cmp -s "$tmp" "$CONF_FILE"; then
    rm -f "$tmp"
    return 1
  fi
  chmod 0644 "$tmp"
  mv -f "$tmp" "$CONF_FILE"
  log "wrote $CONF_FILE"
  return 0
}

start_munged() {
  if is_running munged; then return 0; fi
  [[ -s /etc/munge/munge.key ]] || die "/etc/munge/munge.key is missing (reinstall the munge package)"
  mkdir -p "$MUNGE_RUN"
  chown munge:munge "$MUNGE_RUN"
  chmod 0755 "$MUNGE_RUN"
  rm -f "$MUNGE_PID"
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged
}

start_daemon() {
  local name="$1"
  if is_running "$name"; then return 0; fi
  rm -f "$(pidfile_for "$name")"
  log "starting $name"
  "/usr/sbin/$name"
}

# Prints the node's state as sinfo reports it (for example idle, mixed, down*, drained), or
# nothing when the controller does not answer.
node_state() {
  timeout 10 sinfo -h -N -n "$HOST" -o '%T' 2>/dev/null | head -n 1 || true
}

is_usable_state() {
  case "$1" in
    idle | mixed | allocated | completing) return 0 ;;
    *) return 1 ;;
  esac
}

wait_ready() {
  local deadline state last_resume=-100 now
  deadline=$((SECONDS + READY_TIMEOUT_S))
  while :; do
    state="$(node_state)"
    if is_usable_state "$state"; then return 0; fi
    now=$SECONDS
    # A node that answers (no trailing *) but was left down or drained: put it back in service.
    if [[ "$state" =~ ^(down|drain|drained|draining|fail|failing)$ ]] && ((now - last_resume >= 5)); then
      log "node $HOST is $state; resuming it"
      scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
      last_resume=$now
    fi
    if ((SECONDS >= deadline)); then
      die "node $HOST not usable after ${READY_TIMEOUT_S}s (state: '${state:-no answer from slurmctld}'); see $LOG_DIR/slurmctld.log and $LOG_DIR/slurmd.log"
    fi
    sleep 0.5
  done
}

print_logs() {
  log "logs: $LOG_DIR/slurmctld.log $LOG_DIR/slurmd.log $LOG_DIR/jobcomp.log /var/log/munge/munged.log"
}

cmd_up() {
  local started=$SECONDS
  install_packages
  if write_conf && { is_running slurmctld || is_running slurmd; }; then
    log "configuration changed; restarting slurmctld and slurmd"
    stop_daemon slurmd
    stop_daemon slurmctld
  fi
  start_munged
  start_daemon slurmctld
  start_daemon slurmd
  wait_ready
  log "ready: node $HOST ($(node_state)), partition $PARTITION, ${CPUS} CPUs, in $((SECONDS - started))s"
  print_logs
}

stop_daemon() {
  local name="$1" pid i
  pid="$(pid_of "$name" "$(pidfile_for "$name")")"
  if [[ -z "$pid" ]]; then return 0; fi
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    [[ -d "/proc/$pid" ]] || return 0
    sleep 0.1
  done
  log "$name (pid $pid) still running after 15s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  if [[ $# -gt 0 ]]; then
    pidfile_for "$1" >/dev/null
    stop_daemon "$1"
    return 0
  fi
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
}

cmd_status() {
  local name pid state ready=0
  for name in munged slurmctld slurmd; do
    pid="$(pid_of "$name" "$(pidfile_for "$name")")"
    if [[ -n "$pid" ]]; then
      printf '%-10s running (pid %s)\n' "$name" "$pid"
    else
      printf '%-10s stopped\n' "$name"
      ready=1
    fi
  done
  if command -v sinfo >/dev/null 2>&1; then
    state="$(node_state)"
    printf '%-10s %s\n' node "$HOST: ${state:-no answer from slurmctld}"
    is_usable_state "$state" || ready=1
  else
    printf '%-10s %s\n' node "slurm-client not installed"
    ready=1
  fi
  if [[ $ready -eq 0 ]]; then echo "ready"; else echo "not ready"; fi
  return "$ready"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status ;;
    *)
      echo "usage: $0 up | stop [munged|slurmctld|slurmd] | status" >&2
      exit 2
      ;;
  esac
}

main "$@"
