"""Sign-in (allauth's) and password (Django's) forms, laid out with the GOV.UK Design System."""

from collections.abc import Iterator
from typing import Any

from allauth.account.forms import LoginForm
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm
from crispy_forms_gds.layout import Field, Fluid
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _

from surveys.forms.partnerships import form_helper, submit_button
from surveys.forms.text import StorableTextMixin
from surveys.models import User

PASSWORD_WIDTH = Fluid.ONE_HALF


class SignInForm(StorableTextMixin, LoginForm):
    """Sign in with a username (usually an email address) and password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Username or email address")
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        login.error_messages["required"] = _("Enter your username or email address")
        password = self.fields["password"]
        password.label = _("Password")  # allauth's own words have no Welsh
        password.help_text = ""  # the page links to the reset form itself
        password.widget.attrs.pop("placeholder", None)
        password.error_messages["required"] = _("Enter your password")
        self.helper = form_helper(
            Field.text("login", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=PASSWORD_WIDTH),
            submit_button("sign_in", _("Sign in")),
        )


class PasswordResetRequestForm(StorableTextMixin, auth_forms.PasswordResetForm):
    """Ask for a reset link; also serves colleagues invited who never set a password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Email address")
        email.error_messages.update(
            {
                "required": _("Enter your email address"),
                "invalid": _(
                    "Enter an email address in the correct format, like "
                    "name@example.org"
                ),
            }
        )
        self.helper = form_helper(
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            submit_button("send", _("Send me a link")),
        )

    def get_users(self, email: str) -> Iterator[User]:
        """Return active users with this address, including invited ones with no password yet.

        Django skips users without a usable password; an invited colleague who lost their
        email would otherwise have no way in.
        """
        users = User.objects.filter(email__iexact=email, is_active=True)
        return (u for u in users if u.has_usable_password() or u.memberships.exists())

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = args[2] if len(args) > 2 else kwargs["context"]
        context["site_url"] = settings.SITE_URL  # links use the public address
        super().send_mail(*args, **kwargs)


def _password_fields(form: auth_forms.SetPasswordForm) -> None:
    form.fields["new_password1"].label = _("New password")
    form.fields["new_password2"].label = _("Confirm new password")
    form.fields["new_password1"].error_messages["required"] = _("Enter a new password")
    form.fields["new_password2"].error_messages["required"] = _(
        "Enter the new password again"
    )


class SetPasswordForm(StorableTextMixin, auth_forms.SetPasswordForm):
    """Choose a password from an emailed link."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _password_fields(self)
        self.helper = form_helper(
            Field.text("new_password1", field_width=PASSWORD_WIDTH),
            Field.text("new_password2", field_width=PASSWORD_WIDTH),
            submit_button("save", _("Save password")),
        )


class PasswordChangeForm(StorableTextMixin, auth_forms.PasswordChangeForm):
    """Change a password, knowing the current one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _password_fields(self)
        self.fields["old_password"].label = _("Current password")
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].error_messages["required"] = _(
            "Enter your current password"
        )
        self.helper = form_helper(
            Field.text("old_password", field_width=PASSWORD_WIDTH),
            Field.text("new_password1", field_width=PASSWORD_WIDTH),
            Field.text("new_password2", field_width=PASSWORD_WIDTH),
            submit_button("save", _("Change password")),
        )


# A TOTP code has 6 digits and a recovery code 8 characters; anything longer is not a code.
CODE_MAX_LENGTH = 20


def _code_field(form: Any, label: str) -> None:
    code = form.fields["code"]
    code.max_length = CODE_MAX_LENGTH
    code.validators.append(MaxLengthValidator(CODE_MAX_LENGTH))
    code.widget.attrs["maxlength"] = str(CODE_MAX_LENGTH)
    code.error_messages["max_length"] = _("Enter the code your app shows")
    code.label = label
    code.widget.attrs.pop("placeholder", None)  # GOV.UK fields have no placeholders
    code.widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})
    code.error_messages["required"] = _("Enter your security code")


class SecurityCodeForm(StorableTextMixin, AuthenticateForm):
    """The second step of signing in: a code from the app, or a recovery code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self, _("Code"))


class AuthenticatorSetUpForm(StorableTextMixin, ActivateTOTPForm):
    """Turn on an authenticator app by typing the first code it shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_field(self, _("Authenticator code"))
