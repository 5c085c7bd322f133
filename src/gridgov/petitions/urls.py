from django.urls import path

from gridgov.petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("register/", views.register, name="register"),
    path("receptions/", views.reception_days, name="reception_days"),
    path("receptions/<int:pk>/", views.reception_day, name="reception_day"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/do/<str:action>/", views.petition_action, name="action"),
    path("<int:pk>/cases/<int:case_id>/end/", views.end_case, name="end_case"),
]
