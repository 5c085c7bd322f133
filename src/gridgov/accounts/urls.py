from django.urls import path

from gridgov.accounts import views

app_name = "accounts"
urlpatterns: list = []
