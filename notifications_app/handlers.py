"""Event handlers of the notifications domain (run by `manage.py consume_events`)."""

from tasks_app import events
from todo_project.common import kafka
from todo_project.common.consumers import Envelope, handler

from . import selectors
from .tasks import deliver


@handler(group="notifications", topic=kafka.REMINDERS, types=[events.REMINDER_DUE])
def enqueue_push_delivery(envelope: Envelope) -> None:
    """A fired reminder's notification exists already (the scan made it): push it."""
    notification_id = envelope["data"].get("notification_id")
    # In a burst, a deliver task that ran first may have taken this one already, in a batch:
    # then there is nothing to enqueue (the retry sweep still covers a run that died).
    if notification_id is not None and selectors.notification_awaits_push(
        notification_id=notification_id
    ):
        deliver.delay(notification_id)
