from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gridgov.core import views as core_views
from gridgov.core.forms import LoginForm

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url="/"),
        name="password_change",
    ),
    path("areas/", include("gridgov.areas.urls")),
    path("accounts/", include("gridgov.accounts.urls")),
    path("registry/", include("gridgov.registry.urls")),
    path("audit/", include("gridgov.core.urls")),
    path("jobs/", include("gridgov.core.job_urls")),
    path("inbox/", include("gridgov.notifications.urls")),
    path("events/", include("gridgov.events.urls")),
    path("disputes/", include("gridgov.disputes.urls")),
    path("petitions/", include("gridgov.petitions.urls")),
    path("special/", include("gridgov.special.urls")),
    path("metrics/", include("gridgov.metrics.urls")),
    path("api/", include("gridgov.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", core_views.healthz, name="healthz"),
]
