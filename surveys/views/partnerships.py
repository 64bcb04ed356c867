"""The lead's pages for partnerships, their organisations and their team."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from surveys.forms.partnerships import (
    ExistingOrganisationForm,
    MemberInviteForm,
    MemberRoleForm,
    OrganisationForm,
    PartnershipForm,
)
from surveys.models import Membership, Organisation, Partnership, User
from surveys.selectors import pending_invitations
from surveys.services.partnerships import (
    AlreadyMemberError,
    DuplicateNameError,
    LastLeadError,
    NotInvitedError,
    OrganisationInUseError,
    OrganisationNotAvailableError,
    RoleOfferedChangedError,
    TeamInvitationLimitError,
    accept_invitation,
    add_organisation,
    change_member_role,
    create_organisation,
    create_partnership,
    decline_invitation,
    invite_member,
    is_last_lead,
    organisation_has_answers,
    remove_member,
    remove_organisation,
    update_partnership,
)
from surveys.tenancy import addable_organisations, may_create_partnerships
from surveys.tracking import (
    partnership_organisations,
    partnership_rounds,
    partnership_rows,
    partnership_team,
    recent_events,
)
from surveys.views.access import partnership_for, posted, sees_exact_counts


@login_required
def partnership_list(request: HttpRequest) -> HttpResponse:
    """List the partnerships the user has a role on."""
    return render(
        request,
        "surveys/manage/partnership_list.html",
        {
            "partnerships": list(partnership_rows(user=request.user)),
            "invitations": list(pending_invitations(user=request.user)),
            "may_create": may_create_partnerships(request.user),
        },
    )


@login_required
@require_http_methods(["POST"])
def membership_respond(request: HttpRequest, member_id: UUID) -> HttpResponse:
    """Accept or decline an invitation to a partnership's team (one's own only)."""
    membership = get_object_or_404(
        Membership.objects.select_related("partnership"),
        public_id=member_id,
        user_id=request.user.pk,
        accepted_at__isnull=True,
    )
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        raise BadRequest("Choose Accept or Decline.")
    try:
        if answer == "accept":
            accepted = accept_invitation(
                membership=membership,
                user=request.user,
                role=request.POST.get("role", ""),
            )
        else:
            decline_invitation(membership=membership, user=request.user)
    except (NotInvitedError, RoleOfferedChangedError) as exc:
        # Answered a moment ago in another tab, or the lead changed the role offered.
        messages.info(request, str(exc))
        return redirect("surveys:partnership_list")
    if answer == "decline":
        messages.success(request, "Invitation declined. You have no role on it.")
        return redirect("surveys:partnership_list")
    messages.success(
        request,
        f"You joined the partnership as {accepted.get_role_display()}.",
    )
    return redirect(accepted.partnership)


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create(request: HttpRequest) -> HttpResponse:
    """Create a partnership; its creator becomes its lead (a permission not every account has)."""
    if not may_create_partnerships(request.user):
        return render(
            request, "surveys/manage/partnership_create_not_allowed.html", status=403
        )
    form = PartnershipForm(posted(request), submit_label="Create partnership")
    if request.method == "POST" and form.is_valid():
        partnership = create_partnership(
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            lead=request.user,
        )
        messages.success(
            request, f"{partnership.name} created. Now add its organisations."
        )
        return redirect("surveys:organisation_add", public_id=partnership.public_id)
    return render(request, "surveys/manage/partnership_form.html", {"form": form})


@login_required
def partnership_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Show a partnership: its rounds, organisations, team and recent activity."""
    partnership, role = partnership_for(request, public_id)
    return render(
        request,
        "surveys/manage/partnership_detail.html",
        {
            "partnership": partnership,
            "role": role,
            "can_manage": role == Membership.Role.LEAD,
            "rounds": list(partnership_rounds(partnership=partnership)),
            "organisations": list(partnership_organisations(partnership=partnership)),
            "team": list(partnership_team(partnership=partnership)),
            "events": recent_events(partnership=partnership),
            "exact_counts": sees_exact_counts(role),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Change a partnership's name or kind."""
    partnership, _role = partnership_for(request, public_id, manage=True)
    form = PartnershipForm(
        posted(request), instance=partnership, submit_label="Save changes"
    )
    if request.method == "POST" and form.is_valid():
        update_partnership(
            partnership=partnership,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            actor=request.user,
        )
        messages.success(request, "Partnership details saved.")
        return redirect(partnership)
    return render(
        request,
        "surveys/manage/partnership_form.html",
        {"form": form, "partnership": partnership},
    )


def _add_member(
    form: ExistingOrganisationForm | OrganisationForm,
    *,
    partnership: Partnership,
    actor: User,
) -> Organisation:
    if isinstance(form, ExistingOrganisationForm):
        return add_organisation(
            partnership=partnership,
            organisation=form.cleaned_data["organisation"],
            actor=actor,
        )
    return create_organisation(
        partnership=partnership, actor=actor, **form.cleaned_data
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Add an existing organisation, or create a new one, as a member."""
    partnership, _role = partnership_for(request, public_id, manage=True)
    # Only the organisations of the lead's other partnerships: never another tenant's.
    choices = addable_organisations(user=request.user, partnership=partnership)
    # Two forms on one page; the button pressed says which one was sent.
    existing = ExistingOrganisationForm(
        posted(request) if "add_existing" in request.POST else None, choices=choices
    )
    new = OrganisationForm(
        posted(request) if "add_new" in request.POST else None,
        partnership=partnership,
    )
    form = existing if existing.is_bound else new
    if form.is_bound and form.is_valid():
        try:
            organisation = _add_member(
                form, partnership=partnership, actor=request.user
            )
        except DuplicateNameError as exc:
            field = "organisation" if form is existing else exc.field
            form.add_error(field, str(exc))
        except OrganisationNotAvailableError as exc:
            form.add_error("organisation", str(exc))
        else:
            messages.success(request, f"{organisation.name} added.")
            return redirect("surveys:organisation_add", public_id=public_id)
    return render(
        request,
        "surveys/manage/organisation_add.html",
        {
            "partnership": partnership,
            "existing_form": existing,
            "new_form": new,
            "has_choices": choices.exists(),
            "members": list(partnership.members.order_by("name")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_remove(
    request: HttpRequest, public_id: UUID, organisation_id: UUID
) -> HttpResponse:
    """Confirm, then remove a member organisation that nobody has answered from or about."""
    partnership, _role = partnership_for(request, public_id, manage=True)
    organisation = get_object_or_404(partnership.members, public_id=organisation_id)
    if request.method == "POST":
        try:
            remove_organisation(
                partnership=partnership, organisation=organisation, actor=request.user
            )
        except OrganisationInUseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{organisation.name} removed.")
        return redirect(partnership)
    in_use = organisation_has_answers(
        partnership=partnership, organisation=organisation
    )
    return render(
        request,
        "surveys/manage/organisation_remove.html",
        {"partnership": partnership, "organisation": organisation, "in_use": in_use},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_invite(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Give a colleague a role on the partnership and email them a sign-in link."""
    partnership, _role = partnership_for(request, public_id, manage=True)
    form = MemberInviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            # This page is English only; the email goes in the language the lead chose.
            with translation.override(request.LANGUAGE_CODE):
                membership = invite_member(
                    partnership=partnership, actor=request.user, **form.cleaned_data
                )
        except AlreadyMemberError as exc:
            form.add_error("email", str(exc))
        except TeamInvitationLimitError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{membership.display_email} invited as "
                f"{membership.get_role_display()}. We have emailed them; the role is "
                "theirs once they accept it.",
            )
            return redirect(partnership)
    return render(
        request,
        "surveys/manage/member_invite.html",
        {"partnership": partnership, "form": form},
    )


@login_required
def team_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """List the partnership's team, with each member's role and what a lead can change."""
    partnership, _role = partnership_for(request, public_id, manage=True)
    return render(
        request,
        "surveys/manage/team.html",
        {
            "partnership": partnership,
            "team": list(partnership_team(partnership=partnership)),
        },
    )


def _team_member(partnership: Partnership, member_id: UUID) -> Membership:
    # Looked up within the partnership: another partnership's member is a plain 404.
    return get_object_or_404(
        partnership.memberships.select_related("user", "partnership"),
        public_id=member_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_role_edit(
    request: HttpRequest, public_id: UUID, member_id: UUID
) -> HttpResponse:
    """Change a team member's role (the last lead keeps theirs)."""
    partnership, _role = partnership_for(request, public_id, manage=True)
    membership = _team_member(partnership, member_id)
    form = MemberRoleForm(
        posted(request), name=membership.display_name, initial={"role": membership.role}
    )
    if request.method == "POST" and form.is_valid():
        try:
            change_member_role(
                membership=membership,
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except LastLeadError as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(
                request,
                f"{membership.display_name} is now {membership.get_role_display()}.",
            )
            return redirect("surveys:team_detail", public_id=public_id)
    return render(
        request,
        "surveys/manage/member_role.html",
        {"partnership": partnership, "membership": membership, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(
    request: HttpRequest, public_id: UUID, member_id: UUID
) -> HttpResponse:
    """Confirm, then take a colleague off the team (never the last lead)."""
    partnership, _role = partnership_for(request, public_id, manage=True)
    membership = _team_member(partnership, member_id)
    if request.method == "POST":
        try:
            remove_member(membership=membership, actor=request.user)
        except LastLeadError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"{membership.display_name} removed from the team."
            )
            if membership.user_id == request.user.pk:  # they removed themselves
                return redirect("surveys:partnership_list")
        return redirect("surveys:team_detail", public_id=public_id)
    return render(
        request,
        "surveys/manage/member_remove.html",
        {
            "partnership": partnership,
            "membership": membership,
            "name": membership.display_name,
            "is_last_lead": is_last_lead(membership=membership),
            "is_self": membership.user_id == request.user.pk,
        },
    )
