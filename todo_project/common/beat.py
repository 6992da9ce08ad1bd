"""Celery beat's scheduler: django-celery-beat's DatabaseScheduler, a heartbeat file, and
entries sent a few seconds before their time."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

from todo_project.common.heartbeat import touch

logger = logging.getLogger(__name__)


def wall_clock(tz) -> datetime:
    """The clock of entries sent early (a function of its own: tests move it)."""
    return datetime.now(tz)


class LeadModelEntry(ModelEntry):
    """An entry sent `CELERY_BEAT_LEAD_SECONDS[task]` seconds before its schedule says.

    The entry lives that far in the future: its schedule's clock and the `last_run_at` it
    records are both shifted, so a crontab "every minute" is due at 09:59:58 for 10:00, once,
    and records 10:00 as its last run. The task receives no argument: it reads the clock and
    its own lead (the reminder scan: `tasks_app.tasks.scan_due`).
    """

    def __init__(self, model, app=None):
        seconds = settings.CELERY_BEAT_LEAD_SECONDS.get(model.task, 0)
        self.lead = timedelta(seconds=seconds)  # before super(): it reads _default_now()
        super().__init__(model, app=app)
        if self.lead and getattr(self, "schedule", None) is not None:
            tz = self.app.timezone
            self.schedule.nowfun = lambda: wall_clock(tz) + self.lead

    def _default_now(self):
        if not self.lead:
            return super()._default_now()
        return wall_clock(self.app.timezone) + self.lead


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    """Touches CELERY_BEAT_HEARTBEAT_FILE after every tick that completed.

    A tick runs at least every `max_interval` (5 s for the DatabaseScheduler) and reads the
    schedule from the database, so a fresh file means the loop turns and due entries are sent.
    A tick that raises (database gone) does not touch it, and the liveness probe restarts beat.
    """

    Entry = LeadModelEntry

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
