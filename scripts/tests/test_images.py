"""The container images and docker-compose.yml, checked without a Docker engine.

Static checks read the Dockerfiles, the .dockerignore files and docker-compose.yml against the
deployment contract (issue #8). The nginx tests run the real nginx binary (Debian's `nginx`
package) on the frontend's config template, rendered the way the image's entrypoint renders it,
in front of a loopback stub of the backend.
"""

import http.client
import json
import os
import posixpath
import re
import shlex
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from todo_project.testing import deploy_contract as contract

ROOT = Path(__file__).resolve().parents[2]
BACKEND_DOCKERFILE = ROOT / "Dockerfile"
FRONTEND_DOCKERFILE = ROOT / "frontend" / "Dockerfile"
NGINX_DIR = ROOT / "frontend" / "nginx"
COMPOSE_FILE = ROOT / "docker-compose.yml"

# The contract's process table: one copy for the chart, compose and the Dockerfile.
CONTRACT_COMMANDS = contract.COMMANDS
HEARTBEAT_MAX_AGE = contract.HEARTBEAT_MAX_AGE
BACKEND_SERVICES = ["migrate", "web", "worker", "beat", "relay", "consumer"]
PROCESS_SERVICES = ["web", "worker", "beat", "relay", "consumer"]


# ---- Dockerfiles -------------------------------------------------------------------------------


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args_of(self, instruction: str) -> list[str]:
        return [args for name, args in self.instructions if name == instruction]


