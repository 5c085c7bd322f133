from django.urls import path

from gridgov.events import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("report/", views.report, name="report"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("track/", views.track, name="track"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/do/<str:action>/", views.event_action, name="action"),
    path("<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
]

# --- Routing rules (直报与抄告) -------------------------------------------------------------------
from gridgov.events import routing_views  # noqa: E402

urlpatterns += [
    path("routing-rules/", routing_views.rule_list, name="routing_rules"),
    path("routing-rules/new/", routing_views.rule_create, name="routing_rule_create"),
    path("routing-rules/<int:pk>/", routing_views.rule_edit, name="routing_rule_edit"),
]
