"""Erase one invitee's email address from every round (or one), at their request."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from surveys.models import Survey, User
from surveys.services.data_protection import erase_invitee


class Command(BaseCommand):
    help = (
        "Erase an invitee's email address from every survey round (or only --survey), for a "
        "data-protection request. Their survey links stop working. Answers they already "
        "submitted are kept: with the address gone and the link cut, nothing ties them to the "
        "person, and they are already part of reported figures. Recorded in each round's "
        "audit trail without the address. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The address to erase (any capitalisation).")
        parser.add_argument(
            "--survey",
            metavar="ROUND_ID",
            help="Only this round (its id, as in the round page's address).",
        )

    def handle(self, *args, email: str, survey: str | None, **options) -> None:
        try:
            validate_email(email.strip())
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        round_ = None
        if survey is not None:
            try:
                round_ = Survey.objects.get(public_id=survey)
            except (Survey.DoesNotExist, ValidationError) as exc:
                raise CommandError(f"No survey round has the id {survey!r}.") from exc
        erasure = erase_invitee(email=email, survey=round_)
        if not erasure.invitations:
            self.stdout.write("No invitation holds that address: nothing to erase.")
        for title in erasure.rounds:
            self.stdout.write(
                f"Erased from ‘{title}’; its survey link no longer works."
            )
        if erasure.invitations:
            self.stdout.write(
                f"Done: {erasure.invitations} invitation(s) in {len(erasure.rounds)} "
                "round(s). Submitted answers are kept, anonymous."
            )
        if User.objects.filter(email__iexact=email.strip()).exists():
            self.stdout.write(
                "Note: a team account (lead, consultant or analyst) uses this address. "
                "This command does not touch accounts; delete or change it in the admin."
            )