def parse_dockerfile(path: Path) -> list[Stage]:
    """Split a Dockerfile into stages of (INSTRUCTION, arguments), continuations joined."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue  # comments (and parser directives) are dropped, even inside continuations
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, f"{path}: dangling line continuation"

    stages: list[Stage] = []
    for line in logical:
        instruction, _, args = line.partition(" ")
        instruction, args = instruction.upper(), args.strip()
        if instruction == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name))
        else:
            assert stages, f"{path}: {instruction} before the first FROM"
            stages[-1].instructions.append((instruction, args))
    return stages


def env_of(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in stage.args_of("ENV"):
        for word in shlex.split(args, posix=True):
            key, _, value = word.partition("=")
            env[key] = value
    return env


def external_images(stages: list[Stage]) -> list[str]:
    """Base images pulled from a registry (a FROM naming an earlier stage is not one)."""
    names = {stage.name for stage in stages if stage.name}
    return [stage.image for stage in stages if stage.image not in names]


DOCKERFILES = pytest.mark.parametrize(
    "dockerfile", [BACKEND_DOCKERFILE, FRONTEND_DOCKERFILE], ids=["backend", "frontend"]
)


@DOCKERFILES
def test_base_images_are_pinned_to_a_patch_release(dockerfile):
    images = external_images(parse_dockerfile(dockerfile))

    assert images
    for image in images:
        repository, _, tag = image.partition("@")[0].rpartition(":")
        assert repository, f"{image}: no tag"
        assert "/" not in tag, f"{image}: no tag"
        assert tag != "latest", f"{image}: latest is not a version"
        assert re.match(r"v?\d+\.\d+\.\d+", tag), f"{image}: pin major.minor.patch, not {tag}"


@DOCKERFILES
def test_images_are_multi_stage(dockerfile):
    assert len(parse_dockerfile(dockerfile)) >= 2


@DOCKERFILES
def test_final_stage_runs_as_a_numeric_non_root_user(dockerfile):
    final = parse_dockerfile(dockerfile)[-1]

    users = final.args_of("USER")
    assert users, "the final stage sets no USER"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit(), f"USER {users[-1]}: Kubernetes checks runAsNonRoot by number"
    assert int(uid) != 0, f"USER {users[-1]}"
    if gid:
        assert int(gid) != 0, f"USER {users[-1]}"


@DOCKERFILES
def test_images_carry_oci_labels(dockerfile):
    labels = " ".join(parse_dockerfile(dockerfile)[-1].args_of("LABEL"))

    for key in ("title", "source", "revision"):
        assert f"org.opencontainers.image.{key}=" in labels


def test_backend_stages_share_one_python_base():
    stages = parse_dockerfile(BACKEND_DOCKERFILE)

    assert external_images(stages) == ["python:3.12.15-slim-bookworm"]
    # The venv copied into the final stage links to the interpreter of the stage it was built in.
    base = stages[0].name
    assert {stage.image for stage in stages[1:]} == {base}


def test_backend_final_stage_installs_no_build_tools():
    final = parse_dockerfile(BACKEND_DOCKERFILE)[-1]
    build_tool = re.compile(r"\b(gcc|g\+\+|cc|clang|make|build-essential|[\w.+]+-dev)\b")

    for run in final.args_of("RUN"):
        assert "apt-get install" not in run, run
        assert "pip install" not in run, run
        assert not build_tool.search(run), run


def test_backend_final_stage_copies_only_what_runs():
    final = parse_dockerfile(BACKEND_DOCKERFILE)[-1]
    copied = set()
    for args in final.args_of("COPY"):
        words = args.split()
        if any(w.startswith("--from=") for w in words):
            assert words[-2:] == ["/opt/venv", "/opt/venv"], args
            continue
        copied.update(w.rstrip("/") for w in words[:-1])

    assert copied == {"manage.py", "todo_project", "tasks_app", "notifications_app"}


def test_backend_image_matches_the_contract():
    final = parse_dockerfile(BACKEND_DOCKERFILE)[-1]
    env = env_of(final)

    assert env["DJANGO_SETTINGS_MODULE"] == "todo_project.settings.production"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["PATH"].startswith("/opt/venv/bin:")
    assert final.args_of("WORKDIR") == ["/app"]
    assert final.args_of("EXPOSE") == ["8000"]
    assert final.args_of("USER") == ["10001:10001"]
    assert final.args_of("STOPSIGNAL") == ["SIGTERM"]
    assert json.loads(final.args_of("CMD")[-1]) == CONTRACT_COMMANDS["web"]


def test_backend_collects_static_files_at_build_time_as_root():
    final = parse_dockerfile(BACKEND_DOCKERFILE)[-1]
    names = [name for name, _ in final.instructions]
    collect = next(
        i for i, (name, args) in enumerate(final.instructions) if "collectstatic" in args
    )

    # Before USER: /app stays root-owned, nothing under it is writable at run time.
    assert collect < names.index("USER")
    run = final.instructions[collect][1]
    assert "--noinput" in run
    for throwaway in ("DJANGO_SECRET_KEY=", "DATABASE_URL=", "DJANGO_ALLOWED_HOSTS="):
        assert throwaway in run
    assert not any(k.startswith(("DJANGO_SECRET", "DATABASE_URL")) for k in env_of(final))


def test_frontend_image_matches_the_contract():
    stages = parse_dockerfile(FRONTEND_DOCKERFILE)
    build, final = stages[0], stages[-1]

    assert build.image.startswith("node:22.")
    assert any("npm ci" in run for run in build.args_of("RUN"))
    assert any("npm run build" in run for run in build.args_of("RUN"))
    assert final.image.startswith("nginxinc/nginx-unprivileged:")
    assert final.args_of("USER")[-1] == "101"
    assert final.args_of("EXPOSE") == ["8080"]
    copies = final.args_of("COPY")
    assert "nginx/default.conf.template /etc/nginx/templates/default.conf.template" in copies
    assert "nginx/snippets/ /etc/nginx/snippets/" in copies
    assert f"--from={build.name} /src/dist/ /usr/share/nginx/html/" in copies


def test_frontend_entrypoint_substitutes_only_backend_url():
    """The entrypoint runs envsubst on every env var whose name matches NGINX_ENVSUBST_FILTER."""
    name_filter = env_of(parse_dockerfile(FRONTEND_DOCKERFILE)[-1])["NGINX_ENVSUBST_FILTER"]
    template = (NGINX_DIR / "default.conf.template").read_text()

    assert re.search(name_filter, "BACKEND_URL")
    for other in ("HOSTNAME", "HOME", "NGINX_VERSION", "BACKEND_URL_OLD", "TODO_WEB_PORT"):
        assert not re.search(name_filter, other), other
    # Every envsubst-style reference in the template is one the entrypoint fills in.
    assert set(re.findall(r"\$\{(\w+)\}", template)) == {"BACKEND_URL"}


def test_web_app_page_has_no_inline_script_or_style():
    """The CSP allows no inline code: Vite keeps index.html's scripts and styles external."""
    page = (ROOT / "frontend" / "index.html").read_text()

    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag, f"inline script: {tag}"
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"


