"""Settings of the floor app: no middleware, one app, the benchmark's own database."""

import os

import environ

SECRET_KEY = "floor-bench-only"  # a benchmark on loopback, never deployed
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.floor.urls"
WSGI_APPLICATION = "bench.floor.wsgi.application"
INSTALLED_APPS = ["bench.floor"]
MIDDLEWARE: list[str] = []
USE_TZ = True
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]
DATABASES = {"default": environ.Env.db_url_config(os.environ["DATABASE_URL"])}
# The same persistent connections as collab-survey's production settings.
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
