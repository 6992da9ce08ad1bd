"""Input and output shapes of the chat API."""

from rest_framework import serializers

from tasks_app.serializers import TaskSerializer
from todo_project.common.fields import StrictCharField, StrictIntegerField

from .models import Conversation, Message
from .parsing import MESSAGE_MAX


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
