# shellcheck shell=bash
# Helpers shared by scripts/doks/*.sh (sourced, never executed).
#
# Every command that touches DigitalOcean, the cluster or Docker goes through `run` (or `show` for
# the ones that need a pipe or a captured output): it is printed as `+ command` on fd 3 (the
# caller's stdout), then executed unless DRY_RUN=1. The transcript is the dry run's whole output,
# so it never contains a secret value: secrets travel in environment variables and 0600 files.

DRY_RUN=${DRY_RUN:-0}
REPOSITORY=todo # the one DOCR repository (Starter tier holds one); tags carry the image name

die() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

note() {
  printf '==> %s\n' "$*" >&2
}

# One command as a shell-readable line. Placeholders such as <node-ip> stay readable; anything
# else with shell metacharacters is single-quoted.
render() {
  local safe='^[[:alnum:]_./:=,@%+<>-]+$' arg out=""
  for arg in "$@"; do
    if [[ $arg =~ $safe ]]; then
      out+=" $arg"
    else
      out+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  printf '%s' "${out# }"
}

show() {
  printf '+ %s\n' "$(render "$@")" >&3
}

# A command the real run executes only when a lookup says so; the dry run cannot look it up.
show_if() {
  local condition=$1
  shift
  printf '+ %s  # if %s\n' "$(render "$@")" "$condition" >&3
}

run() {
  show "$@"
  if ((DRY_RUN)); then
    return 0
  fi
  "$@"
}

# `CMD | kubectl apply -f -`, for manifests carrying credentials: they go through the pipe only,
# never to disk or to the output. kubectl's summary ("secret/x configured") is the output.
apply_from() {
  printf '+ %s | kubectl apply -f -\n' "$(render "$@")" >&3
  if ((DRY_RUN)); then
    return 0
  fi
  "$@" | kubectl apply -f -
}

# A comma-separated list as a JSON array of strings, for helm --set-json (--set would split the
# commas into keys). The items are host names or origins, which hold no quotes or backslashes.
json_list() {
  local items item out=""
  IFS=, read -r -a items <<<"$1"
  for item in "${items[@]}"; do
    item=${item#"${item%%[![:space:]]*}"} # trim leading and trailing blanks
    item=${item%"${item##*[![:space:]]}"}
    if [[ -n $item ]]; then
      out+="${out:+,}\"$item\""
    fi
  done
  printf '[%s]' "$out"
}

# Garbage collection makes the registry read-only while it runs, so a push has to wait for it.
registry_wait_for_gc() {
  local deadline=$((SECONDS + ${GC_WAIT_SECONDS:-900}))
  show doctl registry garbage-collection get-active
  if ((DRY_RUN)); then
    return 0
  fi
  while doctl registry garbage-collection get-active >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      die "registry garbage collection still running after ${GC_WAIT_SECONDS:-900}s; retry later"
    fi
    note "waiting for the registry's garbage collection to finish (the registry is read-only)"
    sleep 15
  done
}

# Keep the newest $1 tags of each image (backend-*, frontend-*), delete the rest, then start a
# garbage collection so the deleted layers stop counting against DOCR Starter's 500 MiB.
# A helm rollback needs its images: it can go back at most $1 deploys.
registry_prune() {
  local keep=$1 prefix tag old=()
  show doctl registry repository list-tags "$REPOSITORY" --format Tag,UpdatedAt --no-header
  if ((DRY_RUN)); then
    show_if "more than $keep tags of an image" \
      doctl registry repository delete-tag "$REPOSITORY" '<older-tags>' --force
    show_if "tags were deleted" \
      doctl registry garbage-collection start --include-untagged-manifests --force
    return 0
  fi
  local listing
  listing=$(doctl registry repository list-tags "$REPOSITORY" --format Tag,UpdatedAt --no-header)
  for prefix in backend frontend; do
    # UpdatedAt is "YYYY-MM-DD hh:mm:ss +0000 UTC": sorting the text from field 2 on is by time.
    while IFS= read -r tag; do
      old+=("$tag")
    done < <(
      awk -v p="$prefix-" 'index($1, p) == 1' <<<"$listing" | sort -r -k2 |
        awk -v keep="$keep" 'NR > keep { print $1 }'
    )
  done
  if ((${#old[@]} == 0)); then
    note "registry: nothing to prune (at most $keep tags per image)"
    return 0
  fi
  run doctl registry repository delete-tag "$REPOSITORY" "${old[@]}" --force
  run doctl registry garbage-collection start --include-untagged-manifests --force
}
