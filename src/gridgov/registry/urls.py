from django.urls import path

from gridgov.registry import views

app_name = "registry"
urlpatterns = [
    path("people/", views.person_list, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/status/", views.person_status, name="person_status"),
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:pk>/", views.address_detail, name="address"),
    path("addresses/<int:pk>/house/", views.house_create, name="house_create"),
    path("addresses/<int:pk>/unit/", views.unit_create, name="unit_create"),
    path("houses/", views.house_list, name="houses"),
    path("houses/<int:pk>/", views.house_detail, name="house"),
    path("houses/<int:pk>/people/new/", views.person_create, name="person_create"),
    path("units/", views.unit_list, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
]
