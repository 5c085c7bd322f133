from django.urls import path

from gridgov.core.exports import export_view
from gridgov.registry import import_views, views

app_name = "registry"
urlpatterns = [
    path("import/", import_views.import_start, name="import"),
    path("import/template/<str:kind>/", import_views.import_template, name="import_template"),
    path("import/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("people/", views.person_list, name="people"),
    path("people/export/", export_view, {"name": "registry.people"}, name="people_export"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/status/", views.person_status, name="person_status"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/merge/<int:other>/", views.person_merge, name="person_merge"),
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/export/", export_view, {"name": "registry.addresses"}, name="addresses_export"),
    path("addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:pk>/", views.address_detail, name="address"),
    path("addresses/<int:pk>/house/", views.house_create, name="house_create"),
    path("addresses/<int:pk>/unit/", views.unit_create, name="unit_create"),
    path("houses/", views.house_list, name="houses"),
    path("houses/export/", export_view, {"name": "registry.houses"}, name="houses_export"),
    path("houses/<int:pk>/", views.house_detail, name="house"),
    path("houses/<int:pk>/edit/", views.house_edit, name="house_edit"),
    path("houses/<int:pk>/people/new/", views.person_create, name="person_create"),
    path("units/", views.unit_list, name="units"),
    path("units/export/", export_view, {"name": "registry.units"}, name="units_export"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
]
