from django.urls import path

from gridgov.areas import views

app_name = "areas"
urlpatterns: list = []
