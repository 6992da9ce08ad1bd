"""scripts/doks/deploy.sh and registry.sh, and the deploy workflow that mirrors them.

The dry runs get a PATH holding only bash, git and a few coreutils, which proves they need no
doctl, kubectl, helm, docker or curl. The real runs get stand-ins for those five that log their
arguments and answer like the real tools, so the tests see exactly what would reach
DigitalOcean and the cluster, and that no secret value is ever on a command line.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "scripts" / "doks" / "deploy.sh"
REGISTRY_SH = REPO / "scripts" / "doks" / "registry.sh"
WORKFLOWS = REPO / ".github" / "workflows"
IMAGE = "registry.digitalocean.com/myreg/todo"
TAG = "abc1234"
NODE_IP = "203.0.113.7"
CLOUD_TOOLS = ("doctl", "kubectl", "helm", "docker", "curl")
BASE_TOOLS = ("bash", "git", "mktemp", "rm", "chmod", "date", "sort", "awk", "sleep", "cat", "stat")
SECRETS = {
    "DJANGO_SECRET_KEY": "s3cr3t-value-django-key",
    "DATABASE_URL": "postgres://app:s3cr3t-value-fake-db@ep-x.neon.tech/todo?sslmode=require",
    "VAPID_PRIVATE_KEY": "s3cr3t-value-vapid",
    "KAFKA_SASL_USERNAME": "s3cr3t-value-sasl-user",
    "KAFKA_SASL_PASSWORD": "s3cr3t-value-sasl-password",
    "METRICS_TOKEN": "s3cr3t-value-metrics",
}
CLOUD = {"KAFKA_MODE": "cloud", "KAFKA_BOOTSTRAP_SERVERS": "seed-1.cloud.redpanda.com:9092"}

# Stand-ins for the cloud tools: each logs its arguments (one shell-quoted line per call) and
# answers the few lookups deploy.sh makes. STUB_CLUSTER_ABSENT makes
# `doctl kubernetes cluster get` fail.
STUB = r"""#!{bash}
{{ printf '%s' "${{0##*/}}"; printf ' %q' "$@"; printf '\n'; }} >>"$STUB_DIR/calls.log"
case "${{0##*/}} $*" in
  "doctl kubernetes cluster get "*) [[ -z ${{STUB_CLUSTER_ABSENT:-}} ]] ;;
  "doctl registry get "*) echo myreg ;;
  "doctl registry garbage-collection get-active"*) exit 1 ;;
  "doctl registry kubernetes-manifest "*) echo "kind: Secret" ;;
  "doctl registry repository list-tags "*)
    for n in 1 2 3 4 5 6 7; do
      echo "backend-old$n  2024-01-0$n 10:00:00 +0000 UTC"
      echo "frontend-old$n  2024-01-0$n 10:00:00 +0000 UTC"
    done ;;
  "kubectl get nodes "*) printf '%s' {node_ip} ;;
  "kubectl "*"create secret "*)
    for arg in "$@"; do
      if [[ $arg == --from-env-file=* ]]; then
        file=${{arg#--from-env-file=}}
        stat -c %a "$file" >"$STUB_DIR/secret.mode"
        cat "$file" >"$STUB_DIR/secret.env"
        echo "$file" >"$STUB_DIR/secret.path"
      fi
    done
    echo "kind: Secret" ;;
  "kubectl apply -f -") cat >/dev/null; echo "secret/todo-secrets configured" ;;
  "helm version "*) echo v4.1.4 ;;
