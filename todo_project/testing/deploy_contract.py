"""The deployment contract's process table, one copy for every check of it.

The Helm chart (chart/tests), docker-compose.yml and the Dockerfile (scripts/tests) must run each
component with exactly these commands (exec form, no shell; migrate excepted) and probe the
background processes with the heartbeat script by path (importing the package would load Celery
on every probe: 0.45 s and 37 MB each time). Pure data: no Django import.
"""

import shlex

COMMANDS: dict[str, list[str]] = {
    "web": shlex.split(
        "gunicorn todo_project.wsgi:application --bind 0.0.0.0:8000 --workers 2 --threads 4"
        " --worker-tmp-dir /tmp --access-logfile - --graceful-timeout 20 --timeout 30"
    ),
    "worker": shlex.split(
        "celery -A todo_project worker --loglevel INFO --queues default,notifications"
        " --concurrency 2 --without-gossip --without-mingle --without-heartbeat"
    ),
    "beat": shlex.split(
        "celery -A todo_project beat --loglevel INFO --pidfile= --schedule /tmp/celerybeat-schedule"
    ),
    "relay": shlex.split("python manage.py relay_outbox --heartbeat-file /tmp/heartbeat"),
    "consumer": shlex.split("python manage.py consume_events --heartbeat-file /tmp/heartbeat"),
    "migrate": [
        "sh",
        "-c",
        "python manage.py migrate --noinput && python manage.py kafka_topics --wait 120"
        " && python manage.py setup_periodic_tasks",
    ],
}
# The probe of the background processes; the maximum heartbeat age (seconds) is appended.
HEARTBEAT_PROBE = shlex.split(
    "python /app/todo_project/common/heartbeat.py /tmp/heartbeat --max-age"
)
HEARTBEAT_MAX_AGE = {"worker": 60, "beat": 120, "relay": 60, "consumer": 60}
# Celery's processes learn where to write their heartbeat from the environment.
HEARTBEAT_ENV = {
    "worker": {"CELERY_WORKER_HEARTBEAT_FILE": "/tmp/heartbeat"},
    "beat": {"CELERY_BEAT_HEARTBEAT_FILE": "/tmp/heartbeat"},
}
