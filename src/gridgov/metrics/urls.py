from django.urls import path

from gridgov.metrics import views

app_name = "metrics"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/records/", views.records, name="records"),
]
