from django.contrib import admin
from django.urls import include, path

from surveys.ratelimits import limit_account_form, posted_field
from surveys.urls import account_urlpatterns
from surveys.views.health import healthz
from surveys.views.home import home
from surveys.views.legal import accessibility_statement, privacy_notice

urlpatterns = [
    path("", home, name="home"),
    path("", include("surveys.urls")),
    path("accounts/", include(account_urlpatterns)),
    # allauth: the MFA pages, the single sign-on callbacks and their message pages.
    path("accounts/", include("allauth.urls")),
    path("reports/", include("reports.urls")),
    path("privacy", privacy_notice, name="privacy"),
    path("accessibility", accessibility_statement, name="accessibility"),
    path("healthz", healthz, name="healthz"),
    # The admin's sign-in counts against the same limits as the site's own (one "sign-in"
    # group), so that a password cannot be guessed there faster than at /accounts/login/.
    path(
        "admin/login/",
        limit_account_form("sign-in", posted_field("username"))(admin.site.login),
    ),
    path("admin/", admin.site.urls),
]

# "Try again later" (503) when the database is unreachable; the plain 500 page otherwise.
handler500 = "surveys.views.errors.server_error"
