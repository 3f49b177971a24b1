from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from shilian.config.api import api
from shilian.core.login import LoginForm
from shilian.registry.views import home

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Pages: operators under /w/, inspectors under /r/ (each app's urls carry the prefix).
    path("", home, name="home"),
    path("", include("shilian.registry.urls")),
    path("", include("shilian.catalog.urls")),
    path("", include("shilian.chain.urls")),
    path("", include("shilian.codes.urls")),
    path("", include("shilian.codes.scanning.urls")),
    path("", include("shilian.scan.urls")),
    path("epcis/", include("shilian.interop.urls")),
    path("", include("shilian.interop.sheet_urls")),
    path("", include("shilian.ledger.urls")),
    path("", include("shilian.sunshine.urls")),
]
