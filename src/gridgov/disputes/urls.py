from django.urls import path

from gridgov.disputes import views

app_name = "disputes"
urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("event/<int:pk>/details/", views.detail_edit, name="details"),
    path("event/<int:pk>/parties/", views.party_add, name="party_add"),
    path("parties/<int:pk>/remove/", views.party_remove, name="party_remove"),
    path("event/<int:pk>/mediation/", views.mediation_start, name="mediation_start"),
    path("event/<int:pk>/list/", views.list_major, name="list_major"),
    path("mediation/<int:pk>/files/<int:file_id>/", views.mediation_file, name="mediation_file"),
    path("mediation/<int:pk>/<str:step>/", views.mediation_step, name="mediation_step"),
    path("screening/", views.screening, name="screening"),
    path("screening/new/", views.report_new, name="report_new"),
    path("screening/missing/", views.missing, name="missing"),
    path("screening/policy/", views.policy, name="policy"),
    path("screening/<int:pk>/", views.report_detail, name="report"),
    path("screening/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("sheet/", views.sheet, name="sheet"),
    path("listed/", views.listed, name="listed"),
    path("listed/<int:pk>/cross-off/", views.cross_off, name="cross_off"),
]
