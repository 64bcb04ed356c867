"""Every table of collab-survey: partnerships, instruments, survey rounds, links and answers."""

import secrets
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

LIKERT_MIN, LIKERT_MAX = 1, 5
MIN_ANONYMITY_THRESHOLD = 3
DEFAULT_ANONYMITY_THRESHOLD = 5
INVITEE_MESSAGE_MAX_LENGTH = 500
UNNAMED_SOURCE = "Unnamed source"
# The languages a round can offer its respondents (Django codes, settings.LANGUAGES).
SURVEY_LANGUAGES = {"en-gb": "English", "cy": "Cymraeg"}


def default_survey_languages() -> list[str]:
    """Return the languages a new round offers: English."""
    return ["en-gb"]


def new_token() -> str:
    """Return a 256-bit URL-safe random token for a survey link."""
    return secrets.token_urlsafe(32)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who signs in: an ICS lead, a consultant or an analyst (respondents never do)."""

    class Meta:
        db_table = "surveys_user"


class Sector(models.TextChoices):
    NHS_ACUTE = "nhs_acute", "NHS acute trust"
    NHS_COMMUNITY = "nhs_community", "NHS community or mental health trust"
    PRIMARY_CARE = "primary_care", "Primary care"
    ICB = "icb", "Integrated care board"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    VCSE = "vcse", "Voluntary, community and social enterprise"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


class Organisation(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40)
    sector = models.CharField(max_length=32, choices=Sector.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Names are unique within each partnership (PartnershipMember), not across the
            # service: one tenant's names must never stop, or reveal, another's.
            models.CheckConstraint(
                condition=Q(sector__in=Sector.values), name="organisation_sector_valid"
            ),
            # What PartnershipMember's copies of the names refer to (PostgreSQL), so that a
            # rename reaches them and a rename into a clash is refused.
            models.UniqueConstraint(
                fields=["id", "name", "short_name"], name="organisation_names_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Partnership(TimeStampedModel):
    class Kind(models.TextChoices):
        PLACE = "place", "Place partnership"
        PROVIDER_COLLABORATIVE = "provider_collaborative", "Provider collaborative"
        ICS = "ics", "Integrated care system"
        OTHER = "other", "Other partnership"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.PLACE)
    members = models.ManyToManyField(
        Organisation,
        related_name="partnerships",
        blank=True,
        through="PartnershipMember",
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            ("create_partnership", "Can create partnerships (and become their lead)")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "surveys:partnership_detail", kwargs={"public_id": self.public_id}
        )


class PartnershipMemberQuerySet(models.QuerySet["PartnershipMember"]):
    def add(
        self, *, partnership: Partnership, organisations: "list[Organisation]"
    ) -> "list[PartnershipMember]":
        """Make organisations members, copying the names the constraints compare."""
        return self.bulk_create(
            PartnershipMember(
                partnership=partnership,
                organisation=org,
                name=org.name,
                short_name=org.short_name,
            )
            for org in organisations
        )


class PartnershipMember(models.Model):
    """An organisation's place in one partnership.

    It holds copies of the organisation's names so that the database itself refuses two
    members of one partnership with the same name or short name (case aside); in
    PostgreSQL a composite foreign key (migration 0011) keeps the copies equal to the
    organisation's own names, renames included.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="member_rows"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="member_rows"
    )
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=40)

    objects = PartnershipMemberQuerySet.as_manager()

    class Meta:
        db_table = "surveys_partnership_members"  # the table the plain many-to-many had
        unique_together = [("partnership", "organisation")]
        constraints = [
            models.UniqueConstraint(
                "partnership", Lower("name"), name="uniq_member_name_ci"
            ),
            models.UniqueConstraint(
                "partnership", Lower("short_name"), name="uniq_member_short_name_ci"
            ),
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(short_name=""),
                name="member_names_copied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.partnership}"


class Membership(TimeStampedModel):
    """A user's role on one partnership."""

    class Role(models.TextChoices):
        LEAD = "lead", "ICS lead"
        CONSULTANT = "consultant", "Consultant"
        ANALYST = "analyst", "Analyst"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    # The name the inviting lead typed. The team sees this, never the account's own name:
    # inviting an address that already has an account (perhaps in another partnership)
    # must not show who it belongs to.
    invited_name = models.CharField(max_length=301, blank=True)
    # The address the inviting lead typed, shown to the team instead of the account's own
    # (the same address, matched case-insensitively, but perhaps written otherwise).
    invited_email = models.CharField(max_length=254, blank=True)
    # An existing account's membership waits for its owner to accept it (empty until then)
    # and grants nothing meanwhile; a new account's starts accepted, as the person accepts
    # by setting the password the invitation emailed them.
    accepted_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    # Who invited them, by the name their account gives (shown with the invitation).
    invited_by_name = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"], name="uniq_membership"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["lead", "consultant", "analyst"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.partnership}"

    @property
    def display_name(self) -> str:
        """Name the member as their team sees them: the name they were invited by, else the
        account's full name (members added before invited names were kept), address, login."""
        user = self.user
        return (
            self.invited_name
            or user.get_full_name()
            or user.email
            or user.get_username()
        )

    @property
    def is_pending(self) -> bool:
        """Say whether the invited person has yet to accept (and so has no access)."""
        return self.accepted_at is None

    @property
    def display_email(self) -> str:
        """Give the member's address as their team sees it: the one typed when inviting."""
        return self.invited_email or self.user.email


def english_only() -> list[str]:
    """Return the languages of an instrument with no translations."""
    return ["en"]


class Instrument(TimeStampedModel):
    """One immutable version of a questionnaire, loaded from a YAML file."""

    key = models.SlugField(max_length=64)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scale = models.JSONField(help_text="Scale labels, from 1 (lowest) to 5 (highest).")
    source_titles = models.JSONField(
        default=dict,
        blank=True,
        help_text="The human title of each cited source document, by file name.",
    )
    # Translations are presentation, like source titles: the English rows are the meaning.
    languages = models.JSONField(
        default=english_only,
        blank=True,
        help_text="The languages the questionnaire can be answered in (en always).",
    )
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text="Each other language's texts, by language and translation key.",
    )
    definition_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="uniq_instrument_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def cite(self, sources: Iterable[str]) -> list[str]:
        """Return the human titles of these source files, in the given order."""
        # Loading refuses a citation without a title, so the fallback only guards old rows:
        # a reader must never see a raw file name.
        return [self.source_titles.get(source, UNNAMED_SOURCE) for source in sources]

    def item_text_in(self, language: str, code: str) -> str:
        """Return an item's wording in a language other than English, or "" if it has none."""
        return (self.translations or {}).get(language, {}).get(f"item.{code}.text", "")


