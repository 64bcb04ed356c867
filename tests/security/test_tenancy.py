"""Tenants apart: one partnership's lead can neither see nor touch another's organisations or
people, and starting a partnership is a permission, not something every account has."""

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import transaction
from django.urls import reverse

from surveys.models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    Sector,
    Survey,
    User,
)
from surveys.services.partnerships import (
    LastLeadError,
    NotPermittedError,
    OrganisationNotAvailableError,
    add_organisation,
    change_member_role,
    create_partnership,
    invite_member,
    remove_member,
)
from surveys.tenancy import addable_organisations, led_partnerships
from tests.factories import (
    InstrumentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    SurveyFactory,
    UserFactory,
)
from tests.reports.conftest import seeded_demo, seeded_round  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@dataclass
class Tenants:
    """Partnership A (Westshire) and partnership B (Eastshire), led by different people."""

    a: Partnership
    a_lead: User
    a_analyst: Membership
    a_council: Organisation
    b: Partnership
    b_lead: User
    b_round: Survey


@pytest.fixture
def tenants() -> Tenants:
    a_council = OrganisationFactory(
        name="Westshire Borough Council",
        short_name="WBC",
        sector=Sector.LOCAL_AUTHORITY,
    )
    a = PartnershipFactory(name="Westshire Partnership", members=[a_council])
    a_lead = MembershipFactory(
        partnership=a,
        role=Membership.Role.LEAD,
        user=UserFactory(first_name="Wren", last_name="West"),
    ).user
    a_analyst = MembershipFactory(
        partnership=a,
        role=Membership.Role.ANALYST,
        user=UserFactory(first_name="Ash", last_name="Analyst"),
    )
    b_hospital = OrganisationFactory(name="Eastshire Hospitals", short_name="EH")
    b = PartnershipFactory(name="Eastshire Partnership", members=[b_hospital])
    b_lead = MembershipFactory(
        partnership=b,
        role=Membership.Role.LEAD,
        user=UserFactory(first_name="Eli", last_name="East"),
    ).user
    b_round = SurveyFactory(
        partnership=b, instrument=InstrumentFactory(), status=Survey.Status.DRAFT
    )
    return Tenants(a, a_lead, a_analyst, a_council, b, b_lead, b_round)


def add_url(partnership: Partnership) -> str:
    return reverse("surveys:organisation_add", args=[partnership.public_id])


# Creating a partnership is a permission


def test_a_fresh_account_cannot_create_a_partnership(client):
    client.force_login(UserFactory())
    page = client.get(reverse("surveys:partnership_create"))
    assert page.status_code == 403
    assert "You cannot create a partnership" in page.content.decode()
    assert "ask the service’s administrator" in page.content.decode()
    page = client.post(
        reverse("surveys:partnership_create"), {"name": "Mine", "kind": "place"}
    )
    assert page.status_code == 403
    assert not Partnership.objects.exists()


def test_a_fresh_account_sees_how_to_get_the_permission_not_the_button(client):
    client.force_login(UserFactory())
    html = client.get(reverse("surveys:partnership_list")).content.decode()
    assert reverse("surveys:partnership_create") not in html
    assert "Your account cannot create partnerships" in html


def test_an_account_granted_the_permission_creates_and_leads(client):
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(codename="create_partnership")
    )  # what a site administrator ticks in the admin
    client.force_login(user)
    html = client.get(reverse("surveys:partnership_list")).content.decode()
    assert reverse("surveys:partnership_create") in html
    page = client.post(
        reverse("surveys:partnership_create"), {"name": "Mine", "kind": "place"}
    )
    assert page.status_code == 302
    assert Partnership.objects.get(name="Mine").memberships.get().user == user


def test_an_allowed_email_domain_may_create_partnerships(client, settings):
    settings.PARTNERSHIP_CREATOR_DOMAINS = ["nhs.example"]
    client.force_login(UserFactory(email="pat@NHS.example"))
    assert client.get(reverse("surveys:partnership_create")).status_code == 200
    client.force_login(UserFactory(email="pat@nhs.example.evil.test"))
    assert client.get(reverse("surveys:partnership_create")).status_code == 403


