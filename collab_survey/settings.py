"""Settings for collab-survey: everything that changes per deployment comes from the environment."""

import datetime
import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from collab_survey.sso import parse_providers, sign_in_origins

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env (written by `make run`) fills in what the environment leaves unset; deployments
# set the environment itself, and may point DJANGO_ENV_FILE elsewhere (or at /dev/null).
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Required when DEBUG is off: `make run` writes a local .env with a generated key.
SECRET_KEY = (
    env("DJANGO_SECRET_KEY")
    if not DEBUG
    else env("DJANGO_SECRET_KEY", default="django-insecure-development-only")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tasks_db",
    # Sign-in: django-allauth for local accounts, single sign-on (OpenID Connect) and MFA.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "surveys",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "surveys.middleware.private_by_default",  # after whitenoise: static files stay cacheable
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # after sessions, before common (Django's order)
    "surveys.middleware.english_only_pages",  # management and results pages stay English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "surveys.middleware.MfaRequiredForLeads",  # after allauth: reads its sign-in records
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

# Messages travel in a signed cookie, not the session: a survey page that shows none then
# never loads a session row (issue 17: a query fewer on every question page).
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

ROOT_URLCONF = "collab_survey.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "collab_survey.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The SQLite demo has gunicorn's workers and the task worker writing one file. WAL lets
    # the worker's long analysis reads run beside respondents' writes; IMMEDIATE takes the
    # write lock when a transaction opens, so a busy writer is waited for (up to `timeout`
    # seconds) instead of failing at once with "database is locked" on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }

# `reports` holds each round's computed analysis (reports/analysis/). The gunicorn workers
# and the task worker must share it, so that a round is analysed once, by the worker: files
# beside the app by default; any shared Django cache URL (e.g. redis://) will do.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://default"),
    "reports": env.cache_url(
        "REPORTS_CACHE_URL", default=f"filecache://{BASE_DIR / '.cache' / 'reports'}"
    ),
}
# Each submission asks the task worker to rebuild the round's analysis in the background.
REPORTS_REFRESH_ON_SUBMIT = env.bool("REPORTS_REFRESH_ON_SUBMIT", default=True)
# The worker draws a released round's partnership board pack after each analysis refresh,
# so the download is served from the cache (reports/pack_cache.py).
REPORTS_PACKS_AFTER_REFRESH = env.bool("REPORTS_PACKS_AFTER_REFRESH", default=True)
# Rounds with more submitted responses than this are analysed by the task worker only; a
# dashboard asked for one before it is ready says so and reloads itself.
REPORTS_SYNC_BUILD_LIMIT = env.int("REPORTS_SYNC_BUILD_LIMIT", default=5000)
# Weights of overall fit's four components (MEASUREMENT §5 "Pairwise fit"): values and
# trust outweigh similarity. Every page that explains fit reads them from here.
FIT_WEIGHTS = {
    "compatibility": 0.3,
    "mutual_trust": 0.3,
    "culture_fit": 0.2,
    "profile_fit": 0.2,
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The covering indexes on answers (INCLUDE columns) are a PostgreSQL optimisation; SQLite,
# used only so that `make run` works on a bare machine, builds them as plain indexes.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "surveys.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "surveys:partnership_list"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in (django-allauth). Local accounts sign in with a username and password; nobody signs
# up: leads add colleagues to a partnership, and staff may sign in with their organisation's
# single sign-on (SSO_PROVIDERS), which makes an account with no partnership until a lead adds
# them. SSO proves who someone is; only a partnership's membership grants a role.
ACCOUNT_ADAPTER = "surveys.auth_adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "surveys.auth_adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_FORMS = {"login": "surveys.forms.accounts.SignInForm"}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = True  # as before: a session lasts until sign-out or expiry
ACCOUNT_LOGOUT_ON_GET = False
# Failed sign-ins are counted by surveys/ratelimits.py in the shared database cache, per
# account name and address so that nobody can lock a colleague out from elsewhere; allauth's
# own per-process counter keyed by account name alone would allow exactly that.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # surveys.auth_adapters decides any matching
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = (
    False  # the sign-in page POSTs to start SSO (CSRF-protected)
)
SOCIALACCOUNT_STORE_TOKENS = False  # we never call the provider's APIs afterwards
SOCIALACCOUNT_ONLY = False
SSO_PROVIDERS = parse_providers(env.str("SSO_PROVIDERS", default=""))
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [provider.as_allauth_app() for provider in SSO_PROVIDERS],
    }
}
# Local accounts may add an authenticator app (TOTP) or a security key or passkey (WebAuthn);
# recovery codes come with either. MFA_REQUIRED_FOR_LEADS sends a lead who signed in with a
# password and has neither to set one up before any management page (surveys.middleware).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_ADAPTER = "surveys.auth_adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "surveys.forms.accounts.SecurityCodeForm",
    "activate_totp": "surveys.forms.accounts.AuthenticatorSetUpForm",
}
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Collaboration readiness")
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_REQUIRED_FOR_LEADS = env.bool("MFA_REQUIRED_FOR_LEADS", default=False)

