"""HTTP endpoints of the notifications domain: parse, call one service or selector, serialise."""

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from todo_project.common.apis import parse
from todo_project.common.errors import ErrorSerializer
from todo_project.common.pagination import PageNumberPagination

from . import selectors, services, webpush
from .serializers import (
    NotificationListFilterSerializer,
    NotificationSerializer,
    PushActionInputSerializer,
    PushActionOutputSerializer,
    PushSubscriptionDeleteSerializer,
    PushSubscriptionInputSerializer,
    PushSubscriptionSerializer,
    ReadAllOutputSerializer,
    VapidPublicKeySerializer,
)

# ---------------------------------------------------------------- inbox


class InboxPagination(PageNumberPagination):
    """A page of the inbox also carries the unread count (all unread, on any page)."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["unread_count"] = {"type": "integer", "example": 3}
        paginated["required"] = [*paginated["required"], "unread_count"]
        return paginated


class NotificationListApi(APIView):
    pagination_class = InboxPagination  # also how the schema learns the list is paginated

    @extend_schema(
        parameters=[NotificationListFilterSerializer],
        responses=NotificationSerializer(many=True),
        description="Newest first, paginated, with `unread_count` (all unread, any page).",
    )
    def get(self, request: Request) -> Response:
        filters = parse(NotificationListFilterSerializer, request.query_params)
        notifications = selectors.notification_list(user=request.user, unread=filters["unread"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(notifications, request, view=self)
        response = paginator.get_paginated_response(NotificationSerializer(page, many=True).data)
        if filters["unread"]:  # the page's count is already the unread count: no second COUNT
            response.data["unread_count"] = paginator.page.paginator.count
        else:
            response.data["unread_count"] = selectors.notification_unread_count(user=request.user)
        return response


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, notification_id: int) -> Response:
        notification = selectors.notification_get(
            user=request.user, notification_id=notification_id
        )
        notification = services.notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses=ReadAllOutputSerializer)
    def post(self, request: Request) -> Response:
        marked = services.notifications_mark_all_read(user=request.user)
        unread = selectors.notification_unread_count(user=request.user)
        return Response({"marked": marked, "unread_count": unread})


# ---------------------------------------------------------------- push subscriptions


class VapidPublicKeyApi(APIView):
    @extend_schema(responses=VapidPublicKeySerializer)
    def get(self, request: Request) -> Response:
        public_key = webpush.vapid_public_key()
        return Response({"enabled": public_key is not None, "public_key": public_key})


class PushSubscriptionApi(APIView):
    @extend_schema(responses=PushSubscriptionSerializer(many=True))
    def get(self, request: Request) -> Response:
        subscriptions = selectors.push_subscription_list(user=request.user)
        return Response(PushSubscriptionSerializer(subscriptions, many=True).data)

    @extend_schema(
        request=PushSubscriptionInputSerializer,
        responses={200: PushSubscriptionSerializer, 201: PushSubscriptionSerializer},
        description="Upsert by endpoint; the body is the browser's `PushSubscription.toJSON()`.",
    )
    def post(self, request: Request) -> Response:
        data = parse(PushSubscriptionInputSerializer, request.data)
        subscription, created = services.push_subscription_upsert(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(
            PushSubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=PushSubscriptionDeleteSerializer,
        responses={
            204: None,
            404: OpenApiResponse(ErrorSerializer, "The user has no subscription at that endpoint."),
        },
    )
    def delete(self, request: Request) -> Response:
        data = parse(PushSubscriptionDeleteSerializer, request.data)
        services.push_subscription_delete(user=request.user, endpoint=data["endpoint"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- notification buttons


class _SessionWithoutCsrf(SessionAuthentication):
    """Who the service worker's request is signed in as, if anyone. Never grants anything here
    (the signed token does), so the page's CSRF token is not needed: it only lets a token of
    another user be refused."""

    def enforce_csrf(self, request: Request) -> None:
        return None


class _SessionWithoutCsrfScheme(SessionScheme):
    target_class = _SessionWithoutCsrf
    name = "cookieAuthWithoutCsrf"  # the session cookie; no X-CSRFToken needed here


class PushActionApi(APIView):
    """Done / Snooze from a notification's buttons, called by the service worker."""

    permission_classes = [AllowAny]
    authentication_classes = [TokenAuthentication, _SessionWithoutCsrf]

    @extend_schema(
        request=PushActionInputSerializer,
        responses={
            200: PushActionOutputSerializer,
            404: OpenApiResponse(ErrorSerializer, "The notification or its task is gone."),
        },
    )
    def post(self, request: Request) -> Response:
        data = parse(PushActionInputSerializer, request.data)
        result = services.push_action_perform(
            token=data["token"],
            action=data["action"],
            minutes=data.get("minutes"),
            acting_user=request.user if request.user.is_authenticated else None,
        )
        body = {
            "action": result.action,
            "notification_id": result.notification.pk,
            "task_id": result.task.pk,
            "completed_at": result.task.completed_at,
            "reminder_id": result.reminder.pk if result.reminder else None,
            "fire_at": result.reminder.fire_at if result.reminder else None,
        }
        return Response(PushActionOutputSerializer(body).data)
