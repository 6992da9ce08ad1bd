from django.conf import settings
from django.db import models


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    PARTIAL = "partial", "Delivered to some devices"
    FAILED = "failed", "Failed"
    NO_SUBSCRIPTION = "no_subscription", "No push subscription"


class Notification(models.Model):
    """What a user is told: one per fired reminder (unique), shown in the in-app inbox
    whether or not a browser push reached them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    task = models.ForeignKey(
        "tasks_app.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder = models.OneToOneField(
        "tasks_app.Reminder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification",
    )
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery_state = models.CharField(
        max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title
