"""Notifications: the in-app inbox, browser push subscriptions and push delivery state.

A `Notification` is what a user is told (one per fired reminder). Pushing it to each of the
user's `PushSubscription`s is tracked by one `PushDelivery` row per (notification, subscription):
its state and, while it waits for a retry, when to try again. Every request sent is logged as a
`DeliveryAttempt`. See services.py for the delivery design.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"  # not tried yet
    SENDING = "sending", "Sending"  # taken by a delivery run
    RETRYING = "retrying", "Retrying"  # tried; some device waits for another attempt
    DELIVERED = "delivered", "Delivered"
    PARTIAL = "partial", "Delivered to some devices"
    FAILED = "failed", "Failed"
    NO_SUBSCRIPTION = "no_subscription", "No push subscription"
    PUSH_OFF = "push_off", "Push not configured"


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
    # When the reminder fired: the scan sets it (it may prepare a minute's notifications early).
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery_state = models.CharField(
        max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            # Delivery runs take untried notifications in id order.
            models.Index(
                fields=["id"], condition=Q(delivery_state="pending"), name="notification_untried"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PushSubscription(models.Model):
    """A browser's push subscription (`PushSubscription.toJSON()`); the endpoint is unique."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.CharField(max_length=2048, unique=True)
    p256dh = models.CharField(max_length=100, help_text="base64url P-256 public key (65 bytes)")
    auth = models.CharField(max_length=32, help_text="base64url auth secret (16 bytes)")
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:60]}"


class PushDeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRY = "retry", "Waiting to retry"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    GONE = "gone", "Subscription gone"


OPEN_DELIVERY_STATES = (PushDeliveryState.PENDING, PushDeliveryState.RETRY)


class PushDelivery(models.Model):
    """One notification to one subscription: the durable retry state.

    `next_attempt_at` is when it may be sent next; a worker claims it by moving that time one
    lease ahead (and stamping `claim`), so a duplicate or concurrent task finds nothing to send.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="push_deliveries"
    )
    subscription = models.ForeignKey(
        PushSubscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    state = models.CharField(
        max_length=10, choices=PushDeliveryState.choices, default=PushDeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The message encrypted for this subscription before the minute (the reminder scan prepares
    # its minute early); empty once sent, or when the subscription's keys changed.
    body = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "push deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "subscription"], name="push_delivery_unique"
            ),
        ]
        indexes = [
            # The retry sweep reads only open deliveries by due time.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "retry"]),
                name="push_delivery_open_due",
            ),
            models.Index(fields=["claim"], condition=~Q(claim=""), name="push_delivery_claim"),
        ]

    def __str__(self) -> str:
        return f"notification {self.notification_id} -> {self.subscription_id} ({self.state})"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    RETRY = "retry", "Will retry"
    FAILED = "failed", "Failed, not retried"
    GONE = "gone", "Subscription gone (deleted)"
    REFUSED = "refused", "Refused before sending (unsafe endpoint)"


class DeliveryAttempt(models.Model):
    """One request to a push service (or one refused before it was sent), for operators."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    subscription = models.ForeignKey(
        PushSubscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attempts",
    )
    endpoint_host = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempted_at = models.DateTimeField()

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["notification", "attempted_at"])]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.outcome} {self.status_code or ''}"
