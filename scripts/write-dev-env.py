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
    "# Demo values for the privacy notice and accessibility statement: set your own.\n"
    "SERVICE_OPERATOR=Northshire Integrated Care Board (demo)\n"
    "SERVICE_CONTACT_EMAIL=collaboration@northshire-icb.example.org\n"
    "PRIVACY_CONTROLLER=Northshire Integrated Care Board (demo)\n"
    "PRIVACY_CONTROLLER_ADDRESS=1 Riverside Way, Northshire NS1 1AA\n"
    "PRIVACY_DPO_NAME=Data Protection Officer\n"
    "PRIVACY_DPO_EMAIL=dpo@northshire-icb.example.org\n"
)
