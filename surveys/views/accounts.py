"""Sign-in, sign-out and passwords: Django's auth views with our forms and templates."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from surveys.forms.accounts import (
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    SignInForm,
)
from surveys.ratelimits import limit_account_form, posted_field, signed_in_user

# Every form that takes a password or sends a reset email is rate-limited (surveys.ratelimits).
sign_in = limit_account_form("sign-in", posted_field("username"))(
    auth_views.LoginView.as_view(
        authentication_form=SignInForm, redirect_authenticated_user=True
    )
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
