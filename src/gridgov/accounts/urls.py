from django.urls import path

from gridgov.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.user_list, name="users"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_detail, name="user"),
    path("<int:pk>/password/", views.user_password, name="user_password"),
    path("<int:pk>/active/", views.user_toggle_active, name="user_toggle_active"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("departments/", views.department_list, name="departments"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_update, name="department"),
]
