"""The emails collab-survey sends: survey invitations, reminders, team invitations and
respondents' own resume links."""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from surveys.models import Invitation, Membership, Response

logger = logging.getLogger(__name__)

SURVEY_MINUTES = 15


def absolute_url(path: str) -> str:
    """Return a link for an email: the site's public address plus a path."""
    return settings.SITE_URL + path


def _message(
    *, subject: str, to: str, template: str, context: dict, reply_to: str = ""
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(
        render_to_string(f"emails/{template}.html", context), "text/html"
    )
    return message


def build_survey_email(
    *,
    invitation: Invitation,
    sender_name: str,
    sender_email: str = "",
    reminder: bool = False,
) -> EmailMultiAlternatives:
    """Build the invitation (or reminder) to answer the survey behind a personal link.

    Replies go to the lead who sent it, not to the no-reply sender address.
    """
    survey = invitation.survey
    partnership = survey.partnership
    closes = (
        dateformat.format(timezone.localtime(survey.closes_at), "j F Y")
        if survey.closes_at
        else ""
    )
    if reminder:
        subject = f"Reminder: {partnership.name} collaboration survey" + (
            f" closes on {closes}" if closes else ""
        )
    else:
        subject = f"{partnership.name}: how ready are we to work together?"
    context = {
        "invitation": invitation,
        "survey": survey,
        "partnership": partnership,
        "organisation": invitation.organisation,
        "sender_name": sender_name,
        "reminder": reminder,
        "link": absolute_url(invitation.get_absolute_url()),
        "minutes": SURVEY_MINUTES,
        "closes": closes,
        "threshold": survey.anonymity_threshold,
    }
    return _message(
        subject=subject,
        to=invitation.email,
        template="survey_invitation",
        context=context,
        reply_to=sender_email,
    )


def build_member_email(
    *, membership: Membership, inviter_name: str
) -> EmailMultiAlternatives:
    """Build the email giving a colleague their role, with a link to set a password."""
    user = membership.user
    if user.has_usable_password():
        link = absolute_url(reverse("login"))
    else:
        link = absolute_url(
            reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        )
    context = {
        "user": user,
        "partnership": membership.partnership,
        "role": membership.get_role_display(),
        "inviter_name": inviter_name,
        "link": link,
        "set_password": not user.has_usable_password(),
        "username": user.get_username(),
    }
    return _message(
        subject=f"You have been added to {membership.partnership.name}",
        to=user.email,
        template="member_invitation",
        context=context,
    )


def build_resume_email(*, response: Response, to: str) -> EmailMultiAlternatives:
    """Build the email of a respondent's private resume link, to an address they typed."""
    survey = response.survey
    closes = (
        dateformat.format(timezone.localtime(survey.closes_at), "j F Y")
        if survey.closes_at
        else ""
    )
    context = {
        "survey": survey,
        "partnership": survey.partnership,
        "organisation": response.organisation,
        "link": absolute_url(
            reverse("surveys:respondent_start", kwargs={"token": response.resume_token})
        ),
        "closes": closes,
    }
    return _message(
        subject=f"Your link to carry on the {survey.partnership.name} survey",
        to=to,
        template="resume_link",
        context=context,
    )


def send_resume_email(*, response: Response, to: str) -> bool:
    """Email a respondent their resume link now; return whether the mail server took it.

    Sent from the request, not the task queue: a queued task's arguments are stored in the
    database, and this address must never be. Nothing here logs or keeps it.
    """
    try:
        with mailers.default as mailer:
            mailer.send_messages([build_resume_email(response=response, to=to)])
    except (OSError, smtplib.SMTPException) as exc:
        # The exception text can name the address: log only what kind of failure it was.
        logger.warning("Resume link email not sent: %s", type(exc).__name__)
        return False
    return True
