from datetime import datetime, timedelta

import factory
from django.utils import timezone

from notifications_app.models import Notification
from tasks_app import services as task_services
from tasks_app.tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Due soon"
    url = "/"


def fired_notification(
    user, *, title: str = "Water the plants", now: datetime | None = None
) -> Notification:
    """A notification made the real way: a task with a reminder, fired by the reminder scan."""
    now = now or timezone.now()
    fire_at = now + timedelta(minutes=5)
    task = task_services.task_create(
        user=user,
        title=title,
        due=now + timedelta(hours=1),
        reminders=[{"fire_at": fire_at}],
        now=now,
    )
    task_services.reminders_fire_due(now=fire_at)
    return Notification.objects.get(reminder__task=task)
