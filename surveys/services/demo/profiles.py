"""The fictional place: its organisations and how each sector tends to answer."""

from dataclasses import dataclass

from surveys.models import Sector

DEFAULT_ORGANISATIONS, MIN_ORGANISATIONS, MAX_ORGANISATIONS = 8, 2, 16
DEFAULT_RESPONDENTS, MIN_RESPONDENTS, MAX_RESPONDENTS = 30, 6, 500
DEFAULT_SEED = 2026
ANONYMITY_THRESHOLD = 5


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    short_name: str
    sector: str
    domain: str


# The first eight make the default demo; --organisations N takes the first N. They are
# ordered so that small demos still mix sectors. The last of the first min(N, 8) is the
# small organisation that stays below the anonymity threshold.
ORGANISATIONS = (
    DemoOrganisation(
        "Northshire Hospitals NHS Foundation Trust",
        "NHFT",
        Sector.NHS_ACUTE,
        "northshire-hospitals",
    ),
    DemoOrganisation(
        "Northshire County Council", "NCC", Sector.LOCAL_AUTHORITY, "northshire-cc"
    ),
    DemoOrganisation(
        "NHS Northshire Integrated Care Board", "NICB", Sector.ICB, "northshire-icb"
    ),
    DemoOrganisation(
        "Northshire Voluntary Action", "NVA", Sector.VCSE, "northshire-va"
    ),
    DemoOrganisation(
        "Northshire Community and Mental Health NHS Trust",
        "NCMHT",
        Sector.NHS_COMMUNITY,
        "northshire-cmh",
    ),
    DemoOrganisation(
        "Easterby City Council", "ECC", Sector.LOCAL_AUTHORITY, "easterby-city"
    ),
    DemoOrganisation(
        "Northshire GP Federation", "NGPF", Sector.PRIMARY_CARE, "northshire-gpf"
    ),
    DemoOrganisation(
        "Brightwater Homes Housing Association",
        "BWH",
        Sector.HOUSING,
        "brightwater-homes",
    ),
    DemoOrganisation(
        "Wealdmoor Borough Council", "WBC", Sector.LOCAL_AUTHORITY, "wealdmoor-bc"
    ),
    DemoOrganisation("St Aidan's Hospice", "SAH", Sector.VCSE, "st-aidans-hospice"),
    DemoOrganisation(
        "Kindred Care Community Interest Company",
        "KCC",
        Sector.SOCIAL_ENTERPRISE,
        "kindred-care",
    ),
    DemoOrganisation(
        "Easterby Primary Care Network", "EPCN", Sector.PRIMARY_CARE, "easterby-pcn"
    ),
    DemoOrganisation(
        "Northshire Fire and Rescue Service", "NFRS", Sector.OTHER, "northshire-fire"
    ),
    DemoOrganisation(
        "Healthwatch Northshire", "HWN", Sector.VCSE, "healthwatch-northshire"
    ),
    DemoOrganisation(
        "Wealdmoor Community Housing", "WCH", Sector.HOUSING, "wealdmoor-housing"
    ),
    DemoOrganisation(
        "East Northshire Ambulance Service NHS Trust",
        "ENAS",
        Sector.NHS_ACUTE,
        "en-ambulance",
    ),
)
SMALL_ORGANISATION_INDEX = 7  # the housing association, when eight or more take part

