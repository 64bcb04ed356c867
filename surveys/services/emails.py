"""The emails collab-survey sends: survey invitations, reminders and team invitations.

Everything a customer typed (a partnership's or organisation's name, a person's name, the
lead's note to invitees) reaches the email as quoted data on a labelled line, never as the
service's own words: the subject is fixed wording, web addresses and domains in that text are
broken up so that no mail client turns them into links, and control characters are dropped.
Otherwise a partnership named "URGENT: re-verify your mailbox at https://…" would be a phishing
email sent from the service's own address with a real password link in it.

Emails to an invitee (invitations, reminders, resume links) are written in the invitee's
language (`Invitation.language`), whatever language the request or worker has active;
team invitations and password resets follow the language active when they are sent.
"""

import logging
import re
import smtplib
import unicodedata

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import get_language, gettext_lazy, override, pgettext_lazy

from surveys.journey import minutes_for_invitation
from surveys.languages import privacy_url
from surveys.models import Invitation, Membership, Response, Survey

logger = logging.getLogger(__name__)

INVITATION_SUBJECT = gettext_lazy("Collaboration survey: your personal link")
REMINDER_SUBJECT = gettext_lazy("Reminder: collaboration survey")
# A whole sentence, not the subject above plus a clause: Welsh orders it differently.
REMINDER_CLOSING_SUBJECT = pgettext_lazy(
    "email subject", "Reminder: collaboration survey closes on %(date)s"
)
MEMBER_SUBJECT = gettext_lazy("You have been given a role on Collaboration readiness")
MEMBER_INVITED_SUBJECT = gettext_lazy(
    "You have been invited to a partnership on Collaboration readiness"
)
RESUME_SUBJECT = gettext_lazy("Collaboration survey: your link to carry on")

# "https:", "www." and anything shaped like a domain ("evil.example", "a.b.co.uk").
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,20}):(?=//|[^\s]*@)")
_WWW = re.compile(r"(?i)\bwww\.")
_DOMAIN = re.compile(r"\b(?:[\w-]+\.)+[^\W\d_][\w-]*")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
# Characters that mail clients and browsers may read as a dot or a colon in an address
# (IDNA treats the ideographic and full-width stops as dots). NFKC folds the full-width
# colon, the one-dot leader and the like; these are what it leaves alone.
_LOOKALIKES = str.maketrans({"\u3002": ".", "\uff61": ".", "\ua789": ":"})


def _without_controls(text: str, *, keep_newlines: bool) -> str:
    """Drop control and format characters (bidi overrides, zero-width joiners)."""
    kept = []
    for char in text:
        if keep_newlines and char == "\n":
            kept.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            kept.append(" ")
        else:
            kept.append(char)
    return "".join(kept)


def _defang(text: str) -> str:
    """Break up web addresses so that mail clients show them as text, never as links."""
    text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKES)
    text = _IPV4.sub(lambda m: m.group(0).replace(".", "[.]"), text)
    text = _SCHEME.sub(r"\1[:]", text)
    text = _WWW.sub("www[.]", text)
    return _DOMAIN.sub(lambda m: m.group(0).replace(".", "[.]"), text)


def quoted_name(name: str) -> str:
    """Return a customer-typed name as one line of inert text for an email."""
    one_line = " ".join(_without_controls(name, keep_newlines=False).split())
    return _defang(one_line)


def quoted_message(message: str) -> str:
    """Return the lead's note to invitees as inert plain text (its line breaks kept)."""
    lines = _without_controls(message.replace("\r\n", "\n"), keep_newlines=True)
    kept = [" ".join(line.split()) for line in lines.split("\n")]
    return _defang("\n".join(kept).strip())


def absolute_url(path: str) -> str:
    """Return a link for an email: the site's public address plus a path."""
    return settings.SITE_URL + path


def _message(
    *, subject: str, to: str, template: str, context: dict, reply_to: str = ""
) -> EmailMultiAlternatives:
    """Render both parts in the language active now (the caller chooses it)."""
    message = EmailMultiAlternatives(
        subject=str(subject),
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else None,
    )
    message.attach_alternative(
        render_to_string(f"emails/{template}.html", context), "text/html"
    )
    # Mail clients and screen readers read the message in its own language.
    message.extra_headers["Content-Language"] = get_language()
    return message