class Block(models.TextChoices):
    SELF = "self", "About your organisation"
    PARTNER = "partner", "About each partner"
    PROFILE = "profile", "Culture profile"


class Dimension(models.Model):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="dimensions"
    )
    key = models.SlugField(max_length=64)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    block = models.CharField(max_length=16, choices=Block.choices, default=Block.SELF)
    order = models.PositiveSmallIntegerField()
    sources = models.JSONField(default=list)

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "key"], name="uniq_dimension_key"
            ),
            models.UniqueConstraint(
                fields=["instrument", "order"], name="uniq_dimension_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    class Format(models.TextChoices):
        LIKERT = "likert", "Agreement, 1–5"
        FAMILIARITY = "familiarity", "How well you know a partner, 1–4"
        ALIGNMENT = "alignment", "Pulls away from / towards partnership, −2 to +2"
        POINTS = "points", "Points out of 100"

    class CultureType(models.TextChoices):
        HIERARCHIST = "H", "Hierarchist"
        INDIVIDUALIST = "I", "Individualist"
        EGALITARIAN = "E", "Egalitarian"
        FATALIST = "F", "Fatalist"

    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(max_length=16)
    text = models.TextField()
    reverse_scored = models.BooleanField(default=False)
    block = models.CharField(max_length=16, choices=Block.choices)
    response_format = models.CharField(
        max_length=16, choices=Format.choices, default=Format.LIKERT
    )
    # Culture-profile statements share a prompt and split 100 points between them.
    prompt = models.CharField(max_length=300, blank=True)
    culture_type = models.CharField(
        max_length=1, choices=CultureType.choices, blank=True
    )
    order = models.PositiveSmallIntegerField()
    sources = models.JSONField(default=list)

    class Meta:
        ordering = ["dimension__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "code"], name="uniq_item_code"
            ),
            models.UniqueConstraint(
                fields=["dimension", "order"], name="uniq_item_order"
            ),
            models.CheckConstraint(
                condition=Q(reverse_scored=False) | Q(response_format="likert"),
                name="item_only_likert_reversed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    @property
    def scale_max(self) -> int:
        return 4 if self.response_format == self.Format.FAMILIARITY else LIKERT_MAX


class SurveyQuerySet(models.QuerySet["Survey"]):
    def accepting_answers(self) -> "SurveyQuerySet":
        now = timezone.now()
        return self.filter(status=Survey.Status.OPEN).exclude(
            Q(opens_at__gt=now) | Q(closes_at__lte=now)
        )


class RespondentRole(models.TextChoices):
    """The kinds of post a lead can give an invitee: a short list, never free text.

    A typed role ("Chief Executive", an email address) would name one person in a
    respondent-level export; a kind of post names a group.
    """

    BOARD_MEMBER = "board_member", "Board member"
    EXECUTIVE = "executive", "Executive"
    NON_EXECUTIVE = "non_executive", "Non-executive"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    OTHER = "other", "Other"


ROLE_VALUES = ["", *RespondentRole.values]


class Survey(TimeStampedModel):
    """One round of the survey for a partnership."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class ReleaseRule(models.TextChoices):
        """When figures appear (MEASUREMENT §6.6): either way, two views never differ by < K."""

        AT_CLOSE = "at_close", "No figures until the round closes"
        GROUPS = "groups", "Provisional figures in whole groups of K"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="surveys"
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="surveys"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    anonymity_threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_ANONYMITY_THRESHOLD
    )
    release_rule = models.CharField(
        max_length=8, choices=ReleaseRule.choices, default=ReleaseRule.AT_CLOSE
    )
    # The moment the figures of an at-close round were first shown (its first close).
    # Kept, so that moving the closing date later or reopening never hides them again
    # only to show them later with a few more responses (surveys.selectors.counted_responses).
    results_released_at = models.DateTimeField(null=True, blank=True)
    # When invitees' email addresses were deleted (by a lead or the retention policy).
    personal_data_deleted_at = models.DateTimeField(null=True, blank=True)
    # Automatic reminders: this many days after each invitation was sent, e.g. [5, 10].
    reminder_days = models.JSONField(default=list, blank=True)
    # The lead's own words, shown as a quoted plain-text note in invitations and reminders.
    invitee_message = models.TextField(
        max_length=INVITEE_MESSAGE_MAX_LENGTH, blank=True
    )
    # The languages respondents may answer in (SURVEY_LANGUAGES keys), the first the default.
    languages = models.JSONField(default=default_survey_languages)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymity_threshold__gte=MIN_ANONYMITY_THRESHOLD),
                name="survey_anonymity_threshold_min",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]),
                name="survey_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(release_rule__in=["at_close", "groups"]),
                name="survey_release_rule_valid",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "surveys:round_detail",
            kwargs={
                "public_id": self.partnership.public_id,
                "round_id": self.public_id,
            },
        )

    def language_for(self, preferred: str) -> str:
        """Return the preferred language if this round offers it, else its first one."""
        return preferred if preferred in self.languages else self.languages[0]

    @property
    def language_choices(self) -> list[tuple[str, str]]:
        """Return (code, name) for each language this round offers, in its order."""
        return [(code, SURVEY_LANGUAGES[code]) for code in self.languages]

    def is_accepting_answers(self, *, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or self.closes_at > now)
        )

    def has_closed(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.CLOSED or (
            self.closes_at is not None and self.closes_at <= now
        )

    def release_moment(self, *, now=None, closing: bool = False):
        """Return when an at-close round's figures came out (or, `closing` now, would)."""
        if self.results_released_at is not None:
            return self.results_released_at
        if self.status == self.Status.DRAFT:
            return (
                None  # a draft past its closing date never opened: nothing to release
            )
        now = now or timezone.now()
        if self.has_closed(now=now):
            # A stored moment, never "now": the figures must not move as the clock does.
            return self.closes_at or self.updated_at
        return now if closing else None

    @property
    def results_released(self) -> bool:
        """Whether the round shows any figures yet (an at-close round, once it closed)."""
        return (
            self.release_rule == self.ReleaseRule.GROUPS
            or self.release_moment() is not None
        )

    @property
    def provisional_in_groups(self) -> bool:
        return self.release_rule == self.ReleaseRule.GROUPS


class Invitation(TimeStampedModel):
    """A survey link: personal (one person, one response) or organisation (many responses)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "Personal"
        ORGANISATION = "organisation", "Organisation"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False
    )
    # NULL, not "", means "no address" (organisation links, erased personal data), so the
    # per-survey uniqueness constraint below ignores those rows.
    email = models.EmailField(null=True, blank=True)  # noqa: DJ001
    role = models.CharField(max_length=16, choices=RespondentRole.choices, blank=True)
    # The Django language code the invitee's emails are written in (settings.LANGUAGES).
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # When a lead last asked for a reminder to this link; reminded_at is set only once the
    # worker has sent it. A second request before then reaches nobody and counts nothing.
    reminder_requested_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    # The mail server refused the address when we last emailed it (cleared by a success).
    bounced_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["personal", "organisation"]),
                name="invitation_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="personal") | Q(email__isnull=True),
                name="invitation_org_link_has_no_email",
            ),
            models.CheckConstraint(
                condition=Q(role__in=ROLE_VALUES), name="invitation_role_valid"
            ),
            models.UniqueConstraint(
                Lower("email"),
                "survey",
                condition=Q(email__isnull=False),
                name="uniq_invitation_email_per_survey",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} link for {self.organisation}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:respondent_start", kwargs={"token": self.token})

    @property
    def is_personal(self) -> bool:
        return self.kind == self.Kind.PERSONAL


class Eligibility(TimeStampedModel):
    """How many people an organisation asked to answer a round: its N (MEASUREMENT §6.5).

    No row means "as many as its personal invitations"; a row with no number means the
    lead has said it is not known.
    """

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="eligibility"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="eligibility"
    )
    eligible = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "eligibility"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "organisation"], name="uniq_eligibility_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.eligible if self.eligible is not None else 'unknown'}"


class ResponseQuerySet(models.QuerySet["Response"]):
    def submitted(self) -> "ResponseQuerySet":
        return self.filter(submitted_at__isnull=False)

    def in_progress(self) -> "ResponseQuerySet":
        return self.filter(submitted_at__isnull=True)


PERSONAL_START_KEY = "personal"


class Response(TimeStampedModel):
    """One respondent's set of answers to one survey round."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="responses"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.PROTECT, related_name="responses"
    )
    # A personal link always starts with PERSONAL_START_KEY, so the unique constraint below
    # makes "one response per personal link" a database fact; organisation links use a
    # per-visitor random key, which also makes a double-clicked "Start" idempotent.
    start_key = models.CharField(max_length=64)
    resume_token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False
    )
    # Copied from the invitation; exported only where K or more share it (reports.exports).
    role = models.CharField(max_length=16, choices=RespondentRole.choices, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "start_key"], name="uniq_response_per_start"
            ),
            models.CheckConstraint(
                condition=Q(role__in=ROLE_VALUES), name="response_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(submitted_at__gte=models.F("started_at")),
                name="response_submitted_after_start",
            ),
        ]
        indexes = [models.Index(fields=["survey", "organisation", "submitted_at"])]

    def __str__(self) -> str:
        return f"Response {self.public_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


