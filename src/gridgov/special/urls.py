from django.urls import path

from gridgov.special import views

app_name = "special"
urlpatterns = [
    path("", views.status_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("overdue/", views.overdue, name="overdue"),
    path("open/", views.status_open, name="open"),
    path("handovers/", views.handover_list, name="handovers"),
    path("handovers/<int:pk>/<str:action>/", views.handover_action, name="handover_action"),
    path("config/", views.config, name="config"),
    path("config/types/<int:pk>/", views.type_edit, name="type_edit"),
    path("config/rules/<int:type_id>/<str:grade>/", views.rule_edit, name="rule_edit"),
    path("visits/<int:pk>/photo/", views.visit_photo, name="visit_photo"),
    path("<int:pk>/", views.status_detail, name="detail"),
    path("<int:pk>/edit/", views.status_edit, name="edit"),
    path("<int:pk>/visit/", views.visit, name="visit"),
    path("<int:pk>/do/<str:action>/", views.status_action, name="action"),
]
