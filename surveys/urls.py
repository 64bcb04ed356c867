from django.urls import path, re_path
from django.views.i18n import set_language

from surveys.views import (
    accounts,
    focus_areas,
    invitations,
    invitees,
    partnerships,
    respondent,
    rounds,
)

app_name = "surveys"

ROUND = "partnerships/<uuid:public_id>/rounds/<uuid:round_id>/"

urlpatterns = [
    # The respondent's language switcher: Django's set_language (POST language and next,
    # sets the collab_language cookie). Before the token routes, which would match it.
    path("s/language/", set_language, name="language_set"),
    path("s/<str:token>/", respondent.respondent_start, name="respondent_start"),
    path(
        "s/<str:token>/check-answers/",
        respondent.respondent_check,
        name="respondent_check",
    ),
    path("s/<str:token>/saved/", respondent.respondent_saved, name="respondent_saved"),
    path(
        "s/<str:token>/submitted/", respondent.respondent_done, name="respondent_done"
    ),
    path(
        "s/<str:token>/<slug:step>/", respondent.respondent_step, name="respondent_step"
    ),
    # Management pages for leads (and read-only for consultants and analysts).
    path("partnerships/", partnerships.partnership_list, name="partnership_list"),
    path(
        "partnerships/invitations/<uuid:member_id>/",
        partnerships.membership_respond,
        name="membership_respond",
    ),
    path(
        "partnerships/new/",
        partnerships.partnership_create,
        name="partnership_create",
    ),
    path(
        "partnerships/<uuid:public_id>/",
        partnerships.partnership_detail,
        name="partnership_detail",
    ),
    path(
        "partnerships/<uuid:public_id>/edit/",
        partnerships.partnership_edit,
        name="partnership_edit",
    ),
    path(
        "partnerships/<uuid:public_id>/organisations/add/",
        partnerships.organisation_add,
        name="organisation_add",
    ),
    path(
        "partnerships/<uuid:public_id>/organisations/<uuid:organisation_id>/remove/",
        partnerships.organisation_remove,
        name="organisation_remove",
    ),
    path(
        "partnerships/<uuid:public_id>/team/",
        partnerships.team_detail,
        name="team_detail",
    ),
    path(
        "partnerships/<uuid:public_id>/team/<uuid:member_id>/role/",
        partnerships.member_role_edit,
        name="member_role_edit",
    ),
    path(
        "partnerships/<uuid:public_id>/team/<uuid:member_id>/remove/",
        partnerships.member_remove,
        name="member_remove",
    ),
    path(
        "partnerships/<uuid:public_id>/team/invite/",
        partnerships.member_invite,
        name="member_invite",
    ),
    path(
        "partnerships/<uuid:public_id>/rounds/new/",
        rounds.round_create,
        name="round_create",
    ),
    path(ROUND, rounds.round_detail, name="round_detail"),
    path(f"{ROUND}edit/", rounds.round_edit, name="round_edit"),
    path(f"{ROUND}open/", rounds.round_open, name="round_open"),
    path(f"{ROUND}close/", rounds.round_close, name="round_close"),
    path(f"{ROUND}dates/", rounds.round_dates, name="round_dates"),
    path(
        f"{ROUND}personal-data/delete/",
        rounds.round_personal_data_delete,
        name="round_personal_data_delete",
    ),
    path(f"{ROUND}links/sheet/", rounds.round_links_sheet, name="round_links_sheet"),
    path(f"{ROUND}links/csv/", rounds.round_links_csv, name="round_links_csv"),
    path(
        f"{ROUND}links/<uuid:organisation_id>/qr.svg",
        rounds.round_link_qr,
        name="round_link_qr",
    ),
    path(
        f"{ROUND}links/<uuid:organisation_id>/regenerate/",
        rounds.org_link_regenerate,
        name="org_link_regenerate",
    ),
    path(
        f"{ROUND}organisations/<uuid:organisation_id>/eligible/",
        rounds.eligibility_edit,
        name="eligibility_edit",
    ),
    path(
        f"{ROUND}invitations/import/",
        invitations.invitation_import,
        name="invitation_import",
    ),
    path(
        f"{ROUND}invitations/send/",
        invitations.invitations_send,
        name="invitations_send",
    ),
    path(
        f"{ROUND}reminders/send/",
        invitations.reminders_send,
        name="reminders_send",
    ),
    path(
        f"{ROUND}invitations/message/",
        invitations.invitee_message,
        name="invitee_message",
    ),
    path(f"{ROUND}invitees/", invitees.invitee_list, name="invitee_list"),
    path(
        f"{ROUND}invitees/<uuid:invitation_id>/correct/",
        invitees.invitee_correct,
        name="invitee_correct",
    ),
    path(
        f"{ROUND}invitees/<uuid:invitation_id>/language/",
        invitees.invitee_language,
        name="invitee_language",
    ),
    path(
        f"{ROUND}invitees/<uuid:invitation_id>/withdraw/",
        invitees.invitee_withdraw,
        name="invitee_withdraw",
    ),
    path(
        f"{ROUND}invitees/<uuid:invitation_id>/resend/",
        invitees.invitee_resend,
        name="invitee_resend",
    ),
    # Action planning on the dashboards: leads and consultants; analysts only read.
    path(
        f"{ROUND}focus-areas/new/",
        focus_areas.focus_area_create,
        name="focus_area_create",
    ),
    path(
        f"{ROUND}pairs/<uuid:a_id>/<uuid:b_id>/focus-areas/new/",
        focus_areas.pair_focus_area_create,
        name="pair_focus_area_create",
    ),
    path(
        f"{ROUND}focus-areas/<uuid:focus_area_id>/edit/",
        focus_areas.focus_area_edit,
        name="focus_area_edit",
    ),
    path(
        f"{ROUND}focus-areas/<uuid:focus_area_id>/delete/",
        focus_areas.focus_area_delete,
        name="focus_area_delete",
    ),
]

# Django's own names (login, logout, password_reset, ...), which its views and
# settings.LOGIN_URL expect; collab_survey/urls.py includes them at /accounts/, before
# allauth's own (the MFA pages and single sign-on), whose sign-in and MFA step these
# rate-limited views shadow at the same addresses.
account_urlpatterns = [
    path("login/", accounts.sign_in, name="login"),
    path("2fa/authenticate/", accounts.mfa_authenticate),
    path("logout/", accounts.sign_out, name="logout"),
    path("password-change/", accounts.password_change, name="password_change"),
    path(
        "password-change/done/",
        accounts.password_change_done,
        name="password_change_done",
    ),
    path("password-reset/", accounts.password_reset, name="password_reset"),
    path(
        "password-reset/sent/",
        accounts.password_reset_done,
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        accounts.password_reset_complete,
        name="password_reset_complete",
    ),
]

# allauth pages this service does not offer: managing email addresses (an account's address is
# what single sign-on matches on), allauth's own password pages (ours above are the ones
# rate-limited and styled), sign-in by emailed code, and connecting further SSO identities.
# Shadowed before allauth's URLs are included, so they answer 404 like any unknown page.
account_urlpatterns += [
    re_path(
        r"^(?:email|password|confirm-email|login/code|phone)/",
        accounts.not_offered,
    ),
    path("3rdparty/", accounts.not_offered),
]