def test_the_demo_lead_keeps_the_permission(seeded_demo, client):  # noqa: F811
    client.force_login(User.objects.get(username="lead"))
    assert client.get(reverse("surveys:partnership_create")).status_code == 200
    client.force_login(User.objects.get(username="consultant"))
    assert client.get(reverse("surveys:partnership_create")).status_code == 403


# Another tenant's organisations are never listed, confirmed or attachable


def test_the_add_organisation_list_holds_no_other_tenants_organisations(
    client, tenants
):
    OrganisationFactory(name="Nobody's Trust")  # in no partnership at all
    client.force_login(tenants.b_lead)
    page = client.get(add_url(tenants.b))
    assert list(page.context["existing_form"].fields["organisation"].queryset) == []
    html = page.content.decode()
    assert "Westshire Borough Council" not in html
    assert "Nobody" not in html


def test_a_lead_may_add_organisations_of_their_own_other_partnerships(client, tenants):
    mine = OrganisationFactory(name="Eastshire Care", short_name="EC")
    other = PartnershipFactory(name="Eastshire Collaborative", members=[mine])
    MembershipFactory(partnership=other, user=tenants.b_lead, role="lead")
    client.force_login(tenants.b_lead)
    page = client.get(add_url(tenants.b))
    choices = page.context["existing_form"].fields["organisation"].queryset
    assert list(choices) == [mine]
    page = client.post(
        add_url(tenants.b), {"existing-organisation": mine.pk, "add_existing": ""}
    )
    assert page.status_code == 302
    assert tenants.b.members.filter(pk=mine.pk).exists()


def test_another_tenants_organisation_cannot_be_added_by_its_id(client, tenants):
    client.force_login(tenants.b_lead)
    page = client.post(
        add_url(tenants.b),
        {"existing-organisation": tenants.a_council.pk, "add_existing": ""},
    )
    assert page.status_code == 200
    assert page.context["existing_form"].errors == {
        "organisation": ["Choose an organisation from the list"]
    }
    assert "Westshire Borough Council" not in page.content.decode()
    assert not tenants.b.members.filter(pk=tenants.a_council.pk).exists()
    # The same answer as for an id that does not exist at all.
    unknown = client.post(
        add_url(tenants.b), {"existing-organisation": 999999, "add_existing": ""}
    )
    assert (
        unknown.context["existing_form"].errors == page.context["existing_form"].errors
    )


def test_another_tenants_organisation_name_is_free_and_not_confirmed(client, tenants):
    client.force_login(tenants.b_lead)
    page = client.post(
        add_url(tenants.b),
        {
            "new-name": "westshire borough council",
            "new-short_name": "WBC",
            "new-sector": Sector.LOCAL_AUTHORITY,
            "add_new": "",
        },
        follow=True,
    )
    html = page.content.decode()
    assert "already" not in html
    assert "westshire borough council added." in html
    created = tenants.b.members.get(short_name="WBC")
    assert created != tenants.a_council  # B's own organisation, not A's
    assert list(tenants.a_council.partnerships.all()) == [tenants.a]
    assert AuditEvent.objects.filter(partnership=tenants.a).count() == 0


def test_the_import_answers_another_tenants_name_as_it_does_a_made_up_one(
    client, tenants
):
    client.force_login(tenants.b_lead)
    url = reverse(
        "surveys:invitation_import",
        args=[tenants.b.public_id, tenants.b_round.public_id],
    )
    page = client.post(
        url, {"text": "jo@west.example,WBC\nsam@west.example,Made Up Council\n"}
    )
    errors = list(page.context["form"].errors["text"])
    assert errors[1:3] == [
        "Line 1: ‘WBC’ is not an organisation in this partnership – use its name "
        "or short name",
        "Line 2: ‘Made Up Council’ is not an organisation in this partnership – use "
        "its name or short name",
    ]
    assert not Invitation.objects.filter(survey=tenants.b_round).exists()


