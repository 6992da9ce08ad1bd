from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from todo_project.common.health import healthz, readyz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("tasks_app.urls")),
    path("api/", include("notifications_app.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
