"""Event handlers of the task domain (run by `manage.py consume_events`)."""

from todo_project.common import kafka
from todo_project.common.consumers import Envelope, handler

from . import events
from .tasks import spawn_next_occurrence


@handler(group="recurrence", topic=kafka.TASK_EVENTS, types=[events.TASK_COMPLETED])
def enqueue_next_occurrence(envelopes: list[Envelope]) -> None:
    for envelope in envelopes:
        data = envelope["data"]
        if data.get("series_id") is not None:
            spawn_next_occurrence.delay(data["task_id"])