def retired_link_digest(token: str) -> str:
    """Return the keyed hash a cut resume link is remembered by (never the link itself)."""
    return salted_hmac("surveys.RetiredLink", token, algorithm="sha256").hexdigest()


class RetiredLink(models.Model):
    """A link cut by withdrawing or correcting its invitation, by deleting the round's
    personal data or by erasing an invitee (invitation and resume links), as a keyed hash.

    The unknown-link lockout counts only links never issued; a cut link opens nothing (no
    row holds it any more), but someone opening an old email is not guessing. Only the
    digest is kept, so the table leads to no response and can open nothing.
    """

    digest = models.CharField(max_length=64, unique=True)
    # Deleted with its round.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Retired link of {self.survey_id}"


class AnswerQuerySet(models.QuerySet["Answer"]):
    def submitted(self) -> "AnswerQuerySet":
        return self.filter(response__submitted_at__isnull=False)


class Answer(models.Model):
    """One rating; NULL value means "Don't know"."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    subject_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.SmallIntegerField(null=True, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True)
                | Q(value__gte=LIKERT_MIN, value__lte=LIKERT_MAX),
                name="answer_value_in_scale",
            ),
            # Two partial indexes, because NULL subjects are distinct in a plain one.
            models.UniqueConstraint(
                fields=["response", "item"],
                condition=Q(subject_organisation__isnull=True),
                name="uniq_answer_self",
            ),
            models.UniqueConstraint(
                fields=["response", "item", "subject_organisation"],
                condition=Q(subject_organisation__isnull=False),
                name="uniq_answer_partner",
            ),
        ]
        indexes = [
            # The reports read every answer of a round's responses: with the answer's own
            # columns in the index that is an index-only scan, not one random heap read per
            # answer (EXPLAIN ANALYZE in bench/RESULTS.md).
            models.Index(
                fields=["response"],
                include=["item", "subject_organisation", "value"],
                name="answer_response_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} = {self.value if self.value is not None else 'DK'}"


class ProfileAnswer(models.Model):
    """Points (out of 100 per prompt) a respondent gives one culture-profile statement."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="profile_answers"
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="profile_answers"
    )
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=0, points__lte=100), name="profile_points_range"
            ),
            models.UniqueConstraint(
                fields=["response", "item"], name="uniq_profile_answer"
            ),
        ]
        indexes = [
            models.Index(
                fields=["response"],
                include=["item", "points"],
                name="profile_response_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} = {self.points}"


class Comment(models.Model):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="comments"
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="comments"
    )
    text = models.TextField(max_length=2000)
    # The language of the page it was written on. A comment in the language few of an
    # organisation's people use would point at them, so comments count towards K within
    # their own language (reports.data.load_comments). Never exported.
    # db_default as well: the benchmark generator writes comments with COPY.
    language = models.CharField(max_length=16, default="en-gb", db_default="en-gb")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "dimension"], name="uniq_comment"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="comment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Comment on {self.dimension}"