# English and Welsh (the Welsh Language Standards): respondents, emails and account pages in
# either; results pages stay in English. Catalogues live in locale/ as .po files, compiled to .mo
# by the build (`make install`, the Dockerfile), never committed. The questionnaire's own wording
# per language is in the instrument YAML.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "collab_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/vendor is built by `make assets` from the npm packages (reports/staticfiles.py checks).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files from collectstatic; the benchmark's smoke test serves pages
    # without running collectstatic, so the backend can be named in the environment.
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Django 6.1 configures email through MAILERS; EMAIL_URL (e.g. smtp+tls://user:pass@host:587)
# is parsed by django-environ and mapped onto the backend's options.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in _smtp_options.items() if v not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="collab-survey <noreply@localhost>"
)

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# No inline scripts anywhere: page scripts are static files, data travels in json_script.
# plotly.js sets inline styles on the SVG it draws, hence 'unsafe-inline' for styles only.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    # plotly's PNG download draws the chart through data: and blob: URLs.
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # The sign-in page's SSO buttons post here, and are redirected to the identity provider.
    "form-action": [CSP.SELF, *sign_in_origins(SSO_PROVIDERS)],
    "frame-ancestors": [CSP.NONE],
}

SESSION_ENGINE = "surveys.sessions"  # database sessions, a query fewer for each new one
SESSION_COOKIE_HTTPONLY = True
# Secure cookies and the HTTPS redirect are on unless DEBUG; `make run` turns them off in its .env
# because the local demo is served over plain http://127.0.0.1.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool(
    "DJANGO_SECURE_COOKIES", default=not DEBUG
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Rate limits (django-ratelimit; see surveys/ratelimits.py). Counters live in a table of the
# app's own database, created by migrate and shared by every worker: Django's local-memory
# cache would give each gunicorn process its own counts. "N/m" is N per minute, "N/10m" per
# ten minutes. RATELIMIT_ENABLE=false switches every limit off (for load benchmarks).
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "ratelimit"
# A counter the cache cannot read or write lets the request through rather than stop a respondent.
RATELIMIT_FAIL_OPEN = True


def _rate(name: str, default: str) -> str:
    rate = env(name, default=default)
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", rate):
        raise ImproperlyConfigured(f"{name}={rate!r}: write a rate like 5/m or 30/10m")
    return rate


RATELIMIT_RESPONDENT = _rate("RATELIMIT_RESPONDENT", "120/m")  # per address and link
RATELIMIT_UNKNOWN_LINK = _rate("RATELIMIT_UNKNOWN_LINK", "30/10m")  # per address
RATELIMIT_LOGIN = _rate("RATELIMIT_LOGIN", "5/m")  # per account name and address
RATELIMIT_LOGIN_IP = _rate(
    "RATELIMIT_LOGIN_IP", "20/m"
)  # per address, all account forms
# "Email me my link" on a survey page: per address and resume link, and per address.
RATELIMIT_RESUME_EMAIL = _rate("RATELIMIT_RESUME_EMAIL", "3/h")
RATELIMIT_RESUME_EMAIL_IP = _rate("RATELIMIT_RESUME_EMAIL_IP", "20/h")
# Email domains whose accounts may create partnerships (and lead them), e.g.
# "nhs.net,northshire.gov.uk"; empty means only accounts a site administrator granted
# "Can create partnerships" (surveys.tenancy).
PARTNERSHIP_CREATOR_DOMAINS = [
    domain.strip().lower().lstrip("@")
    for domain in env.list("PARTNERSHIP_CREATOR_DOMAINS", default=[])
    if domain.strip()
]
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 (the default)
# ignores that header and counts REMOTE_ADDR, which a visitor cannot forge.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
CACHES["ratelimit"] = {
    "BACKEND": "surveys.cache.AtomicDatabaseCache",
    "LOCATION": "surveys_cache",  # the surveys.CacheEntry table, created by migrate
    # Past this many rows the cache drops expired counters, then random live ones.
    "OPTIONS": {"MAX_ENTRIES": 50_000},
}

