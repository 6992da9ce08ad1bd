from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "todo_project.common"
    label = "common"
    verbose_name = "Events"
