"""What a questionnaire page costs the database, and that what is kept per process stays true."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.forms.respondent import DONT_KNOW, field_name
from surveys.journey import partners_fingerprint
from surveys.models import Comment, Item, Organisation, PartnershipMember, Response
from surveys.services.partnerships import refresh_member_names
from tests.factories import OrganisationFactory
from tests.surveys.test_respondent import (
    answer_all,
    check_url,
    page_url,
    start,
    steps_for,
    valid_data,
)

pytestmark = pytest.mark.django_db


def statements(queries: list[dict]) -> list[str]:
    """Return the captured statements that are not savepoints (the test's transaction) nor
    the resume lookup's PREPARE (once per database connection, not per page)."""
    return [
        q["sql"]
        for q in queries
        if "SAVEPOINT" not in q["sql"] and not q["sql"].startswith("PREPARE ")
    ]


@pytest.fixture
def response(client, survey_setup, settings):
    """A started response whose pages have each been viewed once (per-process reads done).

    Rate limits are off, as in the throughput benchmark: their counters are the shared
    cache's queries, not the page's.
    """
    settings.RATELIMIT_ENABLE = False
    response = start(client, survey_setup.personal_link)
    for step in steps_for(response):
        client.get(page_url(response, step))
    return response


@pytest.mark.parametrize("block", ["self", "profile", "partner"])
def test_showing_a_page_takes_two_queries(client, response, block):
    # The resume link (with the partners' fingerprint), then the page's saved answers,
    # points and comment together.
    step = next(s for s in steps_for(response) if s.block == block)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(page_url(response, step))
    assert page.status_code == 200
    assert len(statements(queries.captured_queries)) == 2


@pytest.mark.parametrize(
    ("block", "expected"),
    # The resume link, read FOR UPDATE (the response's lock), then deleting and inserting
    # the page's rows: answers on every page, points on profile pages, the comment on
    # pages that are not about a partner.
    [("self", 4), ("profile", 6), ("partner", 3)],
)
def test_saving_a_page_takes_only_the_locking_lookup_and_the_writes(
    client, response, block, expected
):
    step = next(s for s in steps_for(response) if s.block == block)
    with CaptureQueriesContext(connection) as queries:
        saved = client.post(page_url(response, step), valid_data(step))
    assert saved.status_code == 302
    assert len(statements(queries.captured_queries)) == expected


@pytest.mark.parametrize("block", ["self", "profile", "partner"])
def test_a_page_save_runs_only_prepared_statements(client, response, block):
    # Nothing of a page save is compiled by the ORM per request (issue 17): the lookup,
    # the ratings, a profile page's points and the comment are all EXECUTEd by name.
    step = next(s for s in steps_for(response) if s.block == block)
    data = valid_data(step)
    if step.subject is None:
        data["comment"] = "Budgets first."
    with CaptureQueriesContext(connection) as queries:
        saved = client.post(page_url(response, step), data)
    assert saved.status_code == 302
    run = statements(queries.captured_queries)
    assert run
    assert all(sql.startswith("EXECUTE ") for sql in run), run


def test_prepared_points_and_comment_writes_replace_what_was_saved(client, response):
    # Saved, changed, then emptied: each save leaves exactly the page's latest points and
    # comment (in the page's language), as the ORM's delete and create did.
    step = next(s for s in steps_for(response) if s.block == "profile")
    points_items = [i for i in step.items if i.response_format == Item.Format.POINTS]
    first = {**valid_data(step), "comment": "Budgets first."}
    assert client.post(page_url(response, step), first).status_code == 302
    stored = dict(response.profile_answers.values_list("item_id", "points"))
    assert stored == {i.pk: 25 for i in points_items}
    comment = Comment.objects.get(response=response, dimension=step.dimension)
    assert (comment.text, comment.language) == ("Budgets first.", "en-gb")

    prompt = points_items[0].prompt
    changed = {**valid_data(step), "comment": "People next."}
    same_prompt = [i for i in points_items if i.prompt == prompt]
    for item, value in zip(same_prompt, ["70", "30", "0", "0"], strict=False):
        changed[field_name(item)] = value
    for item in points_items:
        if item.prompt != prompt:
            changed[field_name(item)] = ""  # the other prompts skipped this time
    assert client.post(page_url(response, step), changed).status_code == 302
    stored = dict(response.profile_answers.values_list("item_id", "points"))
    assert stored == {
        i.pk: int(v) for i, v in zip(same_prompt, ["70", "30", "0", "0"], strict=False)
    }
    assert list(
        Comment.objects.filter(response=response).values_list("dimension_id", "text")
    ) == [(step.dimension.pk, "People next.")]

    emptied = {**changed, "comment": "   "}
    for item in points_items:
        emptied[field_name(item)] = ""
    assert client.post(page_url(response, step), emptied).status_code == 302
    assert not response.profile_answers.exists()
    assert not Comment.objects.filter(response=response).exists()


def test_a_renamed_partner_is_named_on_its_page_at_once(client, response, survey_setup):
    step = next(s for s in steps_for(response) if s.subject)
    client.get(page_url(response, step))
    partner = Organisation.objects.get(pk=step.subject.pk)
    partner.name = "Northshire Hospitals and Community"
    partner.save(update_fields=["name"])
    refresh_member_names(organisation=partner)
    html = client.get(page_url(response, step)).content.decode()
    assert "How you see Northshire Hospitals and Community" in html


def test_a_partner_added_during_the_round_gets_its_page_at_once(
    client, response, survey_setup
):
    first = steps_for(response)[0]
    total = len(steps_for(response))
    page = client.get(page_url(response, first)).content.decode()
    assert f"Page 1 of {total}<" in page
    newcomer = OrganisationFactory(name="Northshire Care Board", short_name="NCB")
    PartnershipMember.objects.add(
        partnership=survey_setup.survey.partnership, organisations=[newcomer]
    )
    page = client.get(page_url(response, first)).content.decode()
    assert f"Page 1 of {total + 1}<" in page
    newcomer_page = next(s for s in steps_for(response) if s.subject == newcomer)
    assert client.get(page_url(response, newcomer_page)).status_code == 200


def test_a_partner_removed_during_the_round_loses_its_page_at_once(
    client, response, survey_setup
):
    gone = next(s for s in steps_for(response) if s.subject)
    PartnershipMember.objects.filter(organisation=gone.subject).delete()
    assert client.get(page_url(response, gone)).status_code == 404


def checked(html: str, name: str) -> list[str]:
    """Return the values of the checked radios of one question."""
    tags = re.findall(r"<input[^>]*>", html)
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in tags
        if f'name="{name}"' in tag and "checked" in tag
    ]


