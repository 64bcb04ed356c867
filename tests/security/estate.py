"""A lead's partnership with a draft and an open round, beside another whose ids are forgeries."""

import datetime as dt
from dataclasses import dataclass

from surveys.models import (
    Block,
    Dimension,
    FocusArea,
    Instrument,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Sector,
    Survey,
    User,
)
from surveys.services.focus_areas import create_focus_area
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    SurveyFactory,
    UserFactory,
)

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


@dataclass(repr=False)
class Estate:
    partnership: Partnership
    organisations: list[Organisation]
    lead: User
    colleague: Membership  # a consultant on the team, whose role the lead may change
    draft: Survey
    round: Survey
    focus_area: FocusArea
    invitee: Invitation  # a personal invitation to the open round, not yet sent
    spare: Organisation  # in another partnership the lead leads: may be added
    elsewhere: Partnership
    outsider: Organisation  # a member of the other partnership only
    outsider_round: Survey

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text("Estate(…)")  # Hypothesis prints fixtures; keep the report short

    @property
    def self_dimensions(self) -> list[Dimension]:
        return list(
            Dimension.objects.filter(
                instrument=self.round.instrument, block=Block.SELF
            ).order_by("order")
        )

    @property
    def other_dimensions(self) -> list[Dimension]:
        """Dimensions a focus area may not be about: partner and profile pages."""
        return list(
            Dimension.objects.filter(instrument=self.round.instrument).exclude(
                block=Block.SELF
            )
        )


def build_estate(instrument: Instrument) -> Estate:
    """Create the partnership, its lead, two rounds, an invitee and a focus area, and another partnership."""
    organisations = [
        OrganisationFactory(
            name="Northshire Hospitals", short_name="NH", sector=Sector.NHS_ACUTE
        ),
        OrganisationFactory(
            name="Northshire Council", short_name="NC", sector=Sector.LOCAL_AUTHORITY
        ),
    ]
    partnership = PartnershipFactory(
        name="Northshire Place Partnership", members=organisations
    )
    lead = MembershipFactory(
        partnership=partnership,
        role=Membership.Role.LEAD,
        user=UserFactory(
            first_name="Jo", last_name="Lead", can_create_partnerships=True
        ),
    ).user
    draft = SurveyFactory(
        partnership=partnership,
        instrument=instrument,
        title="Spring round",
        status=Survey.Status.DRAFT,
    )
    open_round = SurveyFactory(
        partnership=partnership, instrument=instrument, title="Autumn round"
    )
    for org in organisations:
        InvitationFactory(
            survey=open_round,
            organisation=org,
            kind=Invitation.Kind.ORGANISATION,
            email=None,
        )
    # No generated address in the hostile tests has a dot before the @, so none clashes.
    invitee = InvitationFactory(
        survey=open_round,
        organisation=organisations[0],
        kind=Invitation.Kind.PERSONAL,
        email="sam.mistyped@northshire.nhs.uk",
    )
    focus_area = create_focus_area(
        survey=open_round,
        pair=None,
        dimension=Dimension.objects.filter(
            instrument=instrument, block=Block.SELF
        ).first(),
        finding="Funding is the lowest score.",
        action="Run a joint session on funding.",
        owner=organisations[0],
        due_date=dt.date(2027, 3, 31),
        actor=lead,
    )
    spare = OrganisationFactory(name="Northshire Housing", short_name="NHA")
    MembershipFactory(
        partnership=PartnershipFactory(
            name="Northshire Housing Forum", members=[spare]
        ),
        role=Membership.Role.LEAD,
        user=lead,
    )
    outsider = OrganisationFactory(name="Elsewhere Trust", short_name="ET")
    elsewhere = PartnershipFactory(name="Elsewhere Partnership", members=[outsider])
    MembershipFactory(partnership=elsewhere, role=Membership.Role.LEAD)
    return Estate(
        partnership=partnership,
        organisations=organisations,
        lead=lead,
        colleague=MembershipFactory(
            partnership=partnership, role=Membership.Role.CONSULTANT
        ),
        draft=draft,
        round=open_round,
        focus_area=focus_area,
        invitee=invitee,
        spare=spare,
        elsewhere=elsewhere,
        outsider=outsider,
        outsider_round=SurveyFactory(partnership=elsewhere, instrument=instrument),
    )