# Another tenant's people and pages answer 404, never 403


def other_tenant_urls(t: Tenants) -> dict[str, str]:
    a, b = t.a.public_id, t.b.public_id
    member = t.a_analyst.public_id
    return {
        "A's partnership page": reverse("surveys:partnership_detail", args=[a]),
        "A's team page": reverse("surveys:team_detail", args=[a]),
        "A's member, on A's pages": reverse(
            "surveys:member_role_edit", args=[a, member]
        ),
        "A's member, removed on A's pages": reverse(
            "surveys:member_remove", args=[a, member]
        ),
        "A's member, through B's team": reverse(
            "surveys:member_role_edit", args=[b, member]
        ),
        "A's member, removed through B's team": reverse(
            "surveys:member_remove", args=[b, member]
        ),
        "A's organisation, removed through B": reverse(
            "surveys:organisation_remove", args=[b, t.a_council.public_id]
        ),
        "A's invite page": reverse("surveys:member_invite", args=[a]),
    }


def test_a_lead_of_b_gets_404_for_every_page_of_a(client, tenants):
    client.force_login(tenants.b_lead)
    for what, url in other_tenant_urls(tenants).items():
        assert client.get(url).status_code == 404, what
        assert client.post(url, {"role": "lead"}).status_code == 404, what
    tenants.a_analyst.refresh_from_db()
    assert tenants.a_analyst.role == Membership.Role.ANALYST
    assert tenants.a.memberships.count() == 2


def test_a_lead_of_b_never_sees_a_people_on_the_team_page(client, tenants):
    client.force_login(tenants.b_lead)
    html = client.get(reverse("surveys:team_detail", args=[tenants.b.public_id]))
    text = html.content.decode()
    assert "Eli East" in text
    assert "Wren West" not in text
    assert "Ash Analyst" not in text


def test_inviting_another_tenants_address_shows_only_the_name_typed(client, tenants):
    # Found by the cross-tenant crawl: inviting A's lead by address showed their real
    # name on B's team page, where a new address showed the name typed, confirming that
    # the account existed and whose it was.
    client.force_login(tenants.b_lead)
    for email, typed in (
        (tenants.a_lead.email, "Made Up"),
        ("new@example.org", "Also Made"),
    ):
        first, last = typed.split()
        client.post(
            reverse("surveys:member_invite", args=[tenants.b.public_id]),
            {
                "first_name": first,
                "last_name": last,
                "email": email,
                "role": "consultant",
            },
        )
    pages = [
        reverse("surveys:team_detail", args=[tenants.b.public_id]),
        reverse("surveys:partnership_detail", args=[tenants.b.public_id]),
    ]
    for page in pages:
        text = client.get(page).content.decode()
        assert "Made Up" in text, page
        assert "Also Made" in text, page
        assert "Wren West" not in text, page
        assert "Wren" not in text, page


def test_the_database_keeps_a_members_names_to_its_own_partnership(tenants):
    # B may hold its own "WBC"; A may not hold two.
    PartnershipMember.objects.add(
        partnership=tenants.b,
        organisations=[OrganisationFactory(name="Wilby Bowls Club", short_name="WBC")],
    )
    assert PartnershipMember.objects.filter(short_name="WBC").count() == 2


def test_the_services_refuse_too_not_only_the_pages(tenants):
    with pytest.raises(NotPermittedError):
        create_partnership(name="Mine", kind="place", lead=UserFactory())
    with pytest.raises(OrganisationNotAvailableError):
        add_organisation(
            partnership=tenants.b, organisation=tenants.a_council, actor=tenants.b_lead
        )
    assert list(tenants.a_council.partnerships.all()) == [tenants.a]


def invite_to_b(client, tenants, email: str, name: str = "Guess Who"):
    first, last = name.split()
    return client.post(
        reverse("surveys:member_invite", args=[tenants.b.public_id]),
        {"first_name": first, "last_name": last, "email": email, "role": "analyst"},
        follow=True,
    )


