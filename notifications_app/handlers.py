"""Event handlers of the notifications domain (run by `manage.py consume_events`)."""

from tasks_app import events
from todo_project.common import kafka
from todo_project.common.consumers import Envelope, handler

from . import selectors, services
from .tasks import deliver


@handler(group="notifications", topic=kafka.REMINDERS, types=[events.REMINDER_DUE])
def enqueue_push_delivery(envelopes: list[Envelope]) -> None:
    """Fired reminders' notifications exist already (the scan made them): push them.

    One deliver task per `PUSH_BATCH_SIZE` notifications: a burst of reminders due in the same
    minute is pushed in batches, by as many worker processes as there are. A notification a
    delivery run has taken already (it drains whatever is due) needs no task.
    """
    ids = [e["data"].get("notification_id") for e in envelopes]
    waiting = selectors.notifications_awaiting_push(ids=[pk for pk in ids if pk is not None])
    for start in range(0, len(waiting), services.PUSH_BATCH_SIZE):
        deliver.delay(*waiting[start : start + services.PUSH_BATCH_SIZE])
