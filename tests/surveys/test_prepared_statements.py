"""Prepared statements survive what can happen under a running process (issue 17's review)."""

import psycopg2
import pytest
from django.db import connection
from django.test import Client

from tests.surveys.test_respondent import page_url, start, steps_for

pytestmark = pytest.mark.django_db(transaction=True)


def other_connection():
    params = connection.get_connection_params()
    other = psycopg2.connect(
        dbname=params["dbname"],
        user=params["user"],
        host=params["host"],
        port=params.get("port", 5432),
        password=params.get("password"),
    )
    other.autocommit = True
    return other


@pytest.fixture
def question_page(survey_setup, settings):
    settings.RATELIMIT_ENABLE = False
    client = Client(raise_request_exception=False)
    response = start(client, survey_setup.personal_link)
    url = page_url(response, steps_for(response)[0])
    assert (
        client.get(url).status_code == 200
    )  # the lookup is prepared on this connection
    return client, url


def test_a_migration_that_changes_a_column_type_leaves_pages_working(question_page):
    # A prepared SELECT whose result type changes fails with "cached plan must not change
    # result type" until it is prepared again.
    client, url = question_page
    other = other_connection()
    widen = "ALTER TABLE surveys_organisation ALTER COLUMN name TYPE varchar(%s)"
    try:
        other.cursor().execute(widen, [300])
        statuses = [client.get(url).status_code for _ in range(3)]
    finally:
        other.cursor().execute(widen, [200])
        other.close()
    assert statuses == [200, 200, 200]


def test_a_session_reset_by_a_pooler_leaves_pages_working(question_page):
    client, url = question_page
    with connection.cursor() as cursor:
        cursor.execute("DISCARD ALL")  # what a pooler does between clients
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
