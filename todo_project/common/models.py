import uuid

from django.db import models
from django.db.models import Q


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it describes.

    `relay_outbox` publishes unpublished rows in id order and marks them published once the
    broker has acknowledged them. `id` gives the order; `event_id` is the CloudEvents id.
    """

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(max_length=100, help_text="Logical topic name (without prefix)")
    key = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    envelope = models.JSONField(help_text="CloudEvents 1.0 structured JSON")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(published_at__isnull=True), name="outbox_pending"
            ),
            models.Index(fields=["published_at"], name="outbox_published_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.key} ({'published' if self.published_at else 'pending'})"


class ProcessedEvent(models.Model):
    """Marks an event as handled by one consumer group, so a redelivery is a no-op."""

    group = models.CharField(max_length=100)
    event_id = models.UUIDField()
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "event_id"], name="processed_once_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.event_id}"