esac
"""


def linked_bin(directory: Path, tools: tuple[str, ...]) -> Path:
    directory.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found, f"{tool} is needed to run these tests"
        (directory / tool).symlink_to(found)
    return directory


@pytest.fixture
def base_bin(tmp_path: Path) -> Path:
    path = linked_bin(tmp_path / "base", BASE_TOOLS)
    assert all(shutil.which(tool, path=str(path)) is None for tool in CLOUD_TOOLS)
    return path


@pytest.fixture
def stub_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "stubs"
    directory.mkdir()
    return directory


def stub_bin(stub_dir: Path, tools: tuple[str, ...] = CLOUD_TOOLS) -> Path:
    directory = stub_dir / "bin"
    directory.mkdir()
    script = STUB.format(bash=shutil.which("bash"), node_ip=NODE_IP)
    for tool in tools:
        (directory / tool).write_text(script)
        (directory / tool).chmod(0o755)
    return directory


def calls(stub_dir: Path) -> list[str]:
    log = stub_dir / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def base_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp),
        "DOCR_REGISTRY": "myreg",
        "IMAGE_TAG": TAG,
        "DIGITALOCEAN_ACCESS_TOKEN": "s3cr3t-value-do-token",
        **SECRETS,
    }
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run(script: Path, *args: str, env: dict[str, str], path: list[Path]):
    return subprocess.run(
        [str(script), *args],
        env={**env, "PATH": os.pathsep.join(map(str, path))},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def transcript(stdout: str) -> list[list[str]]:
    """The `+ ` lines as argument lists; a trailing `# if …` note is dropped."""
    return [
        shlex.split(line[2:], comments=True) for line in stdout.splitlines() if line[:2] == "+ "
    ]


def find(commands: list[list[str]], *prefix: str) -> list[int]:
    return [i for i, cmd in enumerate(commands) if cmd[: len(prefix)] == list(prefix)]


def only(commands: list[list[str]], *prefix: str) -> list[str]:
    (index,) = find(commands, *prefix)
    return commands[index]


def option(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def helm_values(cmd: list[str]) -> dict[str, str]:
    flags = ("--set", "--set-string", "--set-literal", "--set-json")
    pairs = [cmd[i + 1] for i, arg in enumerate(cmd[:-1]) if arg in flags]
    return dict(pair.split("=", 1) for pair in pairs)


def test_dry_run_prints_a_first_deploy_without_any_cloud_tool(tmp_path, base_bin):
    result = run(DEPLOY, "--dry-run", env=base_env(tmp_path), path=[base_bin])

    assert result.returncode == 0, result.stderr
    commands = transcript(result.stdout)
    create = only(commands, "doctl", "kubernetes", "cluster", "create")
    assert create[4] == "todo"
    assert option(create, "--size") == "s-2vcpu-4gb"
    assert option(create, "--region") == "nyc1"
    assert option(create, "--count") == "1"
    assert "--wait" in create
    registry = only(commands, "doctl", "registry", "create")
    assert registry[3:] == ["myreg", "--subscription-tier", "starter"]
    backend = only(
        commands, "docker", "build", "--platform", "linux/amd64", "-t", f"{IMAGE}:backend-{TAG}"
    )
    assert backend[-3:] == ["-f", "Dockerfile", "."]
    frontend = only(
        commands, "docker", "build", "--platform", "linux/amd64", "-t", f"{IMAGE}:frontend-{TAG}"
    )
    assert frontend[-3:] == ["-f", "frontend/Dockerfile", "frontend"]
    only(commands, "docker", "push", f"{IMAGE}:backend-{TAG}")
    only(commands, "docker", "push", f"{IMAGE}:frontend-{TAG}")
    assert "latest" not in result.stdout
    assert result.stdout.rstrip().endswith(
        "The app is at http://<node-ip>:30080 (image tag abc1234)"
    )


def test_dry_run_runs_the_steps_in_order(tmp_path, base_bin):
    result = run(DEPLOY, "--dry-run", env=base_env(tmp_path), path=[base_bin])

    commands = transcript(result.stdout)
    steps = [
        find(commands, "doctl", "kubernetes", "cluster", "create"),
        find(commands, "doctl", "kubernetes", "cluster", "kubeconfig", "save", "todo"),
        find(commands, "doctl", "kubernetes", "cluster", "registry", "add", "todo"),
        find(commands, "doctl", "registry", "login", "--expiry-seconds", "1200"),
        find(commands, "docker", "push"),
        find(commands, "kubectl", "apply", "-f", "k8s/namespace.yaml"),
        find(commands, "doctl", "registry", "kubernetes-manifest", "--namespace", "todo"),
        find(commands, "kubectl", "-n", "todo", "apply", "-f", "k8s/redpanda.yaml"),
        find(commands, "kubectl", "-n", "todo", "delete", "-f", "k8s/topics-job.yaml"),
        find(commands, "kubectl", "-n", "todo", "apply", "-f", "k8s/topics-job.yaml"),
        find(commands, "kubectl", "-n", "todo", "create", "secret", "generic", "todo-secrets"),
        find(commands, "helm", "upgrade", "--install"),
        find(commands, "curl"),
    ]
    positions = [index for found in steps for index in found]
    assert all(steps), steps
    assert positions == sorted(positions)


def test_dry_run_deploys_the_chart_with_the_doks_values(tmp_path, base_bin):
    result = run(DEPLOY, "--dry-run", env=base_env(tmp_path), path=[base_bin])

    helm = only(transcript(result.stdout), "helm", "upgrade", "--install")
    assert helm[3:5] == ["todo", "./chart"]
    assert option(helm, "-n") == "todo"
    assert option(helm, "-f") == "chart/values-doks.yaml"
    assert option(helm, "--timeout") == "10m"
    assert "--rollback-on-failure" in helm
    assert "--wait" in helm
    assert "--atomic" not in helm  # deprecated in helm 4
    assert helm_values(helm) == {
        "image.registry": "registry.digitalocean.com/myreg",
        "image.tag": TAG,
        "secrets.existingSecret": "todo-secrets",
        "config.allowedHosts": '["<node-ip>"]',
        "config.csrfTrustedOrigins": '["http://<node-ip>:30080"]',
        "config.https": "false",
    }
    # A tag such as 1234567 must reach the chart as a string, not a number.
    assert helm[helm.index(f"image.tag={TAG}") - 1] == "--set-string"


def test_cloud_mode_skips_redpanda_and_sets_sasl(tmp_path, base_bin):
    result = run(DEPLOY, "--dry-run", env=base_env(tmp_path, **CLOUD), path=[base_bin])

    assert result.returncode == 0, result.stderr
    assert "k8s/redpanda.yaml" not in result.stdout
    assert "k8s/topics-job.yaml" not in result.stdout
    helm = only(transcript(result.stdout), "helm", "upgrade", "--install")
    values = helm_values(helm)
    assert values["config.kafkaBootstrapServers"] == "seed-1.cloud.redpanda.com:9092"
    assert values["config.kafkaSecurityProtocol"] == "SASL_SSL"
    assert values["config.kafkaSaslMechanism"] == "SCRAM-SHA-256"


def test_in_cluster_mode_leaves_kafka_to_the_chart_values(tmp_path, base_bin):
    result = run(DEPLOY, "--dry-run", env=base_env(tmp_path), path=[base_bin])

    helm = only(transcript(result.stdout), "helm", "upgrade", "--install")
    assert not [key for key in helm_values(helm) if "kafka" in key.lower()]


@pytest.mark.parametrize("mode", [{}, CLOUD], ids=["in-cluster", "cloud"])
def test_dry_run_prints_no_secret_value(tmp_path, base_bin, mode):
    result = run(DEPLOY, "--dry-run", env=base_env(tmp_path, **mode), path=[base_bin])

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "s3cr3t" not in output
    assert "--from-env-file=<secret-env-file>" in output
    assert "--from-literal" not in output


def test_dry_run_needs_no_token(tmp_path, base_bin):
    result = run(
        DEPLOY, "--dry-run", env=base_env(tmp_path, DIGITALOCEAN_ACCESS_TOKEN=None), path=[base_bin]
    )

    assert result.returncode == 0, result.stderr


def test_image_tag_defaults_to_the_commit(tmp_path, base_bin):
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    result = run(DEPLOY, "--dry-run", env=base_env(tmp_path, IMAGE_TAG=None), path=[base_bin])

    assert result.returncode == 0, result.stderr
    helm = only(transcript(result.stdout), "helm", "upgrade", "--install")
    assert re.fullmatch(rf"{commit}(-dirty-\d{{14}})?", helm_values(helm)["image.tag"])


def test_latest_is_refused_as_a_tag(tmp_path, base_bin):
    result = run(DEPLOY, "--dry-run", env=base_env(tmp_path, IMAGE_TAG="latest"), path=[base_bin])

    assert result.returncode == 1
    assert "never latest" in result.stderr


def test_missing_variables_are_all_named_and_nothing_runs(tmp_path, base_bin, stub_dir):
    env = base_env(
        tmp_path,
        DIGITALOCEAN_ACCESS_TOKEN=None,
        DOCR_REGISTRY=None,
        DJANGO_SECRET_KEY=None,
        DATABASE_URL=None,
    )

    result = run(DEPLOY, env=env, path=[stub_bin(stub_dir), base_bin])

    assert result.returncode == 1
    for name in ("DIGITALOCEAN_ACCESS_TOKEN", "DOCR_REGISTRY", "DJANGO_SECRET_KEY", "DATABASE_URL"):
        assert name in result.stderr
    assert result.stdout == ""
    assert calls(stub_dir) == []


def test_cloud_mode_requires_the_broker_and_its_credentials(tmp_path, base_bin, stub_dir):
    env = base_env(tmp_path, KAFKA_MODE="cloud", KAFKA_SASL_USERNAME=None, KAFKA_SASL_PASSWORD=None)

    result = run(DEPLOY, env=env, path=[stub_bin(stub_dir), base_bin])

    assert result.returncode == 1
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"):
        assert name in result.stderr
    assert calls(stub_dir) == []


def test_a_missing_tool_is_named_and_nothing_runs(tmp_path, base_bin, stub_dir):
    tools = tuple(tool for tool in CLOUD_TOOLS if tool != "doctl")

    result = run(DEPLOY, env=base_env(tmp_path), path=[stub_bin(stub_dir, tools), base_bin])

    assert result.returncode == 1
    assert "doctl is not installed" in result.stderr
    assert "docs.digitalocean.com" in result.stderr
    assert calls(stub_dir) == []


def test_help_exits_0(tmp_path, base_bin):
    result = run(DEPLOY, "--help", env={}, path=[base_bin])

    assert result.returncode == 0
    assert "--dry-run" in result.stdout
    assert "KAFKA_MODE" in result.stdout


def test_an_unknown_flag_exits_2(tmp_path, base_bin):
    result = run(DEPLOY, "--yes", env=base_env(tmp_path), path=[base_bin])

    assert result.returncode == 2
    assert "unknown option: --yes" in result.stderr


@pytest.mark.parametrize("cluster_exists", [True, False], ids=["cluster-exists", "cluster-absent"])
def test_a_real_run_converges_and_keeps_secrets_off_command_lines(
    tmp_path, base_bin, stub_dir, cluster_exists
):
    env = base_env(tmp_path, STUB_DIR=str(stub_dir))
    if not cluster_exists:
        env["STUB_CLUSTER_ABSENT"] = "1"

    result = run(DEPLOY, env=env, path=[stub_bin(stub_dir), base_bin])

    assert result.returncode == 0, result.stderr
    log = calls(stub_dir)
    creates = [call for call in log if call.startswith("doctl kubernetes cluster create")]
    assert len(creates) == (0 if cluster_exists else 1)
    assert not [call for call in log if call.startswith("doctl registry create")]
    helm = shlex.split(next(call for call in log if call.startswith("helm upgrade")))
    assert helm_values(helm)["config.allowedHosts"] == f'["{NODE_IP}"]'
    assert "kubectl -n todo rollout restart deployment -l app.kubernetes.io/part-of=todo" in log
    assert [call.split()[-1] for call in log if call.startswith("curl ")] == [
        f"http://{NODE_IP}:30080/healthz",
        f"http://{NODE_IP}:30080/api/schema/",
    ]
    assert result.stdout.rstrip().endswith(
        f"The app is at http://{NODE_IP}:30080 (image tag {TAG})"
    )
    # The Secret's values went through a private file that is gone afterwards.
    assert (stub_dir / "secret.mode").read_text().strip() == "600"
    assert (stub_dir / "secret.env").read_text().splitlines() == [
        f"{key}={value}" for key, value in SECRETS.items()
    ]
    assert not Path((stub_dir / "secret.path").read_text().strip()).exists()
    assert "s3cr3t" not in "\n".join(log) + result.stdout + result.stderr


def test_a_real_run_prunes_all_but_the_newest_tags(tmp_path, base_bin, stub_dir):
    env = base_env(tmp_path, STUB_DIR=str(stub_dir), KEEP_IMAGES="5")

    result = run(DEPLOY, env=env, path=[stub_bin(stub_dir), base_bin])

    assert result.returncode == 0, result.stderr
    deleted = [call for call in calls(stub_dir) if "delete-tag" in call]
    assert deleted == [
        "doctl registry repository delete-tag todo backend-old2 backend-old1 "
        "frontend-old2 frontend-old1 --force"
    ]
    assert "doctl registry garbage-collection start --include-untagged-manifests --force" in calls(
        stub_dir
    )


def test_registry_prune_dry_run_and_usage(tmp_path, base_bin):
    dry = run(REGISTRY_SH, "--dry-run", "prune", "--keep", "3", env={}, path=[base_bin])
    usage = run(REGISTRY_SH, env={}, path=[base_bin])

    assert dry.returncode == 0, dry.stderr
    assert transcript(dry.stdout)[0] == [
        "doctl",
        "registry",
        "repository",
        "list-tags",
        "todo",
        "--format",
        "Tag,UpdatedAt",
        "--no-header",
    ]
    assert usage.returncode == 2


def tool(name: str) -> str:
    local = REPO / ".tools" / "bin" / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: run scripts/deploy-tools.sh", pytrace=False)
    return found


@pytest.mark.parametrize("mode", [{}, CLOUD], ids=["in-cluster", "cloud"])
def test_the_helm_values_fit_the_chart(tmp_path, base_bin, mode):
    env = base_env(
        tmp_path,
        ALLOWED_HOSTS="todo.example.com",
        CSRF_TRUSTED_ORIGINS="https://todo.example.com",
        DJANGO_HTTPS="true",
        **mode,
    )
    script = run(DEPLOY, "--dry-run", env=env, path=[base_bin])
    helm = only(transcript(script.stdout), "helm", "upgrade", "--install")
    waits = ("--rollback-on-failure", "--wait", "--timeout", "10m")
    args = [arg.replace("<node-ip>", NODE_IP) for arg in helm[3:] if arg not in waits]

    rendered = subprocess.run(
        [tool("helm"), "template", *args], cwd=REPO, capture_output=True, text=True, check=False
    )

    assert rendered.returncode == 0, rendered.stderr
    objects = [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]
    config = next(o["data"] for o in objects if o["kind"] == "ConfigMap")
    assert config["DJANGO_ALLOWED_HOSTS"] == f"{NODE_IP},todo.example.com"
    assert (
        config["DJANGO_CSRF_TRUSTED_ORIGINS"] == f"http://{NODE_IP}:30080,https://todo.example.com"
    )
    assert config["DJANGO_HTTPS"] == "true"
    if mode:
        assert config["KAFKA_BOOTSTRAP_SERVERS"] == CLOUD["KAFKA_BOOTSTRAP_SERVERS"]
        assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert config["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-256"
    else:
        assert config["KAFKA_BOOTSTRAP_SERVERS"].startswith("redpanda-0.redpanda.todo.svc")
    images = {
        container["image"]
        for o in objects
        if o["kind"] in ("Deployment", "Job")
        for container in o["spec"]["template"]["spec"]["containers"]
    }
    assert images == {f"{IMAGE}:backend-{TAG}", f"{IMAGE}:frontend-{TAG}"}
    assert not [o for o in objects if o["kind"] == "Secret"]  # todo-secrets comes from outside


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_the_workflow_deploys_like_the_script(tmp_path, base_bin):
    script = run(DEPLOY, "--dry-run", env=base_env(tmp_path, **CLOUD), path=[base_bin])
    steps = workflow("deploy-doks.yml")["jobs"]["deploy"]["steps"]
    helm_step = next(step["run"] for step in steps if step.get("name") == "Helm upgrade")

    helm = only(transcript(script.stdout), "helm", "upgrade", "--install")
    script_keys = set(helm_values(helm))
    workflow_keys = set(re.findall(r"--set(?:-string|-literal|-json)? \"?([\w.]+)=", helm_step))
    assert workflow_keys == script_keys
    assert "helm upgrade --install todo ./chart -n todo -f chart/values-doks.yaml" in helm_step
    assert "--rollback-on-failure --wait --timeout 10m" in helm_step
    assert " ".join(helm[-4:]) == "--rollback-on-failure --wait --timeout 10m"


def test_workflows_pin_actions_to_commits():
    # digitalocean/action-doctl: no verified commit for its tag was available (docs/deploy.md).
    tag_pinned = {"digitalocean/action-doctl": "v2"}
    pinned = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*")
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text().splitlines():
            uses = re.match(r"\s*(?:- )?uses: (\S+(?: # \S+)?)", line)
            if uses is None:
                continue
            action, _, version = uses.group(1).partition("@")
            if action in tag_pinned:
                assert version == tag_pinned[action], line
            else:
                assert pinned.fullmatch(uses.group(1)), f"{path.name}: {line.strip()}"


def test_shellcheck_passes():
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is missing: run scripts/deploy-tools.sh", pytrace=False)
    scripts = sorted(str(path) for path in (REPO / "scripts" / "doks").glob("*.sh"))

    result = subprocess.run(
        [shellcheck, "--external-sources", *scripts],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_scripts_are_executable():
    for name in ("deploy.sh", "registry.sh"):
        mode = (REPO / "scripts" / "doks" / name).stat().st_mode
        assert mode & stat.S_IXUSR, name


def test_actionlint_passes():
    result = subprocess.run(
        [tool("actionlint"), *sorted(str(path) for path in WORKFLOWS.glob("*.yml"))],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
