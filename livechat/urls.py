from django.urls import path

from . import api, views
from .routes import registered_routes

app_name = "livechat"

urlpatterns = [
    path("", views.room_list, name="room-list"),
    path("rooms/<slug:slug>/", views.room_page, name="room"),
    path("rooms/<slug:slug>/embed/", views.room_embed, name="room-embed"),
    path("api/rooms/", api.rooms, name="api-rooms"),
    path("api/users/", api.users, name="api-users"),
    path("api/notifications/", api.notifications, name="api-notifications"),
    path("api/notifications/read/", api.notifications_read, name="api-notifications-read"),
    path("api/messages/<int:message_id>/thanks/", api.message_thanks, name="api-message-thanks"),
    path("api/rooms/<slug:slug>/messages/", api.room_messages, name="api-room-messages"),
    path("api/rooms/<slug:slug>/events/", api.room_events, name="api-room-events"),
    path("api/messages/<int:message_id>/", api.message_detail, name="api-message"),
    path(
        "api/messages/<int:message_id>/revisions/",
        api.message_revisions,
        name="api-message-revisions",
    ),
    path(
        "api/messages/<int:message_id>/reactions/",
        api.message_reactions,
        name="api-message-reactions",
    ),
    # Other apps' endpoints (moderation), registered in their ready().
    *registered_routes(),
]
