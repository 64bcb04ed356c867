"""Survey link tokens: unguessable, compared in constant time, and never written anywhere else."""

import logging
import runpy
import string
from datetime import timedelta
from hmac import compare_digest
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from gunicorn.config import Config

from surveys.forms.respondent import SubmitForm
from surveys.logs import RedactLinks, redact
from surveys.models import Invitation, Response, new_token
from surveys.selectors import TOKEN_LOOKUP_CHARS, find_link
from tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db

URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def test_tokens_carry_at_least_128_bits_and_never_repeat():
    tokens = [new_token() for _ in range(20_000)]
    assert len(set(tokens)) == len(tokens)
    assert all(len(t) == 43 and set(t) <= URL_SAFE for t in tokens)
    # 43 characters from 64 carry 258 bits; all 64 turn up, so none is wasted.
    assert set("".join(tokens)) == URL_SAFE
    assert TOKEN_LOOKUP_CHARS * 6 <= 256 - 128  # what is compared in constant time


def test_every_link_and_resume_link_gets_a_fresh_token(survey_setup):
    links = [survey_setup.personal_link, survey_setup.org_link]
    responses = [ResponseFactory(invitation=link) for link in links]
    tokens = [i.token for i in links] + [r.resume_token for r in responses]
    assert len(set(tokens)) == 4
    assert all(len(t) == 43 for t in tokens)
    assert Invitation._meta.get_field("token").default is new_token
    assert Response._meta.get_field("resume_token").default is new_token


def test_the_secret_part_of_a_token_never_reaches_the_database(survey_setup):
    # URL-safe tokens hold "_", which a LIKE pattern must escape.
    token = "Ab_cD-eF_gH-iJ_k" + new_token()[TOKEN_LOOKUP_CHARS:]
    Invitation.objects.filter(pk=survey_setup.org_link.pk).update(token=token)
    with CaptureQueriesContext(connection) as queries:
        assert find_link(token=token).invitation == survey_setup.org_link
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    # The prefix goes in as a LIKE pattern, with "_" escaped.
    assert connection.ops.prep_for_like_query(token[:TOKEN_LOOKUP_CHARS]) in sql
    assert token[TOKEN_LOOKUP_CHARS:] not in sql
    assert token not in sql


def test_tokens_are_compared_in_constant_time(client, survey_setup):
    token = survey_setup.personal_link.token
    with mock.patch(
        "surveys.selectors.compare_digest", wraps=compare_digest
    ) as compared:
        assert client.get(f"/s/{token}/").status_code == 200
    compared.assert_any_call(token.encode(), token.encode())


def test_a_token_right_but_for_its_end_opens_nothing(client, survey_setup):
    token = survey_setup.personal_link.token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert find_link(token=wrong) is None
    assert client.get(f"/s/{wrong}/").status_code == 404
    assert (
        find_link(token=token[:TOKEN_LOOKUP_CHARS]) is None
    )  # too short to hold 128 bits
    assert find_link(token=token + "x") is None


def test_odd_characters_in_a_link_are_simply_not_found(client, survey_setup):
    for odd in ("é" * 43, "%00" * 15, "a" * 500):
        assert client.get(f"/s/{odd}/").status_code == 404


def test_the_answers_fingerprint_is_compared_in_constant_time():
    with mock.patch(
        "surveys.forms.respondent.compare_digest", wraps=compare_digest
    ) as compared:
        assert SubmitForm({"digest": "abc"}, expected_digest="abc").is_valid()
        assert not SubmitForm({"digest": "abd"}, expected_digest="abc").is_valid()
    assert compared.call_count == 2


# Never written anywhere else


def test_logs_never_hold_a_survey_or_password_reset_token(client, survey_setup):
    token = survey_setup.personal_link.token
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactLinks) for f in h.filters)
    )
    stream = StringIO()
    with mock.patch.object(handler, "stream", stream):
        client.get(f"/s/{token[:-2]}zz/")  # Django logs "Not Found: <path>"
        client.get(f"/s/{token}/no-such-page/")
        logging.getLogger("surveys").error("Failed on /s/%s/check-answers/", token)
    logged = stream.getvalue()
    assert logged.count("/s/[redacted]/") == 3
    assert token[:20] not in logged
    assert (
        redact("/accounts/reset/MQ/cx3a-0123abcd/") == "/accounts/reset/MQ/[redacted]/"
    )
    assert redact("/accounts/reset/MQ/set-password/") == (
        "/accounts/reset/MQ/set-password/"
    )


def test_gunicorn_access_lines_never_hold_a_token(survey_setup):
    token = survey_setup.personal_link.token
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    logger = conf["logger_class"](Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/s/{token}/part-1/",
        "PATH_INFO": f"/s/{token}/part-1/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://example.org/s/{token}/",
    }
    response = mock.Mock(
        status="302 Found", sent=0, headers=[("Location", f"/s/{token}/")]
    )
    atoms = logger.atoms(response, mock.Mock(headers=[]), environ, timedelta(0))
    assert token not in repr(atoms)
    assert atoms["r"] == "GET /s/[redacted]/part-1/ HTTP/1.1"
