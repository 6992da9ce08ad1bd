from django.urls import include, path

from . import apis
from .chat import apis as chat_apis

urlpatterns = [
    path("auth/csrf/", apis.CsrfApi.as_view(), name="auth-csrf"),
    path("auth/signup/", apis.SignupApi.as_view(), name="auth-signup"),
    path("auth/login/", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/token/", apis.TokenApi.as_view(), name="auth-token"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("tasks/", apis.TaskListCreateApi.as_view(), name="task-list"),
    path("tasks/draft/", chat_apis.TaskDraftApi.as_view(), name="task-draft"),
    path("tasks/<int:task_id>/", apis.TaskDetailApi.as_view(), name="task-detail"),
    path("tasks/<int:task_id>/complete/", apis.TaskCompleteApi.as_view(), name="task-complete"),
    path("tasks/<int:task_id>/reopen/", apis.TaskReopenApi.as_view(), name="task-reopen"),
    path(
        "tasks/<int:task_id>/stop-series/",
        apis.TaskStopSeriesApi.as_view(),
        name="task-stop-series",
    ),
    path(
        "tasks/<int:task_id>/reminders/",
        apis.TaskReminderCreateApi.as_view(),
        name="task-reminder-create",
    ),
    path("reminders/<int:reminder_id>/", apis.ReminderDetailApi.as_view(), name="reminder-detail"),
    path(
        "reminders/<int:reminder_id>/snooze/",
        apis.ReminderSnoozeApi.as_view(),
        name="reminder-snooze",
    ),
    path("recurrence/preview/", apis.RecurrencePreviewApi.as_view(), name="recurrence-preview"),
    path("chat/", include("tasks_app.chat.urls")),
]
