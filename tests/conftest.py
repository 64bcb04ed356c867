"""Shared fixtures: the default instrument, a small open survey and its links."""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from surveys.instrument_schema import read_instrument
from surveys.models import Instrument, Invitation, Organisation, Sector, Survey
from surveys.services.instruments import load_instrument
from tests.factories import (
    InvitationFactory,
    OrganisationFactory,
    PartnershipFactory,
    SurveyFactory,
)

# Property-based tests (tests/security/test_hostile_*): `make test` and CI use the same
# examples every run and no example database (profile ci); HYPOTHESIS_PROFILE=dev varies them
# and keeps failures in .hypothesis/ for a deeper local search.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("dev")
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

DEFAULT_INSTRUMENT = (
    Path(settings.BASE_DIR) / "surveys/instruments/collaboration_readiness_v1.yaml"
)


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not run collectstatic, so resolve static files through the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _english_to_start_with() -> None:
    """Start every test in English: a request in Welsh leaves its thread in Welsh."""
    translation.activate(settings.LANGUAGE_CODE)


def load_default_instrument() -> Instrument:
    spec, text = read_instrument(DEFAULT_INSTRUMENT)
    return load_instrument(spec=spec, source_text=text).instrument


@pytest.fixture
def instrument(db) -> Instrument:
    return load_default_instrument()


@dataclass
class SurveySetup:
    survey: Survey
    home: Organisation
    partners: list[Organisation]
    org_link: Invitation
    personal_link: Invitation


def build_survey_setup(instrument: Instrument) -> SurveySetup:
    """Create an open round of three organisations with an organisation and a personal link."""
    home = OrganisationFactory(
        name="Northshire Council", short_name="NC", sector=Sector.LOCAL_AUTHORITY
    )
    partners = [
        OrganisationFactory(
            name="Northshire Hospitals", short_name="NH", sector=Sector.NHS_ACUTE
        ),
        OrganisationFactory(
            name="Northshire Voluntary Action", short_name="NVA", sector=Sector.VCSE
        ),
    ]
    partnership = PartnershipFactory(members=[home, *partners])
    survey = SurveyFactory(partnership=partnership, instrument=instrument)
    return SurveySetup(
        survey=survey,
        home=home,
        partners=partners,
        org_link=InvitationFactory(
            survey=survey,
            organisation=home,
            kind=Invitation.Kind.ORGANISATION,
            email=None,
        ),
        personal_link=InvitationFactory(
            survey=survey, organisation=home, role="board_member"
        ),
    )


@pytest.fixture
def survey_setup(instrument: Instrument) -> SurveySetup:
    return build_survey_setup(instrument)