SELF_DIMENSIONS = (
    "shared_purpose",
    "trust_relationships",
    "leadership",
    "governance_influence",
    "funding_finance",
    "capacity_workforce",
    "communication_engagement",
    "openness_learning",
    "incentives_context",
)
# True mean (1-5) per sector over SELF_DIMENSIONS: councils and the VCSE feel the top-down
# ICS (governance) and the money; the acute trust has no capacity and the wrong incentives.
SECTOR_LEVELS: dict[str, tuple[float, ...]] = {
    Sector.NHS_ACUTE: (3.4, 3.3, 3.5, 3.4, 3.0, 2.2, 3.2, 3.0, 2.4),
    Sector.NHS_COMMUNITY: (3.7, 3.6, 3.6, 3.3, 3.0, 2.8, 3.5, 3.6, 3.1),
    Sector.PRIMARY_CARE: (3.3, 3.2, 3.2, 2.8, 2.7, 2.5, 3.0, 3.4, 2.8),
    Sector.ICB: (3.9, 3.5, 3.8, 4.1, 3.3, 3.3, 3.5, 3.3, 3.3),
    Sector.LOCAL_AUTHORITY: (3.5, 3.1, 3.6, 2.4, 2.5, 2.9, 3.2, 3.3, 3.0),
    Sector.VCSE: (3.8, 3.4, 3.5, 2.5, 2.3, 2.6, 3.4, 4.1, 3.2),
    Sector.SOCIAL_ENTERPRISE: (3.7, 3.4, 3.5, 2.7, 2.6, 2.9, 3.4, 3.9, 3.2),
    Sector.HOUSING: (3.6, 3.3, 3.4, 2.6, 2.5, 3.0, 3.3, 4.0, 3.3),
    Sector.OTHER: (3.4, 3.3, 3.4, 3.0, 2.9, 3.0, 3.2, 3.3, 3.1),
}
# Culture mix (H, I, E, F points out of 100) per sector.
CULTURE_TYPES = ("H", "I", "E", "F")
SECTOR_CULTURE: dict[str, tuple[int, int, int, int]] = {
    Sector.NHS_ACUTE: (48, 20, 14, 18),
    Sector.NHS_COMMUNITY: (36, 15, 34, 15),
    Sector.PRIMARY_CARE: (14, 46, 30, 10),
    Sector.ICB: (52, 16, 18, 14),
    Sector.LOCAL_AUTHORITY: (38, 30, 18, 14),
    Sector.VCSE: (10, 14, 66, 10),
    Sector.SOCIAL_ENTERPRISE: (14, 32, 44, 10),
    Sector.HOUSING: (20, 18, 52, 10),
    Sector.OTHER: (42, 20, 24, 14),
}
# Sectors that feel partnership decisions are imposed on them (more F on the third prompt).
IMPOSED_UPON = {
    Sector.LOCAL_AUTHORITY,
    Sector.VCSE,
    Sector.PRIMARY_CARE,
    Sector.HOUSING,
}
# Alignment items (1 pull strongly away ... 5 pull strongly towards), in item order:
# individual incentives, team loyalties, instructions from authority.
SECTOR_ALIGNMENT: dict[str, tuple[float, float, float]] = {
    Sector.NHS_ACUTE: (2.3, 2.5, 3.6),
    Sector.NHS_COMMUNITY: (3.0, 3.1, 3.5),
    Sector.PRIMARY_CARE: (2.6, 2.8, 2.7),
    Sector.ICB: (3.2, 3.0, 4.0),
    Sector.LOCAL_AUTHORITY: (2.8, 3.0, 3.2),
    Sector.VCSE: (3.2, 3.9, 2.8),
    Sector.SOCIAL_ENTERPRISE: (3.0, 3.6, 3.0),
    Sector.HOUSING: (3.1, 3.6, 3.0),
    Sector.OTHER: (3.0, 3.0, 3.3),
}
# Directed trust (rater sector, subject sector) -> level; deliberately asymmetric.
DEFAULT_TRUST = 3.5
SECTOR_TRUST: dict[tuple[str, str], float] = {
    (Sector.LOCAL_AUTHORITY, Sector.NHS_ACUTE): 2.5,
    (Sector.NHS_ACUTE, Sector.LOCAL_AUTHORITY): 3.4,
    (Sector.VCSE, Sector.LOCAL_AUTHORITY): 2.6,
    (Sector.LOCAL_AUTHORITY, Sector.VCSE): 3.8,
    (Sector.LOCAL_AUTHORITY, Sector.ICB): 2.6,
    (Sector.ICB, Sector.LOCAL_AUTHORITY): 3.6,
    (Sector.LOCAL_AUTHORITY, Sector.LOCAL_AUTHORITY): 3.2,
    (Sector.VCSE, Sector.NHS_ACUTE): 2.9,
    (Sector.VCSE, Sector.ICB): 2.9,
    (Sector.HOUSING, Sector.LOCAL_AUTHORITY): 3.0,
    (Sector.HOUSING, Sector.NHS_ACUTE): 3.0,
    (Sector.PRIMARY_CARE, Sector.ICB): 2.8,
    (Sector.ICB, Sector.PRIMARY_CARE): 3.6,
    (Sector.PRIMARY_CARE, Sector.NHS_ACUTE): 2.9,
    (Sector.NHS_ACUTE, Sector.PRIMARY_CARE): 3.3,
    (Sector.NHS_COMMUNITY, Sector.NHS_ACUTE): 3.2,
    (Sector.VCSE, Sector.HOUSING): 4.0,
    (Sector.HOUSING, Sector.VCSE): 3.9,
    (Sector.VCSE, Sector.NHS_COMMUNITY): 3.8,
}
# How far raters in one sector over- (+) or under- (-) estimate another sector's trust in
# them (P6, the meta-perception) compared with that sector's actual trust.
SECTOR_META_BIAS: dict[tuple[str, str], float] = {
    (Sector.LOCAL_AUTHORITY, Sector.VCSE): 0.9,
    (Sector.NHS_ACUTE, Sector.LOCAL_AUTHORITY): 0.8,
    (Sector.ICB, Sector.LOCAL_AUTHORITY): 0.7,
    (Sector.ICB, Sector.PRIMARY_CARE): 0.5,
    (Sector.VCSE, Sector.ICB): -0.5,
    (Sector.HOUSING, Sector.LOCAL_AUTHORITY): -0.4,
}
SUBJECT_COMPETENCE = {
    Sector.NHS_ACUTE: 0.3,
    Sector.ICB: 0.1,
    Sector.VCSE: -0.3,
    Sector.HOUSING: -0.1,
    Sector.PRIMARY_CARE: -0.1,
}
SUBJECT_POWER = {
    Sector.NHS_ACUTE: 0.9,
    Sector.ICB: 0.8,
    Sector.LOCAL_AUTHORITY: 0.4,
    Sector.NHS_COMMUNITY: 0.3,
}
SMALL_SECTORS = {Sector.VCSE, Sector.HOUSING, Sector.SOCIAL_ENTERPRISE, Sector.OTHER}
# One organisation is visibly divided on one dimension, so "low agreement" shows.
DIVIDED = ("NCC", "shared_purpose")
BASELINE_SHIFT = -0.3

