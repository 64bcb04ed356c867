"""/healthz tells a load balancer whether the app can reach its database."""

import pytest
from django.db import DatabaseError


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    page = client.get("/healthz")
    assert page.status_code == 200
    assert page.json() == {"status": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("surveys.views.health.connection.cursor", broken_cursor)
    page = client.get("/healthz")
    assert page.status_code == 503
    assert page.json()["status"] == "unavailable"
