"""Print a local development .env with a freshly generated secret key."""

import secrets
import sys

sys.stdout.write(
    "# Written by `make run` for local development. See .env.example for every variable.\n"
    f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
    "DJANGO_DEBUG=false\n"
    "DJANGO_SECURE_SSL_REDIRECT=false\n"
    "DJANGO_SECURE_COOKIES=false\n"
    "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost\n"
    "SITE_URL=http://127.0.0.1:8000\n"
)
