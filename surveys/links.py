"""Organisation links for boards: a round's live links, their QR codes and a CSV list."""

import csv
import io
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from surveys.models import Invitation, Organisation, Survey

CSV_COLUMNS = ["organisation", "short_name", "sector", "link", "opens", "closes"]
# Medium error correction survives a smudged print or a projector's glare; a board link
# (about 70 characters) still fits a version 5 symbol that a phone reads from the back row.
QR_ERROR = "m"


@dataclass(frozen=True)
class OrganisationLink:
    """One member organisation and the address of its current organisation link."""

    organisation: Organisation
    url: str


def organisation_links(*, survey: Survey) -> list[OrganisationLink]:
    """Return each member organisation with its current link, by name (one query)."""
    token = (
        Invitation.objects.filter(
            survey=survey,
            organisation=OuterRef("pk"),
            kind=Invitation.Kind.ORGANISATION,
            revoked_at__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .values("token")[:1]
    )
    members = (
        survey.partnership.members.annotate(link_token=Subquery(token))
        .filter(link_token__isnull=False)
        .order_by("name")
    )
    return [
        OrganisationLink(
            organisation=org,
            url=settings.SITE_URL
            + reverse("surveys:respondent_start", kwargs={"token": org.link_token}),
        )
        for org in members
    ]


def qr_svg(*, url: str, label: str) -> SafeString:
    """Return a QR code of the address as inline SVG, named for screen readers."""
    svg = segno.make(url, error=QR_ERROR).svg_inline(
        scale=4, border=4, omitsize=True, svgclass="app-qr", title=label
    )
    # segno escapes the title; role=img makes the title the image's accessible name.
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # nosec B308 B703


def qr_svg_file(*, url: str, label: str) -> str:
    """Return a QR code of the address as a standalone SVG file (for slides)."""
    buffer = io.BytesIO()
    segno.make(url, error=QR_ERROR).save(
        buffer, kind="svg", scale=8, border=4, title=label
    )
    return buffer.getvalue().decode()


def qr_label(organisation: Organisation) -> str:
    """Return the text alternative of an organisation link's QR code."""
    return f"QR code of the survey link for {organisation.name}"


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def _cell(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (names are typed by leads)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def links_csv(*, survey: Survey, links: list[OrganisationLink]) -> str:
    """Return the round's organisation links as CSV text, with a BOM for Excel."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for link in links:
        org = link.organisation
        writer.writerow(
            [
                _cell(org.name),
                _cell(org.short_name),
                org.get_sector_display(),
                link.url,
                _day(survey.opens_at),
                _day(survey.closes_at),
            ]
        )
    return out.getvalue()


def links_filename(*, survey: Survey, extension: str) -> str:
    """Return a download name saying whose links these are: partnership, round."""
    name = "-".join(
        part
        for part in (slugify(survey.partnership.name)[:60], slugify(survey.title)[:60])
        if part
    )
    return f"{name or 'round'}-links.{extension}"