class AuditAction(models.TextChoices):
    """What an audit event records."""

    PARTNERSHIP_CREATED = "partnership_created", "Created the partnership"
    PARTNERSHIP_UPDATED = "partnership_updated", "Changed the partnership details"
    ORGANISATION_ADDED = "organisation_added", "Added an organisation"
    ORGANISATION_REMOVED = "organisation_removed", "Removed an organisation"
    MEMBER_INVITED = "member_invited", "Invited a colleague"
    MEMBER_ROLE_CHANGED = "member_role_changed", "Changed a colleague’s role"
    MEMBER_REMOVED = "member_removed", "Removed a colleague from the team"
    MEMBER_ACCEPTED = "member_accepted", "Accepted an invitation to the team"
    MEMBER_DECLINED = "member_declined", "Declined an invitation to the team"
    ROUND_CREATED = "round_created", "Created the round"
    ROUND_OPENED = "round_opened", "Opened the round"
    ROUND_CLOSED = "round_closed", "Closed the round"
    ROUND_EXTENDED = "round_extended", "Extended the round"
    ROUND_REOPENED = "round_reopened", "Reopened the round"
    LINK_REGENERATED = "link_regenerated", "Replaced an organisation link"
    INVITATIONS_IMPORTED = "invitations_imported", "Imported personal invitations"
    INVITATIONS_SENT = "invitations_sent", "Sent invitations"
    REMINDERS_SENT = "reminders_sent", "Sent reminders"
    PERSONAL_DATA_DELETED = "personal_data_deleted", "Deleted personal data"
    INVITEE_ERASED = "invitee_erased", "Erased an invitee"
    ELIGIBLE_RECORDED = "eligible_recorded", "Recorded how many people were asked"
    INVITEE_CORRECTED = "invitee_corrected", "Corrected an invitee’s email address"
    INVITEE_WITHDRAWN = "invitee_withdrawn", "Withdrew an invitation"
    INVITATION_RESENT = "invitation_resent", "Resent an invitation"
    INVITEE_MESSAGE_CHANGED = (
        "invitee_message_changed",
        "Changed the message to invitees",
    )
    INVITEE_LANGUAGE_CHANGED = (
        "invitee_language_changed",
        "Changed the language of an invitee’s emails",
    )


