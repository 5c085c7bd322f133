from django.urls import path

from gridgov.core import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/file/<str:which>/", views.job_file, name="file"),
]
