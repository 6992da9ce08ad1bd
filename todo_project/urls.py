from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from todo_project.common import spa
from todo_project.common.health import healthz, metrics, readyz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("tasks_app.urls")),
    path("api/", include("notifications_app.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    # Everything else is the single-page app's (its own router handles the path).
    re_path(r"^(?!api/|admin/|static/)(?P<path>.*)$", spa.index, name="spa"),
]

# An unmatched URL under /api/ (e.g. /api/tasks/abc/) answers in the API's error shape.
handler404 = "todo_project.common.errors.page_not_found"