def test_inviting_by_an_address_shaped_username_never_reveals_the_accounts_address(
    client, tenants
):
    # Found by the audit: an address was also matched against usernames, so inviting
    # another tenant's address-shaped username put that account on B's team and showed
    # its real address in the message and on the team page.
    alias = UserFactory(
        username="alias@a-tenant.example", email="real.person@a-tenant.example"
    )
    MembershipFactory(partnership=tenants.a, user=alias, role=Membership.Role.ANALYST)
    client.force_login(tenants.b_lead)
    page = invite_to_b(client, tenants, "alias@a-tenant.example")
    assert "alias@a-tenant.example invited as Analyst" in page.content.decode()
    team = client.get(reverse("surveys:team_detail", args=[tenants.b.public_id]))
    for text in (page.content.decode(), team.content.decode()):
        assert "real.person" not in text
    assert "alias@a-tenant.example" in team.content.decode()
    assert not alias.memberships.filter(partnership=tenants.b).exists()
    # A new account for the address typed, with a username of its own.
    newcomer = User.objects.get(email="alias@a-tenant.example")
    assert newcomer.username != alias.username
    assert newcomer.memberships.get().partnership == tenants.b


def test_an_address_matches_an_account_whatever_its_case_and_the_team_sees_it_as_typed(
    client, tenants
):
    client.force_login(tenants.b_lead)
    typed = tenants.a_lead.email.upper()
    invite_to_b(client, tenants, typed)
    membership = tenants.a_lead.memberships.get(partnership=tenants.b)
    assert membership.invited_email == typed
    team = client.get(reverse("surveys:team_detail", args=[tenants.b.public_id]))
    assert typed in team.content.decode()
    assert tenants.a_lead.email not in team.content.decode()


# Joining a team takes the person's consent: an existing account's membership is pending
# until they accept it (found by the audit: a lead put another tenant's lead on their team
# at once, and the lure name then showed in that person's own partnerships list).

LURE = "URGENT: your NHS mailbox expires today – re-verify at https://evil.example/x"


def respond_url(membership: Membership) -> str:
    return reverse("surveys:membership_respond", args=[membership.public_id])


@pytest.fixture
def pending(client, tenants) -> Membership:
    tenants.b.name = LURE
    tenants.b.save()
    client.force_login(tenants.b_lead)
    invite_to_b(client, tenants, tenants.a_lead.email, name="Made Up")
    client.logout()
    return tenants.a_lead.memberships.get(partnership=tenants.b)


def test_an_existing_account_is_only_invited_and_reaches_nothing_until_it_accepts(
    client, tenants, pending
):
    assert pending.is_pending
    client.force_login(tenants.a_lead)
    b_page = reverse("surveys:partnership_detail", args=[tenants.b.public_id])
    assert client.get(b_page).status_code == 404
    assert (
        client.get(
            reverse("surveys:team_detail", args=[tenants.b.public_id])
        ).status_code
        == 404
    )
    listing = client.get(reverse("surveys:partnership_list"))
    html = listing.content.decode()
    assert list(listing.context["partnerships"]) == [tenants.a]
    assert b_page not in html
    assert (
        "Invitation to join partnership “URGENT: your NHS mailbox expires today – "
        "re-verify at https://evil.example/x” from “Eli East”"
    ) in html
    assert "typed by the person who invited you" in html
    assert respond_url(pending) in html


def test_the_inviting_lead_sees_the_invitation_waiting(client, tenants, pending):
    client.force_login(tenants.b_lead)
    html = client.get(
        reverse("surveys:team_detail", args=[tenants.b.public_id])
    ).content.decode()
    assert "Made Up" in html
    assert "Invited, not yet accepted" in html