def test_a_page_shown_again_has_every_saved_answer_of_its_own(client, response):
    steps = steps_for(response)
    own = next(s for s in steps if s.block == "self")
    data = {**valid_data(own, "2"), field_name(own.items[0]): DONT_KNOW}
    client.post(page_url(response, own), {**data, "comment": "Budgets first."})
    html = client.get(page_url(response, own)).content.decode()
    assert checked(html, field_name(own.items[0])) == [DONT_KNOW]
    assert checked(html, field_name(own.items[1])) == ["2"]
    assert "Budgets first.</textarea>" in html

    profile = next(s for s in steps if s.block == "profile")
    client.post(page_url(response, profile), valid_data(profile))
    html = client.get(page_url(response, profile)).content.decode()
    points = next(i for i in profile.items if i.response_format == Item.Format.POINTS)
    assert re.search(rf'name="{field_name(points)}"[^>]*value="25"', html)

    first, second = [s for s in steps if s.subject][:2]
    client.post(page_url(response, first), valid_data(first))
    html = client.get(page_url(response, first)).content.decode()
    assert checked(html, field_name(first.items[0])) == ["3"]
    # Another partner's page shares the questions, not the answers.
    html = client.get(page_url(response, second)).content.decode()
    assert checked(html, field_name(second.items[0])) == []


def test_starting_reads_the_round_only_with_the_link(client, survey_setup, settings):
    # The round and its questionnaire come with the link: starting does not read them again.
    settings.RATELIMIT_ENABLE = False
    link = survey_setup.org_link
    page = client.get(f"/s/{link.token}/").content.decode()
    key = re.search(r'name="start_key" value="([^"]+)"', page).group(1)
    with CaptureQueriesContext(connection) as queries:
        started = client.post(f"/s/{link.token}/", {"start_key": key})
    assert started.status_code == 302
    sql = statements(queries.captured_queries)
    assert not [q for q in sql if q.startswith('SELECT "surveys_survey"')]
    assert not [q for q in sql if q.startswith('SELECT "surveys_instrument"')]


def prepares(queries: list[dict]) -> int:
    return sum(q["sql"].startswith("PREPARE ") for q in queries)


@pytest.mark.django_db(transaction=True)
def test_the_resume_lookup_is_planned_once_per_connection_and_again_after_a_reconnect(
    client, survey_setup, settings
):
    settings.RATELIMIT_ENABLE = False
    response = start(client, survey_setup.personal_link)
    first, second = steps_for(response)[:2]
    connection.close()  # as CONN_MAX_AGE or a failed health check would
    # Showing a page: the lookup, and the page's saved answers (one kind of page).
    for expected in (2, 0):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(response, first)).status_code == 200
        assert prepares(queries.captured_queries) == expected
    # A page save: the lookup that locks the response, the delete and insert of the
    # page's ratings and the delete of its (empty) comment, each planned once.
    for expected in (4, 0):
        with CaptureQueriesContext(connection) as queries:
            saved = client.post(page_url(response, first), valid_data(first))
        assert saved.status_code == 302
        assert prepares(queries.captured_queries) == expected
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url(response, second)).status_code == 200
    assert prepares(queries.captured_queries) == 2


