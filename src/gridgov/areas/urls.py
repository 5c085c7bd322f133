from django.urls import path

from gridgov.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.area_list, name="list"),
    path("export.csv", views.area_export, name="export"),
    path("assignments/export.csv", views.assignment_export, name="assignment_export"),
    path("unstaffed/", views.unstaffed_grids, name="unstaffed"),
    path("locate/", views.locate, name="locate"),
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("<int:pk>/", views.area_detail, name="detail"),
    path("<int:pk>/new/", views.area_create, name="create"),
    path("<int:pk>/edit/", views.area_update, name="update"),
    path("<int:pk>/move/", views.area_move, name="move"),
    path("<int:pk>/retire/", views.area_retire, name="retire"),
    path("<int:pk>/divisions/", views.area_import_divisions, name="import_divisions"),
    path("<int:pk>/assign/", views.assignment_create, name="assign"),
]
