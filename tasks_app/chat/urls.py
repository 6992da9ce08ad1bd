from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.ChatApi.as_view(), name="chat"),
    path("conversations/", apis.ConversationListApi.as_view(), name="chat-conversation-list"),
    path(
        "conversations/<int:conversation_id>/",
        apis.ConversationDetailApi.as_view(),
        name="chat-conversation-detail",
    ),
]
