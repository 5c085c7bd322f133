from django.urls import path

from gridgov.core import views

app_name = "core"
urlpatterns = [
    path("", views.audit_list, name="audit"),
    path("access/", views.access_log, name="access_log"),
]
