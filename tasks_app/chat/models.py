"""Chat conversations: what a person typed, what the assistant answered, and the context
needed to understand the next message ("complete 1", "yes", "remind me about it")."""

from django.conf import settings
from django.db import models


class Conversation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=100, blank=True)
    last_task_ids = models.JSONField(
        default=list, blank=True, help_text="Task ids of the last numbered list shown, in order."
    )
    focus_task_id = models.BigIntegerField(
        null=True, blank=True, help_text='The task "it" refers to: the last one acted on.'
    )
    pending = models.JSONField(
        null=True, blank=True, help_text="A question awaiting an answer (a choice or a yes/no)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["user", "-updated_at"], name="conversation_user_recent")]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.pk}"


class Role(models.TextChoices):
    USER = "user", "User"
    ASSISTANT = "assistant", "Assistant"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField()
    actions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:40]}"
