"""Sign-in, sign-out and passwords: Django's auth views with our forms and templates."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from surveys.forms.accounts import (
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
    SignInForm,
)

sign_in = auth_views.LoginView.as_view(
    authentication_form=SignInForm, redirect_authenticated_user=True
)
sign_out = auth_views.LogoutView.as_view()  # POST only, from the header's button
password_change = auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm)
password_change_done = auth_views.PasswordChangeDoneView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    form_class=PasswordResetRequestForm,
    subject_template_name="emails/password_reset_subject.txt",
    email_template_name="emails/password_reset.txt",
    html_email_template_name="emails/password_reset.html",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=SetPasswordForm
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