def _what_the_lead_sees(client, tenants, email: str, name: str) -> list[str]:
    """Everything B's lead reads after inviting the address, the names and address masked."""
    page = invite_to_b(client, tenants, email, name=name)
    seen = [str(m) for m in page.context["messages"]]
    for view in ("surveys:team_detail", "surveys:partnership_detail"):
        html = client.get(reverse(view, args=[tenants.b.public_id])).content.decode()
        seen.append(html)
    seen.append(
        str(
            list(
                AuditEvent.objects.filter(partnership=tenants.b)
                .order_by("-pk")
                .values_list("action", flat=True)[:1]
            )
        )
    )
    masked = []
    for text in seen:
        text = re.sub(r"<[^>]+>", " ", text)  # the words shown, not the CSRF tokens
        text = text.replace(email, "ADDRESS").replace(name, "NAME")
        text = re.sub(r"\d{1,2}[:.]\d{2}\s*(am|pm)?", "TIME", text)
        masked.append(" ".join(text.split()))
    return masked


def test_the_lead_sees_the_same_whether_or_not_the_address_had_an_account(
    client, tenants
):
    # Found by the review: only an address with an account showed "Invited, not yet
    # accepted", so one invitation told another tenant's lead who has an account here.
    client.force_login(tenants.b_lead)
    with transaction.atomic():  # each from the same starting point
        existing = _what_the_lead_sees(
            client, tenants, tenants.a_analyst.user.email, "Xx One"
        )
        transaction.set_rollback(True)
    new = _what_the_lead_sees(client, tenants, "nobody.here@example.org", "Xx One")
    assert "Invited, not yet accepted" in new[1]
    assert existing == new


def test_accepting_grants_the_role_and_is_recorded_under_the_name_typed(
    client, tenants, pending
):
    client.force_login(tenants.a_lead)
    page = client.post(respond_url(pending), {"answer": "accept", "role": "analyst"})
    assert page["Location"] == tenants.b.get_absolute_url()
    pending.refresh_from_db()
    assert not pending.is_pending
    assert client.get(tenants.b.get_absolute_url()).status_code == 200
    event = AuditEvent.objects.get(action="member_accepted")
    assert (event.partnership, event.actor) == (tenants.b, tenants.a_lead)
    assert event.actor_name == "Made Up"  # never the account's own name, for B to read
    assert event.summary == "Made Up accepted the invitation to join as Analyst"


def test_declining_removes_the_invitation_and_is_recorded(client, tenants, pending):
    client.force_login(tenants.a_lead)
    page = client.post(respond_url(pending), {"answer": "decline"})
    assert page["Location"] == reverse("surveys:partnership_list")
    assert not tenants.a_lead.memberships.filter(partnership=tenants.b).exists()
    assert client.get(tenants.b.get_absolute_url()).status_code == 404
    event = AuditEvent.objects.get(action="member_declined")
    assert event.actor_name == "Made Up"
    assert event.summary == "Made Up declined the invitation to join the team"
    assert "Wren" not in str(event.detail)


def test_only_the_invited_person_can_answer_and_only_once(client, tenants, pending):
    client.force_login(tenants.b_lead)
    assert (
        client.post(
            respond_url(pending), {"answer": "accept", "role": "analyst"}
        ).status_code
        == 404
    )
    client.force_login(tenants.a_lead)
    assert client.get(respond_url(pending)).status_code == 405
    assert client.post(respond_url(pending), {"answer": "maybe"}).status_code == 400
    client.post(respond_url(pending), {"answer": "accept", "role": "analyst"})
    assert client.post(respond_url(pending), {"answer": "decline"}).status_code == 404
    assert tenants.a_lead.memberships.filter(partnership=tenants.b).exists()