def test_the_prepared_lookup_builds_what_the_orm_would(client, survey_setup):
    from surveys.prepared import resume_candidates

    response = start(client, survey_setup.personal_link)
    [found] = resume_candidates(response.resume_token[:16], lock=False)
    orm = (
        Response.objects.select_related(
            "invitation", "survey__instrument", "organisation"
        )
        .annotate(partners_key=partners_fingerprint())
        .get(pk=response.pk)
    )
    pairs = [
        (found, orm),
        (found.survey, orm.survey),
        (found.survey.instrument, orm.survey.instrument),
        (found.organisation, orm.organisation),
        (found.invitation, orm.invitation),
    ]
    for built, expected in pairs:
        for field in type(expected)._meta.concrete_fields:
            assert getattr(built, field.attname) == getattr(expected, field.attname)
            assert type(getattr(built, field.attname)) is type(
                getattr(expected, field.attname)
            )
        assert built._state.adding is False
        assert built._state.db == "default"
    assert found.partners_key == orm.partners_key


def test_a_resume_token_right_only_in_its_first_characters_opens_nothing(
    client, survey_setup
):
    response = start(client, survey_setup.personal_link)
    token = response.resume_token
    wrong = token[:16] + ("A" if token[16] != "A" else "B") + token[17:]
    url = reverse("surveys:respondent_step", kwargs={"token": wrong, "step": "x"})
    assert client.get(url).status_code == 404
    assert client.get(page_url(response, steps_for(response)[0])).status_code == 200


def tables_read(sql: list[str]) -> list[str]:
    """Return the table each SELECT reads first, in order."""
    return [
        re.match(r'SELECT .*? FROM "(\w+)"', q).group(1)
        for q in sql
        if q.startswith("SELECT ")
    ]


def test_the_start_page_reads_the_partners_with_the_link_and_makes_its_session_in_one_write(
    client, survey_setup, settings
):
    # The link's lookup brings the members' fingerprint, so the page count needs no query
    # for them; a new session is written without first reading whether its key is taken.
    settings.RATELIMIT_ENABLE = False
    link = survey_setup.org_link
    client.get(f"/s/{link.token}/")  # the members, read once per process
    client.cookies.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/s/{link.token}/")
    assert page.status_code == 200
    sql = statements(queries.captured_queries)
    assert tables_read(sql) == ["surveys_invitation"]
    assert [q.split(" ")[0] for q in sql] == [
        "SELECT",
        "INSERT",
    ]  # the link; the session


def test_check_your_answers_reads_each_kind_of_answer_once(client, response):
    answer_all(client, response)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(check_url(response))
    assert page.status_code == 200
    sql = statements(queries.captured_queries)
    # The resume lookup, then the ratings, the points and the comments, each once.
    assert sql[0].startswith("EXECUTE ")
    assert tables_read(sql) == [
        "surveys_answer",
        "surveys_profileanswer",
        "surveys_comment",
    ]


def test_submitting_reads_the_answers_once_before_the_lock_and_once_under_it(
    client, response
):
    answer_all(client, response)
    page = client.get(check_url(response)).content.decode()
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    with CaptureQueriesContext(connection) as queries:
        submitted = client.post(check_url(response), {"digest": digest})
    assert submitted.status_code == 302
    sql = statements(queries.captured_queries)
    # The digest's ratings and points; the response and its round locked; the ratings
    # again under the lock (another tab may have saved a page). The questionnaire and the
    # partners are the lookup's, not read again.
    assert tables_read(sql) == [
        "surveys_answer",
        "surveys_profileanswer",
        "surveys_response",
        "surveys_answer",
    ]
    response.refresh_from_db()
    assert response.is_submitted


def test_the_confirmation_looks_up_the_resume_link_first(client, response):
    answer_all(client, response)
    page = client.get(check_url(response)).content.decode()
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    done = client.post(check_url(response), {"digest": digest})["Location"]
    with CaptureQueriesContext(connection) as queries:
        thanks = client.get(done)
    assert thanks.status_code == 200
    sql = statements(queries.captured_queries)
    assert sql[0].startswith("EXECUTE ")
    assert "surveys_invitation" not in tables_read(sql)


def test_the_lookup_leaves_the_questionnaires_translations_unread(client, survey_setup):
    from surveys.prepared import resume_candidates

    response = start(client, survey_setup.personal_link)
    [found] = resume_candidates(response.resume_token[:16], lock=False)
    assert {
        "translations",
        "source_titles",
    } <= found.survey.instrument.get_deferred_fields()
