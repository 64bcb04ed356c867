"""Sign-in (allauth's) and password (Django's) forms, laid out with the GOV.UK Design System."""

from collections.abc import Iterator
from typing import Any

from allauth.account.forms import LoginForm
from crispy_forms_gds.layout import Field, Fluid
from django.conf import settings
from django.contrib.auth import forms as auth_forms

from surveys.forms.partnerships import form_helper, submit_button
from surveys.forms.text import StorableTextMixin
from surveys.models import User

PASSWORD_WIDTH = Fluid.ONE_HALF


class SignInForm(StorableTextMixin, LoginForm):
    """Sign in with a username (usually an email address) and password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Username or email address"
        login.widget.attrs.pop("placeholder", None)
        login.widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        login.error_messages["required"] = "Enter your username or email address"
        password = self.fields["password"]
        password.help_text = ""  # the page links to the reset form itself
        password.widget.attrs.pop("placeholder", None)
        password.error_messages["required"] = "Enter your password"
        self.helper = form_helper(
            Field.text("login", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=PASSWORD_WIDTH),
            submit_button("sign_in", "Sign in"),
        )


class PasswordResetRequestForm(StorableTextMixin, auth_forms.PasswordResetForm):
    """Ask for a reset link; also serves colleagues invited who never set a password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
            }
        )
        self.helper = form_helper(
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            submit_button("send", "Send me a link"),
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
    form.fields["new_password1"].label = "New password"
    form.fields["new_password2"].label = "Confirm new password"
    form.fields["new_password1"].error_messages["required"] = "Enter a new password"
    form.fields["new_password2"].error_messages["required"] = (
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
            submit_button("save", "Save password"),
        )


class PasswordChangeForm(StorableTextMixin, auth_forms.PasswordChangeForm):
    """Change a password, knowing the current one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _password_fields(self)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].error_messages["required"] = (
            "Enter your current password"
        )
        self.helper = form_helper(
            Field.text("old_password", field_width=PASSWORD_WIDTH),
            Field.text("new_password1", field_width=PASSWORD_WIDTH),
            Field.text("new_password2", field_width=PASSWORD_WIDTH),
            submit_button("save", "Change password"),
        )
