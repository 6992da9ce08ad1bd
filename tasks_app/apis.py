"""HTTP endpoints of the task domain: parse, call one service or selector, serialise."""

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from django.utils import timezone as dj_timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from todo_project.common.apis import parse
from todo_project.common.errors import ApplicationError
from todo_project.common.pagination import PageNumberPagination
from todo_project.common.throttling import LOGIN_THROTTLES, SIGNUP_THROTTLES, AnonIpThrottle

from . import recurrence, selectors, services, timefmt
from .serializers import (
    LoginSerializer,
    MeSerializer,
    MeUpdateSerializer,
    RecurrencePreviewOutputSerializer,
    RecurrencePreviewSerializer,
    ReminderInputSerializer,
    ReminderSerializer,
    SignupSerializer,
    SnoozeSerializer,
    TaskCreateSerializer,
    TaskDeleteSerializer,
    TaskListFilterSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
    TokenSerializer,
)


def _enforce_csrf(request: Request) -> None:
    """Login and sign-up set a session, so they get the CSRF check DRF skips for anonymous users."""
    SessionAuthentication().enforce_csrf(request)


def _task_response(task_id: int, request: Request, code: int = status.HTTP_200_OK) -> Response:
    task = selectors.task_get(user=request.user, task_id=task_id)
    return Response(TaskSerializer(task).data, status=code)


# ---------------------------------------------------------------- accounts


class CsrfApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=inline_serializer("Csrf", {"csrf_token": serializers.CharField()}))
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request)})


class SignupApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [*SIGNUP_THROTTLES, AnonIpThrottle]

    @extend_schema(request=SignupSerializer, responses={201: MeSerializer})
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        data = parse(SignupSerializer, request.data)
        user = services.user_create(
            username=data["username"],
            password=data["password"],
            timezone=data.get("timezone") or "UTC",
            time_format=data.get("time_format") or timefmt.H24,
        )
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


def _authenticate(request: Request) -> Any:
    data = parse(LoginSerializer, request.data)
    user = authenticate(request._request, username=data["username"], password=data["password"])
    if user is None:
        raise ApplicationError(
            "Wrong username or password.",
            code="authentication_failed",
            status_code=status.HTTP_400_BAD_REQUEST,
            fields={"password": ["Wrong username or password."]},
        )
    return user


class LoginApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [*LOGIN_THROTTLES, AnonIpThrottle]

    @extend_schema(request=LoginSerializer, responses=MeSerializer)
    def post(self, request: Request) -> Response:
        _enforce_csrf(request)
        user = _authenticate(request)
        login(request._request, user)
        return Response(MeSerializer(user).data)


class LogoutApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, Token):
            request.auth.delete()  # a token client logging out revokes its token
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [*LOGIN_THROTTLES, AnonIpThrottle]

    @extend_schema(request=LoginSerializer, responses=TokenSerializer)
    def post(self, request: Request) -> Response:
        user = _authenticate(request)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    def patch(self, request: Request) -> Response:
        data = parse(MeUpdateSerializer, request.data)
        user = services.user_update(user=request.user, **data)
        return Response(MeSerializer(user).data)


# ---------------------------------------------------------------- tasks


def _task_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: data[k] for k in ("title", "description", "priority", "tags") if k in data}
    if "due_at" in data:
        fields["due"] = data["due_at"]
    if "recurrence" in data:
        spec = data["recurrence"]
        fields["recurrence_spec"] = (
            None if spec is None else services.RecurrenceInput(spec["rule"], spec["anchor"])
        )
    return fields


