#!/usr/bin/env bash
# Container registry housekeeping shared by deploy.sh and the deploy workflow: DOCR Starter holds
# 500 MiB, so each deploy keeps only the newest image tags and garbage-collects the rest.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/doks/registry.sh [--dry-run] wait-gc
       scripts/doks/registry.sh [--dry-run] prune [--keep N]

  wait-gc      wait until no garbage collection runs (the registry is read-only meanwhile)
  prune        delete all but the newest N backend-* and frontend-* tags of the todo
               repository (default 5; a helm rollback can go back that far), then start a
               garbage collection that frees their layers
  --dry-run    print the commands ("+ " lines) and run none of them

Needs doctl authenticated (DIGITALOCEAN_ACCESS_TOKEN) except with --dry-run.
USAGE
}

here=${BASH_SOURCE[0]%/*}
[[ $here != "${BASH_SOURCE[0]}" ]] || here=.
# shellcheck source=scripts/doks/lib.sh
source "$here/lib.sh"
exec 3>&1

DRY_RUN=0
command=""
keep=5
while (($#)); do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    --keep)
      (($# >= 2)) || {
        usage >&2
        exit 2
      }
      keep=$2
      shift
      ;;
    wait-gc | prune) command=$1 ;;
    *)
      printf 'registry.sh: unknown argument: %s\n\n' "$1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done
[[ $keep =~ ^[1-9][0-9]*$ ]] || die "--keep needs a positive number"

case $command in
  wait-gc) registry_wait_for_gc ;;
  prune) registry_prune "$keep" ;;
  *)
    usage >&2
    exit 2
    ;;
esac
