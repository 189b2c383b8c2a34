from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hoptac.web import views as web_views

urlpatterns = [
    # Officers land on the dashboard; the registry is one click away (and a cooperative's page).
    path("", web_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("registry/", include("hoptac.registry.urls")),
    path("units/", include("hoptac.units.urls")),
    path("returns/", include("hoptac.returns.urls")),
    path("imports/", include("hoptac.imports.urls")),
    path("programme/", include("hoptac.programme.urls")),
    path("scoring/", include("hoptac.scoring.urls")),
    path("support/", include("hoptac.support.urls")),
    path("dashboard/", include("hoptac.web.urls")),
    path("api/", include("hoptac.web.api_urls")),
    path("documents/", include("hoptac.documents.urls")),
    path("admin/", admin.site.urls),
]
