"""Coded reference lists used by people records (see shared/domain/REFERENCE.md §9).

Codes are stored; labels are for display. "Prefer not to say" is an answer in
its own right and distinct from a question left blank.
"""

from django.db import models

PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Ethnicity(models.TextChoices):
    """ONS Census 2021 / GSS harmonised ethnic groups for England and Wales (19 + prefer not to say)."""

    WHITE_BRITISH = "white_british", "English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "Roma"
    WHITE_OTHER = "white_other", "Any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "White and Black African"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "White and Asian"
    MIXED_OTHER = "mixed_other", "Any other Mixed or Multiple background"
    ASIAN_INDIAN = "asian_indian", "Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Pakistani"
    ASIAN_BANGLADESHI = "asian_bangladeshi", "Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Chinese"
    ASIAN_OTHER = "asian_other", "Any other Asian background"
    BLACK_CARIBBEAN = "black_caribbean", "Caribbean"
    BLACK_AFRICAN = "black_african", "African"
    BLACK_OTHER = "black_other", "Any other Black, Black British, or Caribbean background"
    OTHER_ARAB = "other_arab", "Arab"
    OTHER_ANY = "other_any", "Any other ethnic group"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class EthnicGroup(models.TextChoices):
    WHITE = "white", "White"
    MIXED = "mixed", "Mixed or Multiple ethnic groups"
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    OTHER = "other", "Other ethnic group"


def ethnic_group(ethnicity: str) -> EthnicGroup | None:
    """The 5-group summary of a 19-category answer; None for blank or prefer not to say."""
    prefix = ethnicity.split("_", 1)[0]
    return {
        "white": EthnicGroup.WHITE,
        "mixed": EthnicGroup.MIXED,
        "asian": EthnicGroup.ASIAN,
        "black": EthnicGroup.BLACK,
        "other": EthnicGroup.OTHER,
    }.get(prefix)


# The groups for an NHS.UK radios list with a heading per group.
ETHNICITY_GROUPS: list[tuple[EthnicGroup, list[Ethnicity]]] = [
    (group, [choice for choice in Ethnicity if ethnic_group(choice) == group]) for group in EthnicGroup
]


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", "Straight or heterosexual"
    GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Another sexual orientation"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    CHRISTIAN = "christian", "Christian"
    BUDDHIST = "buddhist", "Buddhist"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class Disability(models.TextChoices):
    """Equality Act definition, asked the ONS 2021 way (activities limited a lot / a little)."""

    YES_A_LOT = "yes_a_lot", "Yes, my day-to-day activities are limited a lot"
    YES_A_LITTLE = "yes_a_little", "Yes, my day-to-day activities are limited a little"
    NO = "no", "No"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class MaritalStatus(models.TextChoices):
    SINGLE = "single", "Never married and never registered a civil partnership"
    MARRIED = "married", "Married or in a civil partnership"
    SEPARATED = "separated", "Separated, but still legally married or in a civil partnership"
    DIVORCED = "divorced", "Divorced or civil partnership dissolved"
    WIDOWED = "widowed", "Widowed or surviving civil partner"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    AGE_18_24 = "18_24", "18 to 24"
    AGE_25_34 = "25_34", "25 to 34"
    AGE_35_44 = "35_44", "35 to 44"
    AGE_45_54 = "45_54", "45 to 54"
    AGE_55_64 = "55_64", "55 to 64"
    AGE_65_74 = "65_74", "65 to 74"
    AGE_75_PLUS = "75_plus", "75 or over"
    PREFER_NOT_TO_SAY = PREFER_NOT_TO_SAY, "Prefer not to say"


class PersonRelationshipType(models.TextChoices):
    """NHS Data Dictionary PersonRelationshipType (OID 2.16.840.1.113883.2.1.3.2.4.16.15).

    Labels are the dictionary's own; ``RELATIONSHIP_PLAIN_ENGLISH`` gives the words
    carers use. ``FRIEND`` is a local code: the national list has none for friends.
    """

    SPOUSE = "01", "Spouse"
    PARTNER = "02", "Partner"
    PARENT = "03", "Parent"
    NEXT_OF_KIN = "04", "Next of kin"
    GUARDIAN = "05", "Guardian"
    FOSTER_PARENT = "06", "Foster parent"
    STEP_PARENT = "07", "Step parent"
    POLYGAMOUS_PARTNER = "08", "Polygamous partner"
    CHILD = "09", "Child"
    DEPENDANT = "10", "Dependant"
    NON_DEPENDANT = "11", "Non-dependant"
    MOTHER = "12", "Mother"
    FATHER = "13", "Father"
    SISTER = "14", "Sister"
    BROTHER = "15", "Brother"
    RELATIVE = "16", "Relative"
    PROXY_CONTACT = "17", "Proxy-Contact"
    PROXY_COMMUNICATION = "18", "Proxy-Communication"
    PROXY_CONTACT_AND_COMMUNICATION = "19", "Proxy-Contact and Communication"
    CARER = "20", "Carer"
    SELF = "21", "Self"
    NOT_KNOWN = "98", "Not Known"
    NOT_SPECIFIED = "99", "Not specified"
    FRIEND = "L1", "Friend or neighbour (local code)"


# What the carer is to the person they care for, in everyday words.
RELATIONSHIP_PLAIN_ENGLISH: dict[str, str] = {
    "01": "Husband, wife or civil partner",
    "02": "Partner",
    "03": "Parent",
    "04": "Next of kin",
    "05": "Legal guardian",
    "06": "Foster parent",
    "07": "Step-parent",
    "08": "Partner",
    "09": "Son or daughter",
    "10": "Looks after a dependant",
    "11": "Family member (not a dependant)",
    "12": "Mother",
    "13": "Father",
    "14": "Sister",
    "15": "Brother",
    "16": "Other relative",
    "17": "Named contact",
    "18": "Speaks for them",
    "19": "Named contact who speaks for them",
    "20": "Carer",
    "21": "Self",
    "98": "Not known",
    "99": "Not specified",
    "L1": "Friend or neighbour",
}


class RelationshipGroup(models.TextChoices):
    """Reporting groups for relationships (a PeerPath proposal, REFERENCE.md §9)."""

    PARTNER = "partner", "Partner or spouse"
    PARENT = "parent", "Parent"
    CHILD = "child", "Son or daughter"
    SIBLING = "sibling", "Brother or sister"
    OTHER_RELATIVE = "other_relative", "Other relative"
    FRIEND = "friend", "Friend or neighbour"
    OTHER = "other", "Other or not known"


_RELATIONSHIP_GROUPS = {
    "01": RelationshipGroup.PARTNER,
    "02": RelationshipGroup.PARTNER,
    "08": RelationshipGroup.PARTNER,
    "03": RelationshipGroup.PARENT,
    "05": RelationshipGroup.PARENT,
    "06": RelationshipGroup.PARENT,
    "07": RelationshipGroup.PARENT,
    "12": RelationshipGroup.PARENT,
    "13": RelationshipGroup.PARENT,
    "09": RelationshipGroup.CHILD,
    "14": RelationshipGroup.SIBLING,
    "15": RelationshipGroup.SIBLING,
    "16": RelationshipGroup.OTHER_RELATIVE,
    "L1": RelationshipGroup.FRIEND,
}


def relationship_group(code: str) -> RelationshipGroup:
    return _RELATIONSHIP_GROUPS.get(code, RelationshipGroup.OTHER)