class AuditEvent(models.Model):
    """Who did what to a partnership or one of its rounds, and when; never edited."""

    Action = AuditAction

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="audit_events"
    )
    survey = models.ForeignKey(
        Survey,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_events",
    )
    # SET_NULL: the trail outlives the account; actor_name keeps who it was.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["partnership", "-created_at"], name="audit_partnership_recent"
            ),
            models.Index(fields=["survey", "-created_at"], name="audit_survey_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values),
                name="audit_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name or 'Someone'}: {self.summary}"

    @property
    def summary_without_counts(self) -> str:
        """Describe the event without counting people (a reminder count is a count of
        people who have not answered yet)."""
        a = self.Action
        match self.action:
            case a.INVITATIONS_IMPORTED:
                return "Imported people to invite"
            case a.INVITATIONS_SENT:
                return "Sent invitations"
            case a.REMINDERS_SENT:
                return "Sent reminders"
            case a.PERSONAL_DATA_DELETED:
                why = (
                    " (retention period)"
                    if (self.detail or {}).get("automatic")
                    else ""
                )
                return f"Deleted invitees’ email addresses{why}"
        return self.summary

    @property
    def summary(self) -> str:
        """Describe the event in one sentence, with its counts and names."""
        d = self.detail or {}
        a = self.Action
        match self.action:
            case a.ORGANISATION_ADDED | a.ORGANISATION_REMOVED | a.LINK_REGENERATED:
                return f"{self.get_action_display()}: {d.get('organisation', '')}"
            case a.MEMBER_INVITED:
                return f"Invited {d.get('email', '')} as {d.get('role', '')}"
            case a.MEMBER_ROLE_CHANGED:
                return (
                    f"Changed {d.get('member', '')}’s role from {d.get('from', '')} "
                    f"to {d.get('to', '')}"
                )
            case a.MEMBER_REMOVED:
                return (
                    f"Removed {d.get('member', '')} ({d.get('role', '')}) from the team"
                )
            case a.MEMBER_ACCEPTED:
                return (
                    f"{d.get('member', '')} accepted the invitation to join as "
                    f"{d.get('role', '')}"
                )
            case a.MEMBER_DECLINED:
                return f"{d.get('member', '')} declined the invitation to join the team"
            case a.ROUND_CREATED | a.ROUND_OPENED | a.ROUND_CLOSED:
                return f"{self.get_action_display()} ‘{d.get('round', '')}’"
            case a.ROUND_EXTENDED | a.ROUND_REOPENED:
                until = d.get("closes", "")
                return f"{self.get_action_display()} ‘{d.get('round', '')}’" + (
                    f" until {until}" if until else ""
                )
            case a.INVITATIONS_IMPORTED:
                skipped = d.get("skipped", 0)
                text = f"Imported {_people(d.get('created', 0))}"
                return text + (f" ({skipped} duplicates skipped)" if skipped else "")
            case a.INVITATIONS_SENT:
                return f"Sent invitations to {_people(d.get('count', 0))}"
            case a.REMINDERS_SENT:
                return f"Sent reminders to {_people(d.get('count', 0))}"
            case a.PERSONAL_DATA_DELETED:
                why = " (retention period)" if d.get("automatic") else ""
                return (
                    f"Deleted the email addresses of {_people(d.get('count', 0))}{why}"
                )
            case a.INVITEE_ERASED:
                return "Erased an invitee’s email address at their request"
            case a.INVITEE_CORRECTED | a.INVITEE_WITHDRAWN | a.INVITATION_RESENT:
                return f"{self.get_action_display()} at {d.get('organisation', '')}"
            case a.INVITEE_LANGUAGE_CHANGED:
                return (
                    f"Changed the language of an invitee’s emails at "
                    f"{d.get('organisation', '')} from {d.get('from', '')} "
                    f"to {d.get('to', '')}"
                )
            case a.ELIGIBLE_RECORDED:
                eligible = d.get("eligible")
                asked = "not known" if eligible is None else _people(eligible)
                return f"Recorded people asked at {d.get('organisation', '')}: {asked}"
        return self.get_action_display()


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


class WorkerHeartbeat(models.Model):
    """When a task worker last said it was alive: a task it holds is its lease (surveys.worker)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} at {self.beat_at:%H:%M:%S}"


class CacheEntry(models.Model):
    """A row of the database cache that holds rate-limit counters, shared by every worker.

    The layout is Django's DatabaseCache table (what `createcachetable` makes), declared as a
    model so that `migrate` creates it everywhere.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "surveys_cache"

    def __str__(self) -> str:
        return self.cache_key


MAX_FOCUS_AREAS = 5
MIN_FOCUS_AREAS = 2


class FocusAreaQuerySet(models.QuerySet["FocusArea"]):
    def for_scope(
        self, *, pair: tuple[Organisation | int, Organisation | int] | None = None
    ) -> "FocusAreaQuerySet":
        """Keep the partnership's own focus areas, or one pair's (in either order)."""
        if pair is None:
            return self.filter(organisation_a__isnull=True)
        low, high = sorted(getattr(o, "pk", o) for o in pair)
        return self.filter(organisation_a_id=low, organisation_b_id=high)


class FocusArea(TimeStampedModel):
    """An action a partnership (or one pair of its partners) agreed to work on after a round.

    A pair is stored with the lower organisation key first, so that both pair pages
    (A and B, B and A) share one list; neither organisation means the whole partnership.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="focus_areas"
    )
    organisation_a = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation_b = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="focus_areas"
    )
    finding = models.TextField(max_length=1000)
    action = models.TextField(max_length=1000)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="owned_focus_areas"
    )
    due_date = models.DateField()
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FocusAreaQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "created_at"]
        indexes = [
            models.Index(
                fields=["survey", "organisation_a", "organisation_b"],
                name="focus_area_scope",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation_a__isnull=True, organisation_b__isnull=True)
                | Q(
                    organisation_a__isnull=False,
                    organisation_b__isnull=False,
                    organisation_a__lt=models.F("organisation_b"),
                ),
                name="focus_area_partnership_or_ordered_pair",
            ),
            models.CheckConstraint(
                condition=~Q(finding=""), name="focus_area_finding_not_empty"
            ),
            models.CheckConstraint(
                condition=~Q(action=""), name="focus_area_action_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.action[:60]}"

    def get_absolute_url(self) -> str:
        """Return the dashboard page the focus area belongs to."""
        if self.organisation_a_id is None:
            return reverse(
                "reports:survey_overview", kwargs={"survey_id": self.survey.public_id}
            )
        return reverse(
            "reports:pair_detail",
            kwargs={
                "survey_id": self.survey.public_id,
                "a_id": self.organisation_a.public_id,
                "b_id": self.organisation_b.public_id,
            },
        )

    @property
    def is_pair(self) -> bool:
        return self.organisation_a_id is not None
