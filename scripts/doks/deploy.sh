#!/usr/bin/env bash
# Deploy the whole app to one DigitalOcean Kubernetes node: creates the cluster and the container
# registry on the first run, builds and pushes both images, then `helm upgrade --install`.
# Every step converges, so re-running it is safe. docs/deploy.md walks through a first deploy.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/doks/deploy.sh [--dry-run] [--help]

Deploys the app to DigitalOcean Kubernetes (DOKS). Creates the cluster and the container registry
if they do not exist, builds and pushes both images, applies the namespace (and Redpanda in
in-cluster mode), stores the secrets in the todo-secrets Secret, runs helm upgrade --install,
checks the app answers, prunes old image tags and prints the app's URL.

Options:
  --dry-run   Print every command, one per line prefixed "+ ", and run none of them. Needs no
              doctl, kubectl, helm or docker and no credentials. Looked-up values print as
              placeholders (<node-ip>); steps that depend on a lookup end in "# if ...".
  -h, --help  Show this help.

Environment:
  DIGITALOCEAN_ACCESS_TOKEN  DigitalOcean API token (required, except with --dry-run)
  DOCR_REGISTRY              container registry name (required; one per account)
  DJANGO_SECRET_KEY          required
  DATABASE_URL               required, e.g. postgres://user:pass@host/db?sslmode=require
  VAPID_PRIVATE_KEY          optional; empty turns Web Push off (in-app notifications only)
  METRICS_TOKEN              optional bearer token required by /metrics
  KAFKA_MODE                 in-cluster (default: Redpanda on the node) or cloud
  KAFKA_BOOTSTRAP_SERVERS    cloud mode: required (Redpanda Cloud bootstrap address)
  KAFKA_SASL_USERNAME        cloud mode: required (SASL_SSL, SCRAM-SHA-256)
  KAFKA_SASL_PASSWORD        cloud mode: required
  CLUSTER_NAME               default todo
  REGION                     default nyc1
  NODE_SIZE                  default s-2vcpu-4gb
  IMAGE_TAG                  default: git rev-parse --short HEAD; with uncommitted changes a
                             "-dirty-<time>" suffix, so a rebuild never reuses a tag
  ALLOWED_HOSTS              host names served besides the node IP (comma-separated)
  CSRF_TRUSTED_ORIGINS       origins trusted besides http://<node-ip>:30080 (comma-separated)
  DJANGO_HTTPS               true once TLS terminates in front of the app (default false)
  KEEP_IMAGES                image tags kept per image, the rollback window (default 5)
USAGE
}

