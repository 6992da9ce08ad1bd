"""Celery beat's scheduler: django-celery-beat's DatabaseScheduler plus a heartbeat file."""

import logging

from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler

from todo_project.common.heartbeat import touch

logger = logging.getLogger(__name__)


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    """Touches CELERY_BEAT_HEARTBEAT_FILE after every tick that completed.

    A tick runs at least every `max_interval` (5 s for the DatabaseScheduler) and reads the
    schedule from the database, so a fresh file means the loop turns and due entries are sent.
    A tick that raises (database gone) does not touch it, and the liveness probe restarts beat.
    """

    def setup_schedule(self) -> None:
        super().setup_schedule()
        from todo_project.celery import warm_up_publisher

        warm_up_publisher()  # the first scan after a start is sent on time, not ~0.5 s late

    def tick(self, *args, **kwargs) -> float:
        interval = super().tick(*args, **kwargs)
        path = settings.CELERY_BEAT_HEARTBEAT_FILE
        if path:
            try:
                touch(path)
            except OSError as exc:
                logger.warning("cannot touch beat heartbeat file %s: %s", path, exc)
        return interval
