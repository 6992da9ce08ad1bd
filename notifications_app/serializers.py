"""Input parsing and output shapes for the notifications API. Meaning is checked in services."""

from rest_framework import serializers

from tasks_app.services import SNOOZE_MAX_MINUTES
from todo_project.common.fields import StrictCharField, StrictIntegerField

from .models import Notification, PushSubscription
from .webpush import ENDPOINT_MAX_LENGTH


class NotificationSerializer(serializers.ModelSerializer):
    task_id = serializers.IntegerField(allow_null=True, read_only=True)
    reminder_id = serializers.IntegerField(allow_null=True, read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "title",
            "body",
            "url",
            "task_id",
            "reminder_id",
            "created_at",
            "read_at",
            "read",
            "delivery_state",
        ]

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationListFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)


class ReadAllOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread_count = serializers.IntegerField()


class VapidPublicKeySerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    public_key = serializers.CharField(allow_null=True)


class SubscriptionKeysSerializer(serializers.Serializer):
    p256dh = StrictCharField(max_length=200)
    auth = StrictCharField(max_length=100)


class PushSubscriptionInputSerializer(serializers.Serializer):
    """The browser's `PushSubscription.toJSON()`: {endpoint, expirationTime, keys}."""

    endpoint = StrictCharField(max_length=ENDPOINT_MAX_LENGTH, trim_whitespace=False)
    expirationTime = StrictIntegerField(required=False, allow_null=True)
    keys = SubscriptionKeysSerializer()


class PushSubscriptionDeleteSerializer(serializers.Serializer):
    endpoint = StrictCharField(max_length=ENDPOINT_MAX_LENGTH, trim_whitespace=False)


class PushSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "user_agent", "created_at", "last_success_at"]


class PushActionInputSerializer(serializers.Serializer):
    token = StrictCharField(max_length=1000)
    action = serializers.ChoiceField(choices=["done", "snooze"])
    minutes = StrictIntegerField(
        min_value=1, max_value=SNOOZE_MAX_MINUTES, required=False, allow_null=True
    )


class PushActionOutputSerializer(serializers.Serializer):
    action = serializers.CharField()
    notification_id = serializers.IntegerField()
    task_id = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    reminder_id = serializers.IntegerField(allow_null=True)
    fire_at = serializers.DateTimeField(allow_null=True)
