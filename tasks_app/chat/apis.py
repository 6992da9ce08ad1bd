"""HTTP endpoints of the chat: send a message, list conversations, read one conversation."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks_app import selectors as task_selectors
from todo_project.common.apis import parse
from todo_project.common.errors import ErrorSerializer
from todo_project.common.pagination import PageNumberPagination
from todo_project.common.throttling import CHAT_THROTTLES

from . import selectors, services
from .serializers import (
    ChatInputSerializer,
    ChatOutputSerializer,
    ConversationDetailSerializer,
    ConversationSerializer,
    TaskDraftInputSerializer,
    TaskDraftSerializer,
)


def _current_tasks(request: Request, tasks: list) -> list:
    """The reply's tasks as they are now; one the same turn deleted is left out."""
    current = []
    for task in tasks:
        try:
            current.append(task_selectors.task_get(user=request.user, task_id=task.pk))
        except Http404:
            continue
    return current


class ChatApi(APIView):
    throttle_classes = CHAT_THROTTLES

    @extend_schema(
        request=ChatInputSerializer,
        responses={
            200: ChatOutputSerializer,
            404: OpenApiResponse(ErrorSerializer, "No such conversation for this user."),
        },
    )
    def post(self, request: Request) -> Response:
        data = parse(ChatInputSerializer, request.data)
        turn = services.chat_send(
            user=request.user,
            message=data["message"],
            conversation_id=data.get("conversation_id"),
        )
        output = {
            "conversation_id": turn.conversation.pk,
            "reply": turn.reply.text,
            "actions": turn.reply.actions,
            "tasks": _current_tasks(request, turn.reply.tasks),
        }
        return Response(ChatOutputSerializer(output).data)


class ConversationListApi(APIView):
    pagination_class = PageNumberPagination  # also how the schema learns the list is paginated

    @extend_schema(responses=ConversationSerializer(many=True))
    def get(self, request: Request) -> Response:
        conversations = selectors.conversation_list(user=request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(conversations, request, view=self)
        return paginator.get_paginated_response(ConversationSerializer(page, many=True).data)


class ConversationDetailApi(APIView):
    @extend_schema(responses=ConversationDetailSerializer)
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = selectors.conversation_get(
            user=request.user, conversation_id=conversation_id
        )
        messages = selectors.message_list(conversation=conversation)
        return Response(
            ConversationDetailSerializer(conversation, context={"messages": messages}).data
        )


class TaskDraftApi(APIView):
    """The web app's quick add: what a line of text would add, without adding it."""

    @extend_schema(request=TaskDraftInputSerializer, responses=TaskDraftSerializer)
    def post(self, request: Request) -> Response:
        data = parse(TaskDraftInputSerializer, request.data)
        draft = services.task_draft(user=request.user, text=data["text"])
        return Response(TaskDraftSerializer(draft).data)
