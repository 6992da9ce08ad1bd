"""Static checks of the Helm chart and the k8s/ manifests.

Renders the chart with `helm template` (default values and values-doks.yaml, each once per run),
parses the output and checks it against the deployment contract; validates every manifest with
`kubernetes-validate --strict`. Both tools must be on PATH (scripts/deploy-tools.sh installs them
into .tools/bin):

    PATH=$PWD/.tools/bin:$PATH .venv/bin/pytest chart/tests
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from todo_project.testing import deploy_contract as contract

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "chart"
K8S = REPO / "k8s"
RELEASE = "todo"
NAMESPACE = "todo"
VALUES_FILES = {"default": CHART / "values.yaml", "doks": CHART / "values-doks.yaml"}

BACKEND = ["web", "worker", "beat", "relay", "consumer"]
COMPONENTS = [*BACKEND, "frontend", "migrate"]
JOB_LABEL = "batch.kubernetes.io/job-name"

# The contract's process table: one copy for the chart, compose and the Dockerfile.
CONTRACT_COMMANDS = contract.COMMANDS
CONTRACT_ENV = contract.HEARTBEAT_ENV
HEARTBEAT = contract.HEARTBEAT_PROBE
HEARTBEAT_MAX_AGE = {name: str(age) for name, age in contract.HEARTBEAT_MAX_AGE.items()}
CONFIGMAP_KEYS = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_HTTPS",
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_MECHANISM",
    "KAFKA_TOPIC_PREFIX",
    "KAFKA_FETCH_WAIT_MAX_MS",
    "KAFKA_TOPIC_PARTITIONS",
    "KAFKA_TOPIC_REPLICATION",
    "VAPID_PUBLIC_KEY",
    "VAPID_SUBJECT",
    "LOG_LEVEL",
    "REMINDER_LATENESS_CUTOFF_MINUTES",
    "DATABASE_CONN_MAX_AGE",
}
SECRET_KEYS = {
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "VAPID_PRIVATE_KEY",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD",
    "METRICS_TOKEN",
}
TOPICS = [
    "task-events",
    "reminders",
    "task-updates",
    "task-events.dlq",
    "reminders.dlq",
    "task-updates.dlq",
]
MIB = 1024**2
UNITS = {"Ki": 1024, "Mi": MIB, "Gi": 1024**3, "K": 1000, "M": 1000**2, "G": 1000**3}


# -- helpers ---------------------------------------------------------------------------------------


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not on PATH: run scripts/deploy-tools.sh and put .tools/bin on PATH "
            "(PATH=$PWD/.tools/bin:$PATH)",
            pytrace=False,
        )
    return path


def helm_template(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool("helm"), "template", RELEASE, str(CHART), "-n", NAMESPACE, *args],
        capture_output=True,
        text=True,
        check=False,
    )


def render(*args: str) -> list[dict]:
    result = helm_template(*args)
    assert result.returncode == 0, f"helm template {' '.join(args)} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def load_k8s(name: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def find(docs: list[dict], kind: str, name: str) -> dict:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def workloads(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] in ("Deployment", "StatefulSet", "Job")]


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def all_containers(workload: dict) -> list[dict]:
    spec = pod_spec(workload)
    return spec.get("initContainers", []) + spec["containers"]


def component_of(obj: dict) -> str | None:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component")


def workload_for(docs: list[dict], component: str) -> dict:
    kind = "Job" if component == "migrate" else "Deployment"
    return find(docs, kind, f"{RELEASE}-{component}")


def is_hook(obj: dict) -> bool:
    return "helm.sh/hook" in obj["metadata"].get("annotations", {})


def env_from(workload: dict) -> tuple[str, str]:
    refs = pod_spec(workload)["containers"][0]["envFrom"]
    config_maps = [r["configMapRef"]["name"] for r in refs if "configMapRef" in r]
    secrets = [r["secretRef"]["name"] for r in refs if "secretRef" in r]
    assert len(config_maps) == 1, refs
    assert len(secrets) == 1, refs
    return config_maps[0], secrets[0]


def quantity(value: str | int) -> float:
    text = str(value)
    for suffix, factor in UNITS.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def selects(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        present = expression["key"] in labels
        value = labels.get(expression["key"])
        operator = expression["operator"]
        if operator == "Exists":
            matched = present
        elif operator == "DoesNotExist":
            matched = not present
        elif operator == "In":
            matched = value in expression["values"]
        elif operator == "NotIn":
            matched = value not in expression["values"]
        else:
            raise ValueError(f"unknown selector operator {operator}")
        if not matched:
            return False
    return True


def pod_labels(workload: dict) -> dict:
    labels = dict(workload["spec"]["template"]["metadata"]["labels"])
    if workload["kind"] == "Job":  # added by the Job controller
        labels[JOB_LABEL] = workload["metadata"]["name"]
    return labels


def kubernetes_validate(path: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool("kubernetes-validate"), "--strict", path],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict]]:
    """Each values file rendered once per run."""
    return {name: render("-f", str(path)) for name, path in VALUES_FILES.items()}


@pytest.fixture(params=sorted(VALUES_FILES))
def docs(request, rendered) -> list[dict]:
    return rendered[request.param]


# -- chart: images, resources, probes, security ----------------------------------------------------


def test_helm_lint_strict_passes_for_each_values_file():
    for path in VALUES_FILES.values():
        result = subprocess.run(
            [tool("helm"), "lint", "--strict", str(CHART), "-f", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"helm lint --strict -f {path.name}:\n{result.stdout}"


def test_every_image_has_a_pinned_tag(docs):
    for workload in workloads(docs):
        for container in all_containers(workload):
            image = container["image"]
            name, _, tag = image.rpartition(":")
            assert name, f"{image} has no repository"
            assert tag, f"{image} has no tag"
            assert "/" not in tag, f"{image} has no tag"
            assert tag.lower() != "latest", f"{image} is not pinned"
            component = component_of(workload)
            variant = "frontend" if component == "frontend" else "backend"
            assert tag.startswith(f"{variant}-"), f"{image} lacks the {variant}- tag prefix"


def test_latest_tag_is_refused():
    for args in (
        ["--set", "image.tag=latest"],
        ["--set", "image.tag=latest", "--skip-schema-validation"],
    ):
        result = helm_template(*args)
        assert result.returncode != 0, f"helm template {args} rendered a latest tag"


def test_every_container_has_requests_and_a_memory_limit(docs):
    for workload in workloads(docs):
        for container in all_containers(workload):
            resources = container.get("resources", {})
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert {"cpu", "memory"} <= set(resources.get("requests", {})), where
            assert "memory" in resources.get("limits", {}), where


def test_every_long_running_container_has_liveness_and_readiness_probes(docs):
    for workload in workloads(docs):
        if workload["kind"] == "Job":
            continue
        for container in pod_spec(workload)["containers"]:
            where = f"{workload['metadata']['name']}/{container['name']}"
            assert "livenessProbe" in container, where
            assert "readinessProbe" in container, where


def test_every_pod_and_container_is_locked_down(docs):
    expected_user = {"frontend": 101}
    for workload in workloads(docs):
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        pod = spec["securityContext"]
        uid = expected_user.get(component_of(workload), 10001)
        assert pod["runAsNonRoot"] is True, name
        assert pod["runAsUser"] == pod["runAsGroup"] == pod["fsGroup"] == uid, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["enableServiceLinks"] is False, name
        for container in all_containers(workload):
            context = container["securityContext"]
            where = f"{name}/{container['name']}"
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert "privileged" not in context, where


def test_backend_pods_get_a_writable_tmp_and_nginx_its_three_directories(docs):
    for component in COMPONENTS:
        spec = pod_spec(workload_for(docs, component))
        volumes = {v["name"]: v for v in spec["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in spec["containers"][0]["volumeMounts"]}
        wanted = (
            ["/tmp", "/var/cache/nginx", "/etc/nginx/conf.d"]
            if component == "frontend"
            else ["/tmp"]
        )
        for path in wanted:
            assert path in mounts, f"{component}: {path} not mounted"
            empty_dir = volumes[mounts[path]]["emptyDir"]
            assert "sizeLimit" in empty_dir, f"{component}: {path} has no sizeLimit"


def test_doks_memory_budget(rendered):
    requests = limits = 0.0
    for workload in rendered["doks"]:
        if workload["kind"] != "Deployment":
            continue
        replicas = workload["spec"]["replicas"]
        for container in pod_spec(workload)["containers"]:
            requests += replicas * quantity(container["resources"]["requests"]["memory"])
            limits += replicas * quantity(container["resources"]["limits"]["memory"])
    print(
        f"\nvalues-doks Deployments: memory requests {requests / MIB:.0f} MiB,"
        f" limits {limits / MIB:.0f} MiB"
    )
    assert requests <= 1024 * MIB
    assert limits <= 2048 * MIB


# -- chart: singletons, secrets, hook --------------------------------------------------------------


def test_beat_and_relay_are_singletons(docs):
    for component in ("beat", "relay"):
        spec = workload_for(docs, component)["spec"]
        assert spec["replicas"] == 1, component
        assert spec["strategy"] == {"type": "Recreate"}, component


@pytest.mark.parametrize("component", ["beat", "relay"])
def test_a_second_singleton_replica_does_not_render(component):
    with_schema = helm_template("--set", f"{component}.replicas=2")
    assert with_schema.returncode != 0
    assert f"/{component}/replicas" in with_schema.stderr, with_schema.stderr

    without_schema = helm_template("--set", f"{component}.replicas=2", "--skip-schema-validation")
    assert without_schema.returncode != 0
    assert f"{component}.replicas is 2, but {component} is a singleton" in without_schema.stderr


def test_existing_secret_replaces_the_chart_secret(rendered):
    docs = rendered["doks"]
    assert not [d for d in docs if d["kind"] == "Secret"], "a Secret was rendered"
    for component in [*BACKEND, "migrate"]:
        _, secret = env_from(workload_for(docs, component))
        assert secret == "todo-secrets", component


def test_chart_secret_without_existing_secret(rendered):
    docs = rendered["default"]
    secret = find(docs, "Secret", RELEASE)
    assert not is_hook(secret)
    assert set(secret["data"]) == SECRET_KEYS
    for component in BACKEND:
        assert env_from(workload_for(docs, component)) == (RELEASE, RELEASE), component


def test_configmap_holds_the_contract_keys(rendered):
    for name, docs in rendered.items():
        data = find(docs, "ConfigMap", RELEASE)["data"]
        assert set(data) == CONFIGMAP_KEYS, name
        assert all(isinstance(v, str) for v in data.values()), name
    assert find(rendered["default"], "ConfigMap", RELEASE)["data"]["DJANGO_HTTPS"] == "true"
    doks = find(rendered["doks"], "ConfigMap", RELEASE)["data"]
    assert doks["DJANGO_HTTPS"] == "false"
    assert doks["KAFKA_BOOTSTRAP_SERVERS"] == "redpanda-0.redpanda.todo.svc.cluster.local:9092"
    assert doks["KAFKA_SECURITY_PROTOCOL"] == "PLAINTEXT"
    assert doks["KAFKA_FETCH_WAIT_MAX_MS"] == "100"  # Redpanda answers a waiting fetch on arrival


def test_migrate_is_a_hook_job_with_its_own_hook_config(docs):
    job = workload_for(docs, "migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    job_weight = int(annotations["helm.sh/hook-weight"])
    spec = job["spec"]
    assert {"backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"} <= set(spec)
    assert pod_spec(job)["restartPolicy"] == "Never"
    script = pod_spec(job)["containers"][0]["command"][-1]
    assert "manage.py migrate" in script
    assert "manage.py setup_periodic_tasks" in script

    # On a first install only hooks exist when the Job runs: whatever it reads must be a hook
    # created before it.
    config_map, secret = env_from(job)
    needed = [("ConfigMap", config_map), ("ServiceAccount", pod_spec(job)["serviceAccountName"])]
    if secret != "todo-secrets":
        needed.append(("Secret", secret))
    for kind, name in needed:
        obj = find(docs, kind, name)
        assert is_hook(obj), f"{kind} {name} is not a hook"
        hook = obj["metadata"]["annotations"]
        assert hook["helm.sh/hook"] == "pre-install,pre-upgrade", f"{kind} {name}"
        assert int(hook["helm.sh/hook-weight"]) < job_weight, f"{kind} {name} is not created first"


def test_hook_config_matches_the_regular_config(docs):
    job = workload_for(docs, "migrate")
    config_map, _ = env_from(job)
    assert find(docs, "ConfigMap", config_map)["data"] == find(docs, "ConfigMap", RELEASE)["data"]


# -- chart: services and network policies ----------------------------------------------------------


def test_services(docs):
    frontend = find(docs, "Service", f"{RELEASE}-frontend")["spec"]
    assert frontend["type"] == "NodePort"
    (port,) = frontend["ports"]
    assert (port["port"], port["nodePort"], port["targetPort"]) == (80, 30080, "http")
    container = pod_spec(workload_for(docs, "frontend"))["containers"][0]
    assert {"name": "http", "containerPort": 8080, "protocol": "TCP"} in container["ports"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["BACKEND_URL"] == "http://todo-web:8000"

    web = find(docs, "Service", f"{RELEASE}-web")["spec"]
    assert web["type"] == "ClusterIP"
    (port,) = web["ports"]
    assert port["port"] == 8000
    assert not [s for s in docs if s["kind"] == "Service" and s["spec"]["type"] == "LoadBalancer"]


def test_network_policies_select_every_component(docs):
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    for component in COMPONENTS:
        labels = pod_labels(workload_for(docs, component))
        selecting = [p for p in policies if selects(p["spec"]["podSelector"], labels)]
        assert selecting, f"no NetworkPolicy selects {component}"
        for policy in selecting:
            assert policy["spec"]["policyTypes"] == ["Ingress"], policy["metadata"]["name"]
        rules = [rule for p in selecting for rule in p["spec"].get("ingress", [])]
        if component not in ("web", "frontend"):
            assert rules == [], f"{component} accepts ingress: {rules}"


def test_frontend_accepts_8080_from_anywhere(docs):
    policy = find(docs, "NetworkPolicy", f"{RELEASE}-frontend")
    assert policy["spec"]["ingress"] == [{"ports": [{"port": 8080, "protocol": "TCP"}]}]


def web_peers(docs: list[dict]) -> list[dict]:
    policy = find(docs, "NetworkPolicy", f"{RELEASE}-web")
    rules = policy["spec"]["ingress"]
    for rule in rules:
        assert rule["ports"] == [{"port": 8000, "protocol": "TCP"}]
    return [peer for rule in rules for peer in rule["from"]]


def test_web_admits_only_the_frontend_and_this_releases_jobs(docs):
    peers = web_peers(docs)
    assert len(peers) == 2, peers
    assert all(set(peer) == {"podSelector"} for peer in peers), "peer outside the namespace"
    admitted = {
        component
        for component in COMPONENTS
        if any(selects(p["podSelector"], pod_labels(workload_for(docs, component))) for p in peers)
    }
    assert admitted == {"frontend", "migrate"}
    other_release = dict(pod_labels(workload_for(docs, "migrate")))
    other_release["app.kubernetes.io/instance"] = "other"
    assert not any(selects(p["podSelector"], other_release) for p in peers)


def test_metrics_from_adds_exactly_the_given_peers(tmp_path):
    peer = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
    }
    values = tmp_path / "metrics.yaml"
    values.write_text(yaml.safe_dump({"networkPolicy": {"metricsFrom": [peer]}}))
    peers = web_peers(render("-f", str(values)))
    assert len(peers) == 3
    assert peers[-1] == peer


def test_network_policies_can_be_turned_off():
    assert not [
        d for d in render("--set", "networkPolicy.enabled=false") if d["kind"] == "NetworkPolicy"
    ]


def test_web_pods_carry_prometheus_annotations_when_enabled(rendered):
    annotations = workload_for(rendered["default"], "web")["spec"]["template"]["metadata"][
        "annotations"
    ]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "8000"
    assert annotations["prometheus.io/path"] == "/metrics"
    off = render("--set", "metrics.podAnnotations=false")
    assert (
        "prometheus.io/scrape"
        not in workload_for(off, "web")["spec"]["template"]["metadata"]["annotations"]
    )


# -- chart: rollouts on change, labels, commands ---------------------------------------------------


def checksums(docs: list[dict]) -> dict[str, tuple[str, str]]:
    result = {}
    for component in BACKEND:
        annotations = workload_for(docs, component)["spec"]["template"]["metadata"]["annotations"]
        result[component] = (annotations["checksum/config"], annotations["checksum/secret"])
    return result


def test_checksums_change_with_config_and_secret(rendered):
    base = checksums(rendered["default"])
    assert checksums(render()) == base, "checksums are not deterministic"
    config_changed = checksums(render("--set", "config.logLevel=DEBUG"))
    secret_changed = checksums(render("--set", "secrets.databaseUrl=postgresql://x/y"))
    for component in BACKEND:
        assert config_changed[component][0] != base[component][0], component
        assert config_changed[component][1] == base[component][1], component
        assert secret_changed[component][0] == base[component][0], component
        assert secret_changed[component][1] != base[component][1], component


def test_every_object_and_pod_carries_the_part_of_label(docs):
    for obj in docs:
        where = f"{obj['kind']} {obj['metadata']['name']}"
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == "todo", where
        assert labels["app.kubernetes.io/managed-by"] == "Helm", where
        assert labels["app.kubernetes.io/instance"] == RELEASE, where
        if "template" in obj.get("spec", {}):
            assert (
                obj["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/part-of"] == "todo"
            ), where


def test_component_objects_carry_their_component_label(docs):
    for component in COMPONENTS:
        workload = workload_for(docs, component)
        assert component_of(workload) == component
        assert pod_labels(workload)["app.kubernetes.io/component"] == component


def test_commands_match_the_contract(docs):
    for component, command in CONTRACT_COMMANDS.items():
        container = pod_spec(workload_for(docs, component))["containers"][0]
        assert container["command"] == command, component
        assert "args" not in container, component
        env = {e["name"]: e["value"] for e in container.get("env", [])}
        assert env == CONTRACT_ENV.get(component, {}), component


def test_probes_match_the_contract(docs):
    web = pod_spec(workload_for(docs, "web"))["containers"][0]
    assert web["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert web["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert {"name": "http", "containerPort": 8000, "protocol": "TCP"} in web["ports"]
    for component, max_age in HEARTBEAT_MAX_AGE.items():
        container = pod_spec(workload_for(docs, component))["containers"][0]
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            assert container[probe]["exec"]["command"] == [*HEARTBEAT, max_age], (component, probe)
    frontend = pod_spec(workload_for(docs, "frontend"))["containers"][0]
    for probe in ("livenessProbe", "readinessProbe"):
        assert frontend[probe]["httpGet"] == {"path": "/healthz", "port": "http"}


def test_notes_print_the_node_port_url_and_the_admin_command():
    result = subprocess.run(
        [
            tool("helm"),
            "install",
            RELEASE,
            str(CHART),
            "-n",
            NAMESPACE,
            "--dry-run=client",
            "-f",
            str(VALUES_FILES["doks"]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    notes = result.stdout.split("NOTES:", 1)[1]
    assert "kubectl get nodes -o wide" in notes
    assert ':30080"' in notes
    assert "exec -it deployment/todo-web -- python manage.py createsuperuser" in notes


# -- k8s/ manifests --------------------------------------------------------------------------------


def test_k8s_manifests_parse():
    for path in sorted(K8S.glob("*.yaml")):
        docs = load_k8s(path.name)
        assert docs, f"{path.name} is empty"
        for doc in docs:
            assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "todo", path.name
            if doc["kind"] != "Namespace":
                assert doc["metadata"]["namespace"] == "todo", path.name


def test_namespace_enforces_a_pod_security_level():
    (namespace,) = load_k8s("namespace.yaml")
    assert namespace["metadata"]["name"] == "todo"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] in (
        "restricted",
        "baseline",
    )


def test_redpanda_is_one_small_internal_broker():
    docs = load_k8s("redpanda.yaml")
    statefulset = find(docs, "StatefulSet", "redpanda")
    assert statefulset["spec"]["replicas"] == 1
    assert statefulset["spec"]["serviceName"] == "redpanda"
    (container,) = pod_spec(statefulset)["containers"]
    assert re.fullmatch(
        r"docker\.redpanda\.com/redpandadata/redpanda:v24\.3\.\d+", container["image"]
    )
    assert container["resources"]["limits"]["memory"] == "1Gi"
    assert container["resources"]["requests"]["memory"] == "1Gi"
    args = container["args"]
    assert args[:2] == ["redpanda", "start"]
    assert args[args.index("--smp") + 1] == "1"
    assert args[args.index("--memory") + 1] == "700M"
    assert quantity(args[args.index("--memory") + 1]) < quantity("1Gi")
    # Developer mode's preset would skip fsync and cache writes: both must be switched back off.
    assert "--unsafe-bypass-fsync=false" in args
    assert "redpanda.write_caching_default=false" in args
    assert "livenessProbe" in container
    assert "readinessProbe" in container

    (claim,) = statefulset["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert claim["spec"]["storageClassName"] == "do-block-storage"

    config = yaml.safe_load(find(docs, "ConfigMap", "redpanda")["data"]["redpanda.yaml"])
    (advertised,) = config["redpanda"]["advertised_kafka_api"]
    assert (advertised["address"], advertised["port"]) == (
        "redpanda-0.redpanda.todo.svc.cluster.local",
        9092,
    )

    service = find(docs, "Service", "redpanda")
    assert service["spec"]["clusterIP"] == "None"
    for doc in [d for path in K8S.glob("*.yaml") for d in load_k8s(path.name)]:
        if doc["kind"] == "Service":
            assert doc["spec"].get("type", "ClusterIP") == "ClusterIP", doc["metadata"]["name"]

    policy = find(docs, "NetworkPolicy", "redpanda")
    clients, brokers = policy["spec"]["ingress"]
    assert clients["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "todo"}}}
    ]
    assert {p["port"] for p in clients["ports"]} == {9092, 9644}
    assert all(selects(peer["podSelector"], pod_labels(statefulset)) for peer in brokers["from"])
    assert brokers["ports"] == [{"port": 33145, "protocol": "TCP"}]
    assert selects(policy["spec"]["podSelector"], pod_labels(statefulset))


def test_redpanda_and_topic_job_are_locked_down():
    for workload in [
        find(load_k8s("redpanda.yaml"), "StatefulSet", "redpanda"),
        find(load_k8s("topics-job.yaml"), "Job", "redpanda-topics"),
    ]:
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 101
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in all_containers(workload):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"]["drop"] == ["ALL"]
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            assert "memory" in container["resources"]["limits"]
            assert container["image"].endswith(":v24.3.18")


def test_topic_job_creates_the_contract_topics_idempotently():
    (job,) = load_k8s("topics-job.yaml")
    (container,) = pod_spec(job)["containers"]
    script = container["command"][-1]
    assert "rpk topic create" in script
    assert "-p 3 -r 1 -c retention.ms=604800000" in script
    assert "TOPIC_ALREADY_EXISTS" in script
    assert re.search(r'topics="([^"]+)"', script).group(1).split() == TOPICS
    assert pod_labels(job)["app.kubernetes.io/part-of"] == "todo"


def test_secret_example_holds_only_placeholders():
    (secret,) = load_k8s("secrets.example.yaml")
    assert secret["metadata"]["name"] == "todo-secrets"
    assert "data" not in secret
    values = secret["stringData"]
    assert set(values) == SECRET_KEYS
    for key, value in values.items():
        assert value == "" or "REPLACE_ME" in value, f"{key} looks like a real value"
    for key in ("DJANGO_SECRET_KEY", "DATABASE_URL"):
        assert "REPLACE_ME" in values[key], key


# -- schema validation of everything ---------------------------------------------------------------


@pytest.mark.parametrize("values", sorted(VALUES_FILES))
def test_rendered_chart_passes_kubernetes_validate(values):
    result = helm_template("-f", str(VALUES_FILES[values]))
    assert result.returncode == 0, result.stderr
    checked = kubernetes_validate("-", stdin=result.stdout)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "WARN" not in checked.stdout, checked.stdout


@pytest.mark.parametrize("path", sorted(p.name for p in K8S.glob("*.yaml")))
def test_k8s_manifest_passes_kubernetes_validate(path):
    checked = kubernetes_validate(str(K8S / path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "WARN" not in checked.stdout, checked.stdout