def _closing_date(survey: Survey) -> str:
    if not survey.closes_at:
        return ""
    return dateformat.format(timezone.localtime(survey.closes_at), "j F Y")


def survey_email_context(
    *,
    invitation: Invitation,
    sender_name: str,
    reminder: bool,
    message: str | None = None,
    can_reply: bool = True,
) -> dict:
    """Return what the invitation (or reminder) email shows, every typed name quoted."""
    survey = invitation.survey
    note = survey.invitee_message if message is None else message
    return {
        "partnership_name": quoted_name(survey.partnership.name),
        "organisation_name": quoted_name(invitation.organisation.name),
        "sender_name": quoted_name(sender_name),
        "note": quoted_message(note),
        "reminder": reminder,
        "link": absolute_url(invitation.get_absolute_url()),
        # As the start page says: more partners to rate, more minutes.
        "minutes": minutes_for_invitation(invitation),
        "closes": _closing_date(survey),
        "threshold": survey.anonymity_threshold,
        "can_reply": can_reply,
        "privacy_link": absolute_url(privacy_url(get_language())),
    }


def build_survey_email(
    *,
    invitation: Invitation,
    sender_name: str,
    sender_email: str = "",
    reminder: bool = False,
) -> EmailMultiAlternatives:
    """Build the invitation (or reminder) to answer the survey behind a personal link.

    Written in the invitee's language. Replies go to the lead who sent it, not to the
    no-reply sender address.
    """
    with override(invitation.language):
        context = survey_email_context(
            invitation=invitation,
            sender_name=sender_name,
            reminder=reminder,
            can_reply=bool(sender_email),
        )
        if not reminder:
            subject = INVITATION_SUBJECT
        elif context["closes"]:
            subject = REMINDER_CLOSING_SUBJECT % {"date": context["closes"]}
        else:
            subject = REMINDER_SUBJECT
        return _message(
            subject=subject,
            to=invitation.email,
            template="survey_invitation",
            context=context,
            reply_to=sender_email,
        )


def preview_survey_email(
    *, invitation: Invitation, sender_name: str, message: str, reminder: bool = False
) -> str:
    """Return the plain-text invitation as it would go out with this note.

    In the invitation's language. Plain text, not HTML: a page showing it must escape it
    (render_to_string marks its result safe, and the text template does not escape).
    """
    with override(invitation.language):
        context = survey_email_context(
            invitation=invitation,
            sender_name=sender_name,
            reminder=reminder,
            message=message,
        )
        return render_to_string("emails/survey_invitation.txt", context)


def build_member_email(
    *, membership: Membership, inviter_name: str
) -> EmailMultiAlternatives:
    """Build the email giving a colleague their role, with a link to set a password.

    In the language active now: the task that sends it switches to the inviter's.
    """
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
        "partnership_name": quoted_name(membership.partnership.name),
        "role": membership.get_role_display(),
        "inviter_name": quoted_name(inviter_name),
        "link": link,
        "set_password": not user.has_usable_password(),
        "username": user.get_username(),
        # An existing account is asked, not given the role (surveys.services.partnerships).
        "pending": membership.is_pending,
    }
    return _message(
        subject=MEMBER_INVITED_SUBJECT if membership.is_pending else MEMBER_SUBJECT,
        to=user.email,
        template="member_invitation",
        context=context,
    )


def build_resume_email(*, response: Response, to: str) -> EmailMultiAlternatives:
    """Build the email of a respondent's private resume link, to an address they typed.

    In the invitee's language when they answer through a personal link; through an
    organisation link (nobody's in particular), in the language of the page they are on.
    """
    survey = response.survey
    invitation = response.invitation
    language = invitation.language if invitation.is_personal else get_language()
    with override(language):
        context = {
            "partnership_name": quoted_name(survey.partnership.name),
            "organisation_name": quoted_name(response.organisation.name),
            "link": absolute_url(
                reverse(
                    "surveys:respondent_start", kwargs={"token": response.resume_token}
                )
            ),
            "closes": _closing_date(survey),
        }
        return _message(
            subject=RESUME_SUBJECT, to=to, template="resume_link", context=context
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
