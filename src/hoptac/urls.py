from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="registry:organisation-list", permanent=False), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("registry/", include("hoptac.registry.urls")),
    path("units/", include("hoptac.units.urls")),
    path("returns/", include("hoptac.returns.urls")),
    path("imports/", include("hoptac.imports.urls")),
    path("admin/", admin.site.urls),
]