DONT_KNOW_DEFAULT = 0.04
DONT_KNOW_BY_DIMENSION = {"funding_finance": 0.10}
DONT_KNOW_BY_ITEM = {
    "FU2": 0.28
}  # leaders know little about partners' finances (seed 000)

ROLES = ("board_member", "executive", "non_executive", "senior_manager")
ROLE_WEIGHTS = (2, 3, 2, 5)
# fmt: off
FIRST_NAMES = (
    "amira", "ben", "chloe", "david", "emma", "farhan", "grace", "harry", "isla",
    "jack", "kavita", "liam", "maya", "nathan", "olivia", "priya", "rhys", "sarah",
    "tom", "uma", "victoria", "will", "yusuf", "zoe",
)
LAST_NAMES = (
    "ahmed", "baker", "campbell", "davies", "evans", "fraser", "green", "hughes",
    "iqbal", "jones", "khan", "lewis", "morgan", "nolan", "okafor", "patel", "quinn",
    "roberts", "singh", "taylor", "usman", "walker", "young", "zielinski",
)
# fmt: on
# Optional per-dimension comments: (said by the less ready, said by the more ready).
COMMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "shared_purpose": (
        (
            "Every partner signs up to the strategy, then goes back to its own priorities.",
            "The joint plan reads well but nobody could tell you what will change next year.",
            "We talk about prevention, but the money still follows the hospital.",
        ),
        (
            "The shared outcomes framework has really helped us agree what matters.",
            "Our board now asks how each decision fits the place plan.",
        ),
    ),
    "trust_relationships": (
        (
            "Relationships depend on two or three people; if they left we would start again.",
            "There is still a lot of us and them when things get difficult.",
            "Trust has been damaged by decisions made without us.",
        ),
        (
            "We have worked together long enough to have honest disagreements.",
            "Relationships at director level are the best they have been.",
        ),
    ),
    "leadership": (
        (
            "Leadership turnover means commitments get lost.",
            "Our leaders say the right things but targets still come first.",
            "Senior leaders rarely turn up to partnership meetings in person.",
        ),
        (
            "Our chief executive makes a point of championing joint work.",
            "Leaders now talk about the whole system, not just our organisation.",
        ),
    ),
    "governance_influence": (
        (
            "Decisions are made at system level and handed down to us.",
            "It is not clear which board decides what, or how we can influence it.",
            "Too many meetings, too few decisions.",
        ),
        (
            "The partnership board has real delegated authority now.",
            "Accountability for the pooled budget is clear and agreed.",
        ),
    ),
    "funding_finance": (
        (
            "Budget pressures mean partnership work is the first thing to slip.",
            "Different financial rules make it almost impossible to pool money.",
            "We do not really understand how our partners are funded.",
        ),
        (
            "The pooled fund has shown that shared financial risk can work.",
            "Finance leads now meet regularly and that has helped.",
        ),
    ),
    "capacity_workforce": (
        (
            "Nobody has protected time for this; it all happens on top of the day job.",
            "Workforce gaps leave no room for anything beyond our own services.",
            "We cannot release staff to joint teams without cancelling clinics.",
        ),
        (
            "Joint training has helped staff understand how partners work.",
            "Secondments between organisations have been a real success.",
        ),
    ),
    "communication_engagement": (
        (
            "Frontline staff hear about joint work after decisions are made.",
            "We find out about partners' decisions from the local paper.",
            "Each organisation tells a slightly different story about why we are doing this.",
        ),
        (
            "Regular joint briefings mean staff hear the same message.",
            "Partners now talk to us before decisions that affect us.",
        ),
    ),
    "openness_learning": (
        (
            "People worry that admitting a problem will be used against us.",
            "Reviews of joint work still look for someone to blame.",
        ),
        (
            "We are much better at asking partners for help than we were.",
            "Learning reviews after incidents are now done jointly.",
            "Different ways of working are seen as a strength here.",
        ),
    ),
    "incentives_context": (
        (
            "Our targets reward our own performance, not joint outcomes.",
            "Procurement and information governance make joint working slow.",
            "Old rivalries between organisations still colour our dealings.",
        ),
        (
            "Data sharing agreements are finally in place and working.",
            "The partnership boundary matches our area, which helps.",
        ),
    ),
}
COMMENT_RATE = 0.08