# Invitees' email addresses are deleted this many days after a round closes, by
# `manage.py purge_personal_data` (run it daily: see the README). Answers are kept.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=90)

# Survey invitations one lead may send in 24 hours, over all their partnerships: the service
# sends them from its own address, so it must not become anyone's bulk mailer.
INVITATIONS_PER_LEAD_PER_DAY = env.int("INVITATIONS_PER_LEAD_PER_DAY", default=2000)
# Team invitations one lead may send in 24 hours, over all their partnerships. Each emails a
# password-set link from the service's own address under a partnership name the lead typed,
# the likeliest lure of all, and a team is a handful of colleagues: so its own, small limit.
TEAM_INVITATIONS_PER_LEAD_PER_DAY = env.int(
    "TEAM_INVITATIONS_PER_LEAD_PER_DAY", default=50
)
# And one partnership's team invitations in 24 hours, whoever sends them: a lead can make
# new leads (their own mailboxes), each with a fresh allowance of the above, so only a cap
# on the partnership bounds what one partnership can send. Its own setting, so that either
# can be raised for a large programme without raising the other.
TEAM_INVITATIONS_PER_PARTNERSHIP_PER_DAY = env.int(
    "TEAM_INVITATIONS_PER_PARTNERSHIP_PER_DAY", default=50
)
# A task whose worker has not said it is alive for this long is given to another worker
# (`manage.py worker`, surveys/worker.py); a live worker says so every third of it.
TASK_LEASE_SECONDS = env.float("TASK_LEASE_SECONDS", default=60)
# Who runs this deployment, for the privacy notice and the accessibility statement
# (surveys/legal.py). `manage.py check --deploy` refuses to go live without the controller,
# its contact and the data protection officer: a respondent must be told who holds their data.
SERVICE_OPERATOR = env("SERVICE_OPERATOR", default="")
SERVICE_CONTACT_EMAIL = env("SERVICE_CONTACT_EMAIL", default="")
SERVICE_CONTACT_PHONE = env("SERVICE_CONTACT_PHONE", default="")
PRIVACY_CONTROLLER = env("PRIVACY_CONTROLLER", default="")
PRIVACY_CONTROLLER_ADDRESS = env("PRIVACY_CONTROLLER_ADDRESS", default="")
PRIVACY_DPO_NAME = env("PRIVACY_DPO_NAME", default="")
PRIVACY_DPO_EMAIL = env("PRIVACY_DPO_EMAIL", default="")
PRIVACY_LAWFUL_BASIS = env(
    "PRIVACY_LAWFUL_BASIS",
    default=(
        "UK GDPR Article 6(1)(e): the processing is necessary for a task carried out in "
        "the public interest, planning and improving joined-up health and care services"
    ),
)
# The dates the accessibility statement was prepared and last reviewed (ISO dates).
ACCESSIBILITY_STATEMENT_PREPARED = datetime.date.fromisoformat(
    env("ACCESSIBILITY_STATEMENT_PREPARED", default="2026-12-01")
)
ACCESSIBILITY_STATEMENT_REVIEWED = datetime.date.fromisoformat(
    env("ACCESSIBILITY_STATEMENT_REVIEWED", default="2026-12-01")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Survey links and password-reset links are credentials: never write them to a log.
    "filters": {"redact_links": {"()": "surveys.logs.RedactLinks"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_links"]}
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
