"""Input and output shapes of the chat API."""

from rest_framework import serializers

from tasks_app.models import Priority
from tasks_app.serializers import RecurrenceSerializer, TaskSerializer
from todo_project.common.fields import StrictCharField, StrictIntegerField

from .models import Conversation, Message
from .parsing import MESSAGE_MAX

TASK_TEXT_MAX = 500


class ChatInputSerializer(serializers.Serializer):
    message = StrictCharField(max_length=MESSAGE_MAX)
    conversation_id = StrictIntegerField(min_value=1, required=False, allow_null=True)


class ChatOutputSerializer(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    reply = serializers.CharField()
    actions = serializers.ListField(
        child=serializers.DictField(), help_text="What was done: type, task_id and details."
    )
    tasks = TaskSerializer(many=True, help_text="The tasks the reply is about, as task JSON.")


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "role", "text", "actions", "created_at"]


class ConversationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = ["id", "title", "created_at", "updated_at"]


class ConversationDetailSerializer(ConversationSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages"]

    def get_messages(self, conversation: Conversation) -> list[dict]:
        return MessageSerializer(self.context["messages"], many=True).data


class TaskDraftInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=TASK_TEXT_MAX)


class TaskDraftReminderSerializer(serializers.Serializer):
    offset_minutes = serializers.IntegerField(required=False)
    fire_at = serializers.CharField(required=False, help_text="Local wall time.")


class TaskDraftSerializer(serializers.Serializer):
    """The fields to send to `POST /api/tasks/`, and what they mean in words."""

    title = serializers.CharField()
    due_at = serializers.CharField(
        allow_null=True, help_text="A local wall time or date, in the user's zone."
    )
    recurrence = RecurrenceSerializer(allow_null=True)
    reminders = TaskDraftReminderSerializer(
        many=True, allow_null=True, help_text="null: the user's default reminders apply."
    )
    tags = serializers.ListField(child=serializers.CharField())
    priority = serializers.ChoiceField(choices=Priority.choices)
    summary = serializers.CharField(help_text='In words, e.g. "due tomorrow at 17:00".')