# ---- .dockerignore -----------------------------------------------------------------------------


def _glob_to_regex(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body[:1] in "!^" and body else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def dockerignore_excludes(ignore_file: Path):
    """Docker's rules: the last pattern matching a path or one of its parents decides."""
    rules = []
    for raw in ignore_file.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = posixpath.normpath(line.lstrip("!").strip().strip("/"))
        rules.append((negated, re.compile(_glob_to_regex(pattern))))

    def excluded(path: str) -> bool:
        parts = path.split("/")
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        result = False
        for negated, regex in rules:
            if any(regex.fullmatch(candidate) for candidate in candidates):
                result = not negated
        return result

    return excluded


def test_backend_context_holds_only_the_django_project():
    excluded = dockerignore_excludes(ROOT / ".dockerignore")

    for path in [
        ".git/HEAD",
        ".venv/bin/python",
        ".tools/bin/helm",
        "node_modules/x/index.js",
        "frontend/node_modules/react/index.js",
        "frontend/src/main.tsx",
        "chart/Chart.yaml",
        "k8s/redpanda.yaml",
        "docs/deploy.md",
        "bench/README.md",
        "db.sqlite3",
        "var/db.sqlite3",
        "staticfiles/admin/css/base.css",
        ".env",
        "tasks_app/tests/test_services.py",
        "todo_project/common/safekafka/tests/test_transport.py",
        "todo_project/testing/postgres.py",
        "todo_project/__pycache__/urls.cpython-312.pyc",
    ]:
        assert excluded(path), f"{path} would be sent to the backend build"
    for path in [
        "manage.py",
        "requirements.txt",
        "todo_project/settings/production.py",
        "todo_project/common/heartbeat.py",
        "tasks_app/migrations/0001_initial.py",
        "tasks_app/management/commands/setup_periodic_tasks.py",
        "notifications_app/models.py",
    ]:
        assert not excluded(path), f"{path} is missing from the backend build"


def test_backend_context_holds_every_app_module():
    excluded = dockerignore_excludes(ROOT / ".dockerignore")
    for package in ("todo_project", "tasks_app", "notifications_app"):
        for module in (ROOT / package).rglob("*.py"):
            relative = module.relative_to(ROOT).as_posix()
            if "/tests/" in relative or relative.startswith("todo_project/testing/"):
                continue
            assert not excluded(relative), relative


def test_frontend_context_holds_only_the_build_inputs():
    excluded = dockerignore_excludes(ROOT / "frontend" / ".dockerignore")

    for path in [
        "node_modules/vite/package.json",
        "dist/index.html",
        "e2e/test_tasks.py",
        "e2e/screenshots/chat-desktop.png",
        ".env.local",
        ".env.production.local",
        "README.md",
    ]:
        assert excluded(path), f"{path} would be sent to the frontend build"
    frontend = ROOT / "frontend"
    needed = [
        "package.json",
        "package-lock.json",
        "index.html",
        "tsconfig.json",
        "tsconfig.app.json",
        "tsconfig.node.json",
        "tsconfig.sw.json",
        "vite.config.ts",
        "vite.sw.config.ts",
        "nginx/default.conf.template",
        "nginx/snippets/security-headers.conf",
    ]
    for tree in ("src", "public"):
        needed += [p.relative_to(frontend).as_posix() for p in (frontend / tree).rglob("*")]
    for path in needed:
        assert not excluded(path), f"{path} is missing from the frontend build"


# ---- docker-compose.yml ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def interpolate_defaults(value: str) -> str:
    """What compose makes of ${VAR:-default} when VAR is unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_compose_defines_every_process_of_the_contract(compose):
    services = compose["services"]

    for name in [*BACKEND_SERVICES, "frontend", "postgres", "redpanda"]:
        assert name in services, name
    for name in BACKEND_SERVICES:
        assert services[name]["command"] == CONTRACT_COMMANDS[name], name


@pytest.mark.parametrize("name", BACKEND_SERVICES)
def test_compose_backend_services_run_like_in_the_cluster(compose, name):
    service = compose["services"][name]
    env = service["environment"]

    assert service["build"]["context"] == "."
    assert service["read_only"] is True
    assert "/tmp" in service["tmpfs"]
    assert service["cap_drop"] == ["ALL"]
    assert env["DJANGO_SETTINGS_MODULE"] == "todo_project.settings.production"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "redpanda:9092"
    assert env["DJANGO_HTTPS"] == "false"
    assert "insecure" in interpolate_defaults(env["DJANGO_SECRET_KEY"])
    assert "ports" not in service


@pytest.mark.parametrize("name", HEARTBEAT_MAX_AGE)
def test_compose_heartbeat_probes_match_the_contract(compose, name):
    service = compose["services"][name]

    assert (ROOT / "todo_project" / "common" / "heartbeat.py").is_file()
    assert service["healthcheck"]["test"] == [
        "CMD",
        *contract.HEARTBEAT_PROBE,
        str(HEARTBEAT_MAX_AGE[name]),
    ]
    for variable, value in contract.HEARTBEAT_ENV.get(name, {}).items():
        assert service["environment"][variable] == value


def test_compose_starts_processes_after_migrate_and_healthy_dependencies(compose):
    services = compose["services"]

    for name in PROCESS_SERVICES:
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "postgres": {"condition": "service_healthy"},
            "redpanda": {"condition": "service_healthy"},
        }, name
    assert services["migrate"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redpanda": {"condition": "service_healthy"},
    }
    # A one-shot job: a restart policy would run it again after it succeeded.
    assert services["migrate"].get("restart", "no") == "no"
    for name in ("postgres", "redpanda", "web"):
        assert services[name]["healthcheck"]["test"], name


def test_compose_publishes_only_the_web_app_on_loopback(compose):
    services = compose["services"]

    assert "ports" not in services["postgres"]
    assert "ports" not in services["redpanda"]
    published = {
        name: [interpolate_defaults(str(p)) for p in service.get("ports", [])]
        for name, service in services.items()
    }
    assert {name for name, ports in published.items() if ports} == {"frontend"}
    for port in published["frontend"]:
        assert port.startswith("127.0.0.1:"), port
        assert port.endswith(":8080"), port


def test_compose_frontend_proxies_to_the_web_service(compose):
    frontend = compose["services"]["frontend"]

    assert frontend["build"]["context"] == "./frontend"
    assert frontend["environment"]["BACKEND_URL"] == "http://web:8000"
    assert frontend["read_only"] is True
    assert {"/tmp", "/etc/nginx/conf.d"} <= set(frontend["tmpfs"])


def test_compose_pulled_images_are_pinned(compose):
    for name, service in compose["services"].items():
        if "build" in service:
            continue
        image = service["image"]
        tag = image.rpartition(":")[2]
        # A release, not a moving major tag (PostgreSQL's 16.15 is its patch release).
        assert re.match(r"v?\d+\.\d+", tag), f"{name}: {image} is not pinned"


# ---- nginx, for real ---------------------------------------------------------------------------

NGINX_HELP = (
    "the nginx binary is needed to test frontend/nginx/default.conf.template: "
    "apt-get install -y nginx"
)
INDEX_MARKER = "<!-- spa index -->"
# nginx's mime.types says application/javascript; RFC 9239 prefers text/javascript.
JAVASCRIPT = ("application/javascript", "text/javascript")
CLIENT_HOST = "todo.example:30080"


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
    )
    if found is None:
        pytest.fail(NGINX_HELP, pytrace=False)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(port: int, path: str, method: str = "GET", body: bytes | None = None, **headers):
    headers = {"Host": CLIENT_HOST, **{k.replace("_", "-"): v for k, v in headers.items()}}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read())
    finally:
        conn.close()


class BackendStub:
    """Stands in for gunicorn: records each request and echoes what it received."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = {
                    "method": self.command,
                    "path": self.path,
                    "body_length": len(self.rfile.read(length)),
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                }
                stub.requests.append(seen)
                # Long enough that nginx would compress it if it compressed proxied responses.
                payload = json.dumps({**seen, "padding": "x" * 4096}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

            def log_message(self, format, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]


@pytest.fixture(scope="module")
def backend() -> Iterator[BackendStub]:
    stub = BackendStub()
    stub.thread.start()
    try:
        yield stub
    finally:
        stub.server.shutdown()
        stub.server.server_close()


def render_template(backend_url: str | None, *, port: int, root: Path) -> str:
    """What the image's 20-envsubst-on-templates.sh writes to conf.d, plus the test's port/root."""
    text = (NGINX_DIR / "default.conf.template").read_text()
    if backend_url is not None:
        text = text.replace("${BACKEND_URL}", backend_url).replace("$BACKEND_URL", backend_url)
    for image_value, test_value in [
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("root /usr/share/nginx/html;", f"root {root};"),
    ]:
        assert text.count(image_value) == 1, f"the template must contain {image_value!r} once"
        text = text.replace(image_value, test_value)
    return text


def write_nginx_tree(tmp: Path, server_conf: str, nginx: str) -> Path:
    """A main nginx.conf shaped like the image's (temp paths, mime types, conf.d include)."""
    conf_path = re.search(r"--conf-path=(\S+)", nginx_version_info(nginx))
    mime_types = Path(conf_path.group(1)).parent / "mime.types" if conf_path else None
    if mime_types is None or not mime_types.is_file():
        pytest.fail(f"no mime.types next to nginx's configuration; {NGINX_HELP}", pytrace=False)

    shutil.copytree(NGINX_DIR / "snippets", tmp / "snippets")
    (tmp / "conf.d").mkdir()
    (tmp / "conf.d" / "default.conf").write_text(server_conf)
    # Running as root (as CI does), workers would switch to an unprivileged user that cannot
    # read pytest's private temporary directory.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log notice;
events {{ worker_connections 64; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_temp;
    proxy_temp_path {tmp}/proxy_temp;
    fastcgi_temp_path {tmp}/fastcgi_temp;
    uwsgi_temp_path {tmp}/uwsgi_temp;
    scgi_temp_path {tmp}/scgi_temp;
    sendfile on;
    include {tmp}/conf.d/*.conf;
}}
"""
    )
    return tmp / "nginx.conf"


def nginx_version_info(nginx: str) -> str:
    return subprocess.run([nginx, "-V"], capture_output=True, text=True, check=True).stderr


def nginx_command(nginx: str, conf: Path) -> list[str]:
    return [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", str(conf.parent / "error.log")]


def make_dist(root: Path) -> None:
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(
        f'<!doctype html>{INDEX_MARKER}<script type="module" src="/assets/app.123.js"></script>'
    )
    (root / "assets" / "app.123.js").write_text("console.log('app');\n" * 200)
    (root / "sw.js").write_text("self.addEventListener('push', () => {});\n")
    (root / "manifest.webmanifest").write_text('{"name": "Todo Reminders"}')
    (root / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')


@pytest.fixture(scope="module")
def nginx_port(backend, tmp_path_factory) -> Iterator[int]:
    nginx = nginx_binary()
    tmp = tmp_path_factory.mktemp("nginx")
    make_dist(tmp / "html")
    port = free_port()
    conf = write_nginx_tree(tmp, render_template(backend.url, port=port, root=tmp / "html"), nginx)

    process = subprocess.Popen(
        nginx_command(nginx, conf), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                pytest.fail(f"nginx exited: {(tmp / 'error.log').read_text()}", pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not start listening within 10 s", pytrace=False)
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def media_type(response: Response) -> str:
    return response.headers["content-type"].partition(";")[0]


def assert_spa_security_headers(response: Response) -> None:
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["worker-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert "permissions-policy" in response.headers
    assert "nginx/" not in response.headers.get("server", "")


def test_nginx_answers_healthz_itself(nginx_port, backend):
    before = len(backend.requests)

    response = fetch(nginx_port, "/healthz")

    assert (response.status, response.body) == (200, b"ok\n")
    assert len(backend.requests) == before


@pytest.mark.parametrize("path", ["/", "/some/deep/route", "/tasks/12?view=today"])
def test_nginx_serves_the_spa_for_client_routes(nginx_port, path):
    response = fetch(nginx_port, path)

    assert response.status == 200
    assert INDEX_MARKER.encode() in response.body
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert_spa_security_headers(response)


def test_nginx_caches_hashed_assets_for_good(nginx_port):
    response = fetch(nginx_port, "/assets/app.123.js", Accept_Encoding="gzip")

    assert response.status == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert media_type(response) in JAVASCRIPT
    assert response.headers["content-encoding"] == "gzip"
    assert_spa_security_headers(response)


def test_nginx_does_not_answer_a_missing_asset_with_the_spa(nginx_port):
    response = fetch(nginx_port, "/assets/app.old.js")

    assert response.status == 404
    assert INDEX_MARKER.encode() not in response.body
    assert "immutable" not in response.headers.get("cache-control", "")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/sw.js", JAVASCRIPT),
        ("/manifest.webmanifest", ("application/manifest+json",)),
        ("/favicon.svg", ("image/svg+xml",)),
        ("/index.html", ("text/html",)),
    ],
)
def test_nginx_makes_browsers_revalidate_unhashed_files(nginx_port, path, content_type):
    response = fetch(nginx_port, path)

    assert response.status == 200
    assert media_type(response) in content_type
    assert response.headers["cache-control"] == "no-cache"
    assert_spa_security_headers(response)


@pytest.mark.parametrize(
    "path", ["/api/tasks/?view=today", "/admin/", "/admin/login/?next=/admin/", "/static/x.css"]
)
def test_nginx_proxies_backend_paths_unchanged(nginx_port, backend, path):
    response = fetch(nginx_port, path, Accept_Encoding="gzip")

    assert response.status == 200
    seen = backend.requests[-1]
    assert seen["path"] == path
    assert seen["headers"]["host"] == CLIENT_HOST
    assert seen["headers"]["x-forwarded-proto"] == "http"
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert seen["headers"]["x-real-ip"] == "127.0.0.1"
    # Django sets its own headers there; nginx adds none of the SPA's.
    assert "content-security-policy" not in response.headers
    if path.startswith(("/api/", "/admin/")):
        assert "content-encoding" not in response.headers  # BREACH


def test_nginx_keeps_the_scheme_a_tls_proxy_in_front_reports(nginx_port, backend):
    """Behind Cloudflare or a load balancer, Django must see https or it redirects forever."""
    response = fetch(nginx_port, "/api/tasks/", X_Forwarded_Proto="https")

    assert response.status == 200
    assert backend.requests[-1]["headers"]["x-forwarded-proto"] == "https"


def test_nginx_passes_request_bodies_to_the_backend(nginx_port, backend):
    body = json.dumps({"title": "Pay rent"}).encode()

    response = fetch(nginx_port, "/api/tasks/", "POST", body, Content_Type="application/json")

    assert response.status == 200
    assert backend.requests[-1]["method"] == "POST"
    assert backend.requests[-1]["body_length"] == len(body)


@pytest.mark.parametrize("path", ["/metrics", "/readyz", "/healthz/../metrics", "/apix"])
def test_nginx_keeps_backend_internals_private(nginx_port, backend, path):
    before = backend.paths()

    response = fetch(nginx_port, path)

    assert backend.paths() == before
    assert response.status in (200, 404)
    if response.status == 200:
        assert INDEX_MARKER.encode() in response.body or response.body == b"ok\n"


@pytest.mark.parametrize("path", ["/admin", "/api"])
def test_nginx_redirects_a_bare_backend_prefix_relatively(nginx_port, backend, path):
    before = backend.paths()

    response = fetch(nginx_port, path)

    assert response.status == 301
    # Relative: behind the NodePort the client's port is not nginx's 8080.
    assert response.headers["location"] == f"{path}/"
    assert backend.paths() == before


def test_nginx_refuses_bodies_over_one_mebibyte(nginx_port, backend):
    before = backend.paths()

    response = fetch(nginx_port, "/api/tasks/", "POST", b"x" * (1024 * 1024 + 1))

    assert response.status == 413
    assert backend.paths() == before


def test_nginx_refuses_to_start_without_backend_url(backend, tmp_path):
    """An unset BACKEND_URL is left as ${BACKEND_URL} by envsubst: nginx must not start."""
    nginx = nginx_binary()
    (tmp_path / "html").mkdir()
    conf = write_nginx_tree(
        tmp_path, render_template(None, port=free_port(), root=tmp_path / "html"), nginx
    )

    result = subprocess.run(
        [*nginx_command(nginx, conf), "-t"], capture_output=True, text=True, timeout=30
    )

    assert result.returncode != 0
    # nginx reads the literal as a reference to an unknown variable (and lowercases its name).
    assert "backend_url" in (result.stderr + (tmp_path / "error.log").read_text()).lower()
