"""What the privacy notice and the accessibility statement say, from this deployment's settings."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import checks

ICO_URL = "https://ico.org.uk/make-a-complaint/"
ICO_PHONE = "0303 123 1113"
EHRC_URL = "https://www.equalityadvisoryservice.com/"
ECNI_URL = "https://www.equalityni.org/Home"


@dataclass(frozen=True)
class PrivacyNotice:
    """Who holds respondents' data, why, for how long, and how to complain."""

    controller: str
    controller_address: str
    contact_email: str
    dpo_name: str
    dpo_email: str
    lawful_basis: str
    retention_days: int
    ico_url: str = ICO_URL
    ico_phone: str = ICO_PHONE

    @classmethod
    def from_settings(cls) -> "PrivacyNotice":
        """Return the notice this deployment's settings describe."""
        return cls(
            controller=settings.PRIVACY_CONTROLLER,
            controller_address=settings.PRIVACY_CONTROLLER_ADDRESS,
            contact_email=settings.SERVICE_CONTACT_EMAIL,
            dpo_name=settings.PRIVACY_DPO_NAME,
            dpo_email=settings.PRIVACY_DPO_EMAIL,
            lawful_basis=settings.PRIVACY_LAWFUL_BASIS,
            retention_days=settings.PERSONAL_DATA_RETENTION_DAYS,
        )

    @property
    def missing(self) -> list[str]:
        """Return the settings a live deployment must still fill in."""
        required = {
            "PRIVACY_CONTROLLER": self.controller,
            "SERVICE_CONTACT_EMAIL": self.contact_email,
            "PRIVACY_DPO_EMAIL": self.dpo_email,
            "PRIVACY_LAWFUL_BASIS": self.lawful_basis,
        }
        return [name for name, value in required.items() if not value.strip()]


@dataclass(frozen=True)
class KnownIssue:
    """Content that does not yet meet WCAG 2.2 AA, the criterion it fails and what to do."""

    summary: str
    criterion: str
    workaround: str


# What is known not to meet WCAG 2.2 AA in this release: reviewed with every release.
KNOWN_ISSUES = (
    KnownIssue(
        summary=(
            "Interactive charts on the results pages can be hard to read with a screen "
            "magnifier at 400% zoom, and their hover labels need a mouse or a touch."
        ),
        criterion="1.4.10 Reflow, 1.4.13 Content on hover or focus",
        workaround=(
            "Every chart has a text summary and a table of the same figures directly "
            "below it, which reflow and work with any assistive technology."
        ),
    ),
)


@dataclass(frozen=True)
class AccessibilityStatement:
    """The accessibility statement in the form of the GOV.UK sample statement."""

    operator: str
    contact_email: str
    contact_phone: str
    prepared_on: datetime.date
    reviewed_on: datetime.date
    known_issues: tuple[KnownIssue, ...]
    response_days: int = 5
    ehrc_url: str = EHRC_URL
    ecni_url: str = ECNI_URL

    @classmethod
    def from_settings(cls) -> "AccessibilityStatement":
        """Return the statement this deployment's settings describe."""
        return cls(
            operator=settings.SERVICE_OPERATOR or settings.PRIVACY_CONTROLLER,
            contact_email=settings.SERVICE_CONTACT_EMAIL,
            contact_phone=settings.SERVICE_CONTACT_PHONE,
            prepared_on=settings.ACCESSIBILITY_STATEMENT_PREPARED,
            reviewed_on=settings.ACCESSIBILITY_STATEMENT_REVIEWED,
            known_issues=KNOWN_ISSUES,
        )

    @property
    def compliance(self) -> str:
        """Return the compliance status the regulations ask for, from the known issues."""
        return "partially compliant" if self.known_issues else "fully compliant"


@checks.register(checks.Tags.security, deploy=True)
def check_privacy_notice(**kwargs: object) -> list[checks.CheckMessage]:
    """Refuse a live deployment whose privacy notice does not name who holds the data."""
    return [
        checks.Error(
            f"{name} is not set: the privacy notice on every survey's start page must "
            "name the controller, a contact, the data protection officer and the lawful "
            "basis (see .env.example).",
            id="surveys.E101",
        )
        for name in PrivacyNotice.from_settings().missing
    ]