here=${BASH_SOURCE[0]%/*}
[[ $here != "${BASH_SOURCE[0]}" ]] || here=.
cd "$here/../.."
# shellcheck source=scripts/doks/lib.sh
source scripts/doks/lib.sh

DRY_RUN=0
for arg in "$@"; do
  case $arg in
    --dry-run) DRY_RUN=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      printf 'deploy.sh: unknown option: %s\n\n' "$arg" >&2
      usage >&2
      exit 2
      ;;
  esac
done

CLUSTER_NAME=${CLUSTER_NAME:-todo}
REGION=${REGION:-nyc1}
NODE_SIZE=${NODE_SIZE:-s-2vcpu-4gb}
KAFKA_MODE=${KAFKA_MODE:-in-cluster}
DJANGO_HTTPS=${DJANGO_HTTPS:-false}
KEEP_IMAGES=${KEEP_IMAGES:-5}
NAMESPACE=todo
RELEASE=todo
SECRET_NAME=todo-secrets
NODE_PORT=30080
SECRET_KEYS=(DJANGO_SECRET_KEY DATABASE_URL VAPID_PRIVATE_KEY
  KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD METRICS_TOKEN)

SECRET_FILE=""
SECRET_CHANGED=0
cleanup() {
  [[ -z $SECRET_FILE ]] || rm -f -- "$SECRET_FILE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
exec 3>&1

check_config() {
  local required=(DOCR_REGISTRY DJANGO_SECRET_KEY DATABASE_URL) missing=() name
  if ((!DRY_RUN)); then
    required=(DIGITALOCEAN_ACCESS_TOKEN "${required[@]}")
  fi
  case $KAFKA_MODE in
    in-cluster) ;;
    cloud) required+=(KAFKA_BOOTSTRAP_SERVERS KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD) ;;
    *) die "KAFKA_MODE must be in-cluster or cloud, not '$KAFKA_MODE'" ;;
  esac
  for name in "${required[@]}"; do
    [[ -n ${!name:-} ]] || missing+=("$name")
  done
  if ((${#missing[@]})); then
    die "missing required environment variables: ${missing[*]} (see docs/deploy.md)"
  fi
  [[ $DOCR_REGISTRY =~ ^[a-z0-9-]+$ ]] ||
    die "DOCR_REGISTRY must be lowercase letters, digits and dashes"
  [[ $DJANGO_HTTPS == true || $DJANGO_HTTPS == false ]] ||
    die "DJANGO_HTTPS must be true or false"
  [[ $KEEP_IMAGES =~ ^[1-9][0-9]*$ ]] || die "KEEP_IMAGES must be a positive number"
  local host='[][[:alnum:].*:-]+' origin='https?://[^/"\\[:space:],]+'
  [[ ${ALLOWED_HOSTS:-} =~ ^([[:space:]]*${host}[[:space:]]*(,|$))*$ ]] ||
    die "ALLOWED_HOSTS must be comma-separated host names such as todo.example.com"
  [[ ${CSRF_TRUSTED_ORIGINS:-} =~ ^([[:space:]]*${origin}[[:space:]]*(,|$))*$ ]] ||
    die "CSRF_TRUSTED_ORIGINS must be comma-separated origins such as https://todo.example.com"
  for name in "${SECRET_KEYS[@]}"; do
    [[ ${!name:-} != *$'\n'* ]] ||
      die "$name contains a line break; the Secret's env file holds one line per key"
  done
}

install_hint() {
  case $1 in
    doctl) echo "https://docs.digitalocean.com/reference/doctl/how-to/install/" ;;
    kubectl) echo "https://kubernetes.io/docs/tasks/tools/" ;;
    helm) echo "helm 4, https://helm.sh/docs/intro/install/" ;;
    docker) echo "https://docs.docker.com/get-docker/" ;;
    *) echo "install it with your OS package manager" ;;
  esac
}

check_tools() {
  local tool absent=0 version
  for tool in doctl kubectl helm docker curl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      printf 'deploy.sh: %s is not installed (%s)\n' "$tool" "$(install_hint "$tool")" >&2
      absent=1
    fi
  done
  ((!absent)) || exit 1
  version=$(helm version --template '{{.Version}}')
  [[ $version == v4.* ]] ||
    die "helm $version found; helm 4 is needed (--rollback-on-failure): $(install_hint helm)"
  docker info >/dev/null 2>&1 || die "docker is installed but its daemon is not reachable"
  doctl account get >/dev/null ||
    die "DigitalOcean refused DIGITALOCEAN_ACCESS_TOKEN (needs read and write scope)"
}

resolve_image_tag() {
  if [[ -z ${IMAGE_TAG:-} ]]; then
    IMAGE_TAG=$(git rev-parse --short HEAD) || die "cannot read the git commit; set IMAGE_TAG"
    # A rebuilt tag would not be pulled again by the node (the image is cached), so local
    # changes get a tag of their own.
    if [[ -n $(git status --porcelain --untracked-files=no) ]]; then
      IMAGE_TAG+=-dirty-$(date -u +%Y%m%d%H%M%S)
    fi
  fi
  [[ $IMAGE_TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$ ]] ||
    die "IMAGE_TAG '$IMAGE_TAG' is not a valid image tag"
  [[ $IMAGE_TAG != latest ]] || die "IMAGE_TAG must name a version, never latest"
}

ensure_cluster() {
  local create=(doctl kubernetes cluster create "$CLUSTER_NAME" --region "$REGION"
    --size "$NODE_SIZE" --count 1 --wait)
  show doctl kubernetes cluster get "$CLUSTER_NAME"
  if ((DRY_RUN)); then
    show_if "the cluster does not exist" "${create[@]}"
  elif doctl kubernetes cluster get "$CLUSTER_NAME" >/dev/null 2>&1; then
    note "cluster $CLUSTER_NAME exists"
  else
    run "${create[@]}"
  fi
  # Sets the current kubectl context, which every kubectl and helm command below uses.
  run doctl kubernetes cluster kubeconfig save "$CLUSTER_NAME"
}

ensure_registry() {
  local create=(doctl registry create "$DOCR_REGISTRY" --subscription-tier starter) existing
  show doctl registry get --format Name --no-header
  if ((DRY_RUN)); then
    show_if "the account has no registry" "${create[@]}"
  else
    existing=$(doctl registry get --format Name --no-header 2>/dev/null || true)
    if [[ -z $existing ]]; then
      run "${create[@]}"
    elif [[ $existing != "$DOCR_REGISTRY" ]]; then
      die "this account's registry is '$existing' (one per account): set DOCR_REGISTRY=$existing"
    else
      note "registry $DOCR_REGISTRY exists"
    fi
  fi
  # DigitalOcean's integration: a pull secret for the default service account of every namespace.
  # The chart's own service account pulls with todo-registry (registry_pull_secret).
  run doctl kubernetes cluster registry add "$CLUSTER_NAME"
}

build_and_push() {
  local backend=$IMAGE:backend-$IMAGE_TAG frontend=$IMAGE:frontend-$IMAGE_TAG
  run docker build --platform linux/amd64 -t "$backend" --build-arg "REVISION=$IMAGE_TAG" \
    -f Dockerfile .
  run docker build --platform linux/amd64 -t "$frontend" --build-arg "REVISION=$IMAGE_TAG" \
    -f frontend/Dockerfile frontend
  registry_wait_for_gc
  # Logged in only now: a cold build can outlast the credentials.
  run doctl registry login --expiry-seconds 1200
  run docker push "$backend"
  run docker push "$frontend"
}

# The pull secret chart/values-doks.yaml names (imagePullSecrets: todo-registry).
registry_pull_secret() {
  apply_from doctl registry kubernetes-manifest --namespace "$NAMESPACE" --name todo-registry
}

deploy_redpanda() {
  run kubectl -n "$NAMESPACE" apply -f k8s/redpanda.yaml
  run kubectl -n "$NAMESPACE" rollout status statefulset/redpanda --timeout=5m
  # A Job's pod template is immutable and a finished Job never runs again: replace it.
  run kubectl -n "$NAMESPACE" delete -f k8s/topics-job.yaml --ignore-not-found --wait=true
  run kubectl -n "$NAMESPACE" apply -f k8s/topics-job.yaml
  run kubectl -n "$NAMESPACE" wait --for=condition=complete -f k8s/topics-job.yaml --timeout=10m
}

write_secret_env() {
  local key
  for key in "${SECRET_KEYS[@]}"; do
    printf '%s=%s\n' "$key" "${!key:-}"
  done
}

# Values reach kubectl through a 0600 file, never its arguments (visible to every local user).
apply_secret() {
  local file='<secret-env-file>' result
  if ((!DRY_RUN)); then
    SECRET_FILE=$(mktemp "${TMPDIR:-/tmp}/todo-secrets.XXXXXX")
    chmod 600 "$SECRET_FILE"
    write_secret_env >"$SECRET_FILE"
    file=$SECRET_FILE
  fi
  result=$(apply_from kubectl -n "$NAMESPACE" create secret generic "$SECRET_NAME" \
    --from-env-file="$file" --dry-run=client -o yaml)
  if ((DRY_RUN)); then
    return 0
  fi
  rm -f -- "$SECRET_FILE"
  SECRET_FILE=""
  note "$result"
  if [[ $result == *configured* ]]; then
    SECRET_CHANGED=1
  fi
}

lookup_node_ip() {
  local jsonpath='jsonpath={.items[0].status.addresses[?(@.type=="ExternalIP")].address}'
  show kubectl get nodes -o "$jsonpath"
  if ((DRY_RUN)); then
    NODE_IP='<node-ip>'
    return 0
  fi
  NODE_IP=$(kubectl get nodes -o "$jsonpath")
  [[ -n $NODE_IP ]] || die "the node has no external IP address yet; re-run in a minute"
}

helm_deploy() {
  local hosts=$NODE_IP origins=http://$NODE_IP:$NODE_PORT
  [[ -z ${ALLOWED_HOSTS:-} ]] || hosts+=,$ALLOWED_HOSTS
  [[ -z ${CSRF_TRUSTED_ORIGINS:-} ]] || origins+=,$CSRF_TRUSTED_ORIGINS
  # --set-string keeps a tag such as 1234567 a string; lists go in as JSON and a bootstrap list
  # literally, since --set splits values at commas.
  local args=(upgrade --install "$RELEASE" ./chart -n "$NAMESPACE" -f chart/values-doks.yaml
    --set-string "image.registry=$REGISTRY_HOST"
    --set-string "image.tag=$IMAGE_TAG"
    --set-string "secrets.existingSecret=$SECRET_NAME"
    --set-json "config.allowedHosts=$(json_list "$hosts")"
    --set-json "config.csrfTrustedOrigins=$(json_list "$origins")"
    --set "config.https=$DJANGO_HTTPS")
  if [[ $KAFKA_MODE == cloud ]]; then
    args+=(--set-literal "config.kafkaBootstrapServers=$KAFKA_BOOTSTRAP_SERVERS"
      --set-string config.kafkaSecurityProtocol=SASL_SSL
      --set-string config.kafkaSaslMechanism=SCRAM-SHA-256)
  fi
  # Helm 4's name for --atomic: a failed upgrade (hook Job or rollout) rolls back.
  args+=(--rollback-on-failure --wait --timeout 10m)
  run helm "${args[@]}"
}

# The chart's pods read the Secret only at start, and a redeploy of the same tag rolls nothing.
restart_if_secret_changed() {
  local restart=(kubectl -n "$NAMESPACE" rollout restart deployment
    -l app.kubernetes.io/part-of=todo)
  if ((DRY_RUN)); then
    show_if "$SECRET_NAME changed" "${restart[@]}"
  elif ((SECRET_CHANGED)); then
    run "${restart[@]}"
  fi
}

smoke_check() {
  local path
  for path in /healthz /api/schema/; do
    run curl -fsS -o /dev/null --retry 12 --retry-delay 5 --retry-all-errors --max-time 10 \
      "$APP_URL$path"
  done
}

check_config
if ((DRY_RUN)); then
  note "dry run: printing the commands, running none"
else
  check_tools
fi
resolve_image_tag
REGISTRY_HOST=registry.digitalocean.com/$DOCR_REGISTRY
IMAGE=$REGISTRY_HOST/$REPOSITORY

ensure_cluster
ensure_registry
build_and_push
run kubectl apply -f k8s/namespace.yaml
registry_pull_secret
if [[ $KAFKA_MODE == in-cluster ]]; then
  deploy_redpanda
fi
apply_secret
lookup_node_ip
helm_deploy
restart_if_secret_changed
APP_URL=http://$NODE_IP:$NODE_PORT
smoke_check
registry_prune "$KEEP_IMAGES"
printf '\nThe app is at %s (image tag %s)\n' "$APP_URL" "$IMAGE_TAG"
