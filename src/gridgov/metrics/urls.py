from django.urls import path

from gridgov.metrics import dashboard_views, map_views, sheet_views, target_views, views

app_name = "metrics"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/areas/", dashboard_views.subareas, name="dashboard_subareas"),
    path("dashboard/categories/", dashboard_views.categories, name="dashboard_categories"),
    path("dashboard/trend/", dashboard_views.trend, name="dashboard_trend"),
    path("map/", map_views.grid_map, name="map"),
    path("targets/", target_views.target_list, name="targets"),
    path("targets/new/", target_views.target_create, name="target_create"),
    path("targets/<int:pk>/", target_views.target_edit, name="target_edit"),
    path("targets/<int:pk>/retire/", target_views.target_retire, name="target_retire"),
    path("sheet/", sheet_views.sheet, name="sheet"),
    path("<str:code>/records/", views.records, name="records"),
    path("<str:code>/records/export.xlsx", views.records_export, name="records_export"),
]