class TaskListCreateApi(APIView):
    pagination_class = PageNumberPagination  # also how the schema learns the list is paginated

    @extend_schema(
        parameters=[TaskListFilterSerializer],
        responses=TaskSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = parse(TaskListFilterSerializer, request.query_params)
        tasks = selectors.task_list(user=request.user, filters=selectors.TaskFilters(**filters))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(tasks, request, view=self)
        return paginator.get_paginated_response(TaskSerializer(page, many=True).data)

    @extend_schema(request=TaskCreateSerializer, responses={201: TaskSerializer})
    def post(self, request: Request) -> Response:
        data = parse(TaskCreateSerializer, request.data)
        fields = _task_fields(data)
        if fields.get("recurrence_spec", "") is None:
            del fields["recurrence_spec"]
        reminders = data.get("reminders")
        task = services.task_create(
            user=request.user,
            reminders=reminders,
            completed_at=data.get("completed_at"),
            **fields,
        )
        # The task carries its series, tags and reminders as written: no read back.
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


class TaskDetailApi(APIView):
    @extend_schema(responses=TaskSerializer)
    def get(self, request: Request, task_id: int) -> Response:
        return _task_response(task_id, request)

    @extend_schema(request=TaskUpdateSerializer, responses=TaskSerializer)
    def patch(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get(user=request.user, task_id=task_id)
        data = parse(TaskUpdateSerializer, request.data)
        services.task_update(task=task, **_task_fields(data))
        return _task_response(task.pk, request)

    @extend_schema(parameters=[TaskDeleteSerializer], responses={204: None})
    def delete(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get(user=request.user, task_id=task_id)
        options = parse(TaskDeleteSerializer, request.query_params)
        services.task_delete(task=task, series=options["series"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskCompleteApi(APIView):
    @extend_schema(request=None, responses=TaskSerializer)
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_owned(user=request.user, task_id=task_id)
        services.task_complete(task=task)
        return _task_response(task.pk, request)


class TaskReopenApi(APIView):
    @extend_schema(request=None, responses=TaskSerializer)
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_owned(user=request.user, task_id=task_id)
        services.task_reopen(task=task)
        return _task_response(task.pk, request)


class TaskStopSeriesApi(APIView):
    @extend_schema(request=None, responses=TaskSerializer)
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get_owned(user=request.user, task_id=task_id)
        services.task_stop_series(task=task)
        return _task_response(task.pk, request)


class TaskReminderCreateApi(APIView):
    @extend_schema(request=ReminderInputSerializer, responses={201: ReminderSerializer})
    def post(self, request: Request, task_id: int) -> Response:
        task = selectors.task_get(user=request.user, task_id=task_id)
        data = parse(ReminderInputSerializer, request.data)
        reminder = services.reminder_add(task=task, **data)
        return Response(ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)


class ReminderDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, reminder_id: int) -> Response:
        reminder = selectors.reminder_get(user=request.user, reminder_id=reminder_id)
        services.reminder_delete(reminder=reminder)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReminderSnoozeApi(APIView):
    @extend_schema(request=SnoozeSerializer, responses={201: ReminderSerializer})
    def post(self, request: Request, reminder_id: int) -> Response:
        reminder = selectors.reminder_get(user=request.user, reminder_id=reminder_id)
        data = parse(SnoozeSerializer, request.data)
        snoozed = services.reminder_snooze(reminder=reminder, minutes=data["minutes"])
        return Response(ReminderSerializer(snoozed).data, status=status.HTTP_201_CREATED)


class RecurrencePreviewApi(APIView):
    @extend_schema(request=RecurrencePreviewSerializer, responses=RecurrencePreviewOutputSerializer)
    def post(self, request: Request) -> Response:
        data = parse(RecurrencePreviewSerializer, request.data)
        zone_name = data.get("timezone") or request.user.timezone
        try:
            zone = recurrence.validate_timezone(zone_name)
        except recurrence.RecurrenceError as exc:
            raise ApplicationError(str(exc), fields={"timezone": [str(exc)]}) from exc
        start = data["start"]
        if dj_timezone.is_aware(start):
            start = start.astimezone(zone).replace(tzinfo=None)
        try:
            rec = recurrence.build(data["rule"], dtstart=start, tz=zone, anchor=data["anchor"])
            occurrences = recurrence.occurrences(rec, count=data["count"])
        except recurrence.RecurrenceError as exc:
            raise ApplicationError(str(exc), fields={"rule": [str(exc)]}) from exc
        return Response(
            RecurrencePreviewOutputSerializer(
                {
                    "rule": rec.rule,
                    "description": recurrence.describe(rec),
                    "timezone": zone_name,
                    "occurrences": occurrences,
                }
            ).data
        )
