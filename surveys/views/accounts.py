"""Sign-in, sign-out and passwords: allauth's sign-in (for MFA and single sign-on), Django's
password views, with our forms and templates."""

from allauth.account import views as allauth_views
from allauth.mfa.base import views as mfa_views
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse_lazy

from surveys.forms.accounts import (
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
)
from surveys.ratelimits import (
    limit_account_form,
    posted_field,
    session_key,
    signed_in_user,
)

# Every form that takes a password or sends a reset email is rate-limited (surveys.ratelimits).
# allauth's sign-in view (its form is surveys.forms.accounts.SignInForm, by ACCOUNT_FORMS):
# a password, then the MFA step for accounts that have MFA; SSO buttons start elsewhere.
sign_in = limit_account_form("sign-in", posted_field("login"))(allauth_views.login)
# The MFA step after a password: one TOTP or recovery code guess is one POST, limited like
# passwords, per address and per pending sign-in.
mfa_authenticate = limit_account_form("mfa-authenticate", session_key)(
    mfa_views.authenticate
)
sign_out = auth_views.LogoutView.as_view()  # POST only, from the header's button
password_change = limit_account_form("password-change", signed_in_user)(
    auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm)
)
password_change_done = auth_views.PasswordChangeDoneView.as_view()
password_reset = limit_account_form("password-reset", posted_field("email"))(
    auth_views.PasswordResetView.as_view(
        form_class=PasswordResetRequestForm,
        subject_template_name="emails/password_reset_subject.txt",
        email_template_name="emails/password_reset.txt",
        html_email_template_name="emails/password_reset.html",
        success_url=reverse_lazy("password_reset_done"),
    )
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
# The reset link is itself an unguessable, signed token: limit its form per address only.
password_reset_confirm = limit_account_form("password-reset-confirm")(
    auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm)
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()


def not_offered(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Answer 404 for an allauth page this service does not offer (see surveys/urls.py)."""
    raise Http404("Not offered")