def test_a_pending_lead_is_not_a_lead(tenants):
    invited = invite_member(
        partnership=tenants.b,
        email=tenants.a_lead.email,
        first_name="Made",
        last_name="Up",
        role=Membership.Role.LEAD,
        actor=tenants.b_lead,
    )
    assert invited.is_pending
    own = tenants.b_lead.memberships.get(partnership=tenants.b)
    with pytest.raises(LastLeadError):
        remove_member(membership=own, actor=tenants.b_lead)
    with pytest.raises(LastLeadError):
        change_member_role(
            membership=own, role=Membership.Role.ANALYST, actor=tenants.b_lead
        )
    # Nor does it lend the invited person a lead's reach.
    assert tenants.b not in led_partnerships(user=tenants.a_lead)
    assert not addable_organisations(
        user=tenants.a_lead, partnership=tenants.a
    ).exists()


def test_a_new_address_is_only_invited_too(client, tenants):
    client.force_login(tenants.b_lead)
    invite_to_b(client, tenants, "brand.new@example.org")
    membership = Membership.objects.get(user__email="brand.new@example.org")
    assert membership.is_pending  # they accept once they have set the emailed password
    client.force_login(membership.user)
    page = reverse("surveys:partnership_detail", args=[tenants.b.public_id])
    assert client.get(page).status_code == 404


def test_the_email_to_an_existing_account_asks_rather_than_tells(
    client, tenants, django_capture_on_commit_callbacks
):
    client.force_login(tenants.b_lead)
    with django_capture_on_commit_callbacks(execute=True):
        invite_to_b(client, tenants, tenants.a_lead.email)
        invite_to_b(client, tenants, "brand.new@example.org", name="Brand New")
    asked, told = mail.outbox
    assert asked.to == [tenants.a_lead.email]
    assert asked.subject == (
        "You have been invited to a partnership on Collaboration readiness"
    )
    assert "accept or decline this invitation on your partnerships page" in asked.body
    # A new address is asked too, once it has chosen a password: the same subject.
    assert told.subject == asked.subject
    assert "you will be asked to accept or decline" in " ".join(told.body.split())


def test_a_first_sso_sign_in_to_an_invited_address_still_has_to_accept(client, tenants):
    # Found by the review: a new address was a member at once, so the first single sign-on
    # of its owner (linked to the account the invitation made) landed on B's team unasked.
    from surveys.services.sso import Identity, ProviderPolicy, decide_sign_in

    invited = invite_member(
        partnership=tenants.b,
        email="dr.who@trust.nhs.example",
        first_name="D",
        last_name="W",
        role=Membership.Role.LEAD,
        actor=tenants.b_lead,
    )
    policy = ProviderPolicy(email_domains=("trust.nhs.example",), trust_email=True)
    decision = decide_sign_in(
        Identity(email="dr.who@trust.nhs.example", email_verified=True),
        policy,
        already_linked=False,
    )
    assert decision.link_to == invited.user
    invited.refresh_from_db()
    assert invited.is_pending
    client.force_login(invited.user)
    assert client.get(tenants.b.get_absolute_url()).status_code == 404
    assert (
        respond_url(invited)
        in client.get(reverse("surveys:partnership_list")).content.decode()
    )


def test_accepting_takes_only_the_role_that_was_shown(client, tenants, pending):
    # Found by the review: Accept posted no role, so a lead could switch "Analyst" to
    # "ICS lead" after the invited person read it, and they took a role they never saw.
    client.force_login(tenants.a_lead)
    listing = client.get(reverse("surveys:partnership_list")).content.decode()
    assert "Role offered: Analyst" in listing
    assert 'name="role" value="analyst"' in listing
    change_member_role(
        membership=pending, role=Membership.Role.LEAD, actor=tenants.b_lead
    )
    page = client.post(
        respond_url(pending), {"answer": "accept", "role": "analyst"}, follow=True
    )
    assert (
        "The role offered has changed since you opened the page: it is now ICS lead"
        in (page.content.decode())
    )
    pending.refresh_from_db()
    assert pending.is_pending
    assert pending.role == Membership.Role.LEAD
    assert not AuditEvent.objects.filter(action="member_accepted").exists()
    # Reading it again and accepting takes the role now shown.
    client.post(respond_url(pending), {"answer": "accept", "role": "lead"})
    pending.refresh_from_db()
    assert not pending.is_pending
