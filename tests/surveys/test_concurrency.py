"""Two requests at once never make two responses or two submissions."""

import threading

import pytest
from django.db import connection

from surveys.models import Response
from surveys.services.responses import start_response, submit_response
from tests.surveys.test_respondent import answer_all, start

pytestmark = pytest.mark.django_db(transaction=True)


def run_twice_at_once(target) -> list[object]:
    barrier = threading.Barrier(2)
    results: list[object] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_concurrent_starts_of_a_personal_link_make_one_response(survey_setup):
    link = survey_setup.personal_link
    results = run_twice_at_once(
        lambda: start_response(invitation=link, start_key="ignored")
    )
    assert all(isinstance(r, Response) for r in results), results
    assert results[0].pk == results[1].pk
    assert Response.objects.filter(invitation=link).count() == 1


def test_two_concurrent_submissions_submit_once(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    answer_all(client, response)
    results = run_twice_at_once(lambda: submit_response(response=response))
    assert all(isinstance(r, Response) for r in results), results
    assert results[0].submitted_at == results[1].submitted_at
    assert Response.objects.submitted().count() == 1
