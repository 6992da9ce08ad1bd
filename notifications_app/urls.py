from django.urls import path

from . import apis

urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/read-all/",
        apis.NotificationReadAllApi.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        apis.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("push/vapid-public-key/", apis.VapidPublicKeyApi.as_view(), name="push-vapid-public-key"),
    path("push/subscriptions/", apis.PushSubscriptionApi.as_view(), name="push-subscriptions"),
    path("push/actions/", apis.PushActionApi.as_view(), name="push-actions"),
]
