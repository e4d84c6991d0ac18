"""Demo people: organisations, staff and carers, their roles, caring, consent and equality answers.

Importing this module registers the ``people`` step with ``peerpath.core.seeding``.
Every value comes from the step's seeded generator and the context's anchor date.
The names below were written for PeerPath to reflect London's mix; nothing is
drawn from real records. Emails use the reserved example domains (RFC 2606),
phone numbers Ofcom's drama ranges, and postcodes only look like the borough's.

Later steps find what was made in ``context.shared[SHARED_KEY]`` (a :class:`SeededPeople`).
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from peerpath.core import seeding
from peerpath.core.seeding import DemoLogin, SeedContext, SeedError
from peerpath.people.models import Area, CaringRole, Consent, EqualityMonitoring, Membership, Organisation, Person
from peerpath.people.seeding.names import (
    NAME_POOLS,
    PNTS,
    POOL_PICKER,
    PREFERRED_NAMES,
    NamePool,
    Weighted,
    split_names,
    weighted,
)

SHARED_KEY = "people"
Role = Membership.Role
TutorKind = Membership.TutorKind


# The five boroughs of migration 0002 (repeated so that a flushed database can be seeded),
# each with a few of its real outward codes for plausible-looking postcodes.
SWL_BOROUGHS = [
    ("E09000021", "Kingston upon Thames", ("KT1", "KT2", "KT3", "KT5", "KT6", "KT9")),
    ("E09000024", "Merton", ("SW19", "SW20", "CR4", "SM4")),
    ("E09000027", "Richmond upon Thames", ("TW1", "TW2", "TW9", "TW10", "TW11", "TW12", "SW13", "SW14")),
    ("E09000029", "Sutton", ("SM1", "SM2", "SM3", "SM5", "SM6")),
    ("E09000032", "Wandsworth", ("SW11", "SW12", "SW15", "SW17", "SW18")),
]
SWL_COLLEGE = "South West London Recovery College"
# The college's partners in the order scales take them: small takes the first three.
SWL_PARTNERS = [
    ("Rethink Mental Illness carers' group, South West London", Organisation.Kind.CHARITY_GROUP, "E09000032"),
    ("Wandsworth Carers' Centre", Organisation.Kind.CARERS_CENTRE, "E09000032"),
    ("Merton Carers' Centre", Organisation.Kind.CARERS_CENTRE, "E09000024"),
    ("Kingston Carers' Centre", Organisation.Kind.CARERS_CENTRE, "E09000021"),
    ("Sutton Carers' Centre", Organisation.Kind.CARERS_CENTRE, "E09000029"),
    ("Richmond Carers' Centre", Organisation.Kind.CARERS_CENTRE, "E09000027"),
    ("Merton and Sutton family carers' forum", Organisation.Kind.OTHER, "E09000029"),
    ("Kingston and Richmond carers' peer support group", Organisation.Kind.OTHER, "E09000021"),
]

# Invented places for the national scale: these syllables make names like "Ashcombe" and "Thornley".
_PLACE_STARTS = split_names(
    "Ash, Bram, Brook, Cal, Carr, Clay, Cold, Crane, Dun, Elm, Fair, Fern, Gold, Hal, Hart, Hay, Hol, Lang, Lark,"
    " Lin, Marl, Mill, Nor, Oak, Pen, Red, Ridge, Ros, Salt, Sand, Shel, Stan, Stone, Thorn, Wal, West, Whit, Wil,"
    " Wold, Wyn, Kes, Bel, Orm, Cres"
)
_PLACE_ENDS = split_names(
    "bury, combe, dale, don, field, ford, ham, hurst, ley, mere, stead, thorpe, ton, wick, worth, borough, by, well"
)
# Real postcode areas lend their letters to invented districts ("LS41"); nothing maps to a real street.
_POSTCODE_AREAS = split_names(
    "AL, BA, BB, BD, BH, BL, BN, BS, CA, CB, CH, CM, CO, CT, CV, CW, DE, DH, DL, DN, DT, DY, EX, FY, GL, GU, HD,"
    " HG, HP, HR, HU, HX, IP, LA, LE, LN, LS, LU, ME, MK, NE, NG, NN, NR, OL, OX, PE, PL, PO, PR, RG, RH, SK, SL,"
    " SN, SO, SP, SR, SS, ST, SY, TA, TF, TN, TQ, TR, TS, WA, WF, WN, WR, WS, WV, YO"
)
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward code (no C, I, K, M, O, V)
EMAIL_DOMAINS = weighted("example.org 5, example.net 3, example.com 2")

# (role, tutor kind, username, given name, family name, sex, description) for the demo logins,
# all at the South West London Recovery College. The participant also belongs to the Rethink group.
DEMO_PEOPLE = [
    (Role.COORDINATOR, "", "coordinator", "Grace", "Adeyemi", "female", "Coordinator"),
    (Role.TUTOR, TutorKind.PEER, "peer.tutor", "Maureen", "Kelly", "female", "Peer tutor"),
    (Role.TUTOR, TutorKind.PROFESSIONAL, "professional.tutor", "Daniel", "Hughes", "male", "Professional tutor"),
    (Role.ASSESSOR, "", "assessor", "Sunita", "Mehta", "female", "Assessor"),
    (Role.EVALUATOR, "", "evaluator", "Tom", "Whitfield", "male", "Evaluator"),
    (Role.PARTICIPANT, "", "participant", "Marcia", "Campbell", "female", "Participant"),
]
ADMIN_USERNAME = "administrator"

# What the carer is to the person cared for (PersonRelationshipType), by the carer's sex and
# whether they are under 32 (younger carers more often look after a parent or a sibling).
_RELATIONSHIPS = {
    ("female", False): weighted(
        "03 22, 12 16, 01 12, 02 10, 09 15, 14 5, 16 4, L1 3, 07 1.5, 06 1, 05 0.5, 98 1, 99 1"
    ),
    ("male", False): weighted("03 22, 13 12, 01 14, 02 12, 09 15, 15 5, 16 4, L1 3, 07 1.5, 06 1, 05 0.5, 98 1, 99 1"),
    ("female", True): weighted("09 38, 14 20, 02 22, 16 8, L1 10, 99 2"),
    ("male", True): weighted("09 38, 15 20, 02 22, 16 8, L1 10, 99 2"),
}
# How carers refer to the person they care for, by relationship code; never a name.
_CARED_FOR_LABELS = {
    code: split_names(labels)
    for code, labels in (
        ("01", "my husband, my wife"),
        ("02", "my partner, my partner, my boyfriend, my girlfriend"),
        ("03", "my son, my daughter, my son, my adult son, my daughter"),
        ("05", "my niece, my nephew, my grandson"),
        ("06", "my foster son, my foster daughter"),
        ("07", "my stepson, my stepdaughter"),
        ("09", "my mum, my dad, my mother, my father"),
        ("12", "my son, my daughter"),
        ("13", "my son, my daughter"),
        ("14", "my brother, my sister"),
        ("15", "my brother, my sister"),
        ("16", "my grandson, my granddaughter, my niece, my nephew, my cousin, my aunt"),
        ("L1", "my friend, my neighbour, a close friend"),
    )
}
_ANSWER_SEXUAL_ORIENTATION = weighted("straight 86, gay_lesbian 2.5, bisexual 1.5, other 0.5, pnts 6, - 3.5")
_ANSWER_GENDER_SAME = weighted("yes 91, no 1, pnts 4, - 4")
_ANSWER_DISABILITY = weighted("no 58, yes_a_little 19, yes_a_lot 10, pnts 7, - 6")
_ANSWER_MARITAL = {
    "young": weighted("single 70, married 18, separated 2, divorced 1, pnts 5, - 4"),
    "middle": weighted("married 55, single 22, separated 6, divorced 8, widowed 1, pnts 5, - 4"),
    "older": weighted("married 52, single 8, separated 4, divorced 15, widowed 13, pnts 5, - 4"),
}
_PARTICIPANT_METHODS = weighted("paper 40, in_person 25, phone 20, email 15")
_AGE_BANDS = [(18, "under_18"), (25, "18_24"), (35, "25_34"), (45, "35_44"), (55, "45_54"), (65, "55_64")]


def _age_band(age: int) -> str:
    for limit, band in _AGE_BANDS:
        if age < limit:
            return band
    return "65_74" if age < 75 else "75_plus"


def _ascii(text: str) -> str:
    """Lower-case letters and digits only, accents dropped: 'Róisín O'Neill' gives 'roisinoneill'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(char for char in folded if char.isalnum())


def _staff_plan(kind: str, expected_people: int) -> list[tuple[str, str, int]]:
    """How many of each staff role an organisation of this kind and size has."""
    n = expected_people
    if kind == Organisation.Kind.RECOVERY_COLLEGE:
        return [
            (Role.COORDINATOR, "", 2 + n // 2000),
            (Role.TUTOR, TutorKind.PEER, 4 + n // 400),
            (Role.TUTOR, TutorKind.PROFESSIONAL, 3 + n // 600),
            (Role.ASSESSOR, "", 1 + n // 2500),
            (Role.EVALUATOR, "", 1 + n // 5000),
        ]
    if kind == Organisation.Kind.CHARITY_GROUP:
        return [(Role.COORDINATOR, "", 1 + n // 1500), (Role.TUTOR, TutorKind.PEER, 1 + n // 300)]
    return [
        (Role.COORDINATOR, "", 1 + n // 1500),
        (Role.TUTOR, TutorKind.PEER, 1 + n // 400),
        (Role.TUTOR, TutorKind.PROFESSIONAL, n // 1000),
    ]


# Share of staff in each role who are carers themselves (peer tutors always are).
_STAFF_CARER_SHARE: dict[tuple[str, str], float] = {
    (Role.COORDINATOR, ""): 0.3,
    (Role.TUTOR, TutorKind.PEER): 1.0,
    (Role.TUTOR, TutorKind.PROFESSIONAL): 0.1,
    (Role.ASSESSOR, ""): 0.5,
    (Role.EVALUATOR, ""): 0.05,
}


@dataclass
class SeededOrganisation:
    """One seeded organisation and who holds which role in it.

    ``people_by_role`` maps a membership role to person ids, with tutors split
    into ``"tutor:peer"`` and ``"tutor:professional"``; ended memberships included.
    """

    id: uuid.UUID
    name: str
    kind: str
    area_id: int | None
    group: int  # organisations with the same group are one college and its partners
    weight: float
    areas: list[tuple[int, tuple[str, ...]]]  # (area id, outward codes) where its people live
    coordinator_user_ids: list[int] = field(default_factory=list)
    people_by_role: dict[str, list[uuid.UUID]] = field(default_factory=dict)

    def add(self, role: str, person_id: uuid.UUID) -> None:
        self.people_by_role.setdefault(role, []).append(person_id)


@dataclass
class SeededPeople:
    """What the people step made, for later steps: organisations and the demo logins' person ids."""

    organisations: list[SeededOrganisation]
    demo_person_ids: dict[str, uuid.UUID]
    admin_user_id: int


@dataclass
class _Batch:
    users: list[User] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    caring_roles: list[CaringRole] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    equality: list[EqualityMonitoring] = field(default_factory=list)


class PeopleSeeder:
    def __init__(self, context: SeedContext) -> None:
        self.context = context
        self.rng = context.rng
        self.today = context.today
        self.emails: set[str] = set()
        self.usernames: set[str] = {ADMIN_USERNAME, *(entry[2] for entry in DEMO_PEOPLE)}
        self.batch = _Batch()
        self.organisations: list[SeededOrganisation] = []
        self.org_picker: Weighted[SeededOrganisation] | None = None
        self.groups: dict[int, list[SeededOrganisation]] = {}
        self.person_ids: Iterator[uuid.UUID] = iter(())

    # Organisations and areas ------------------------------------------------------------

    def check_not_seeded(self) -> None:
        if Organisation.objects.exists() or Person.objects.exists():
            raise SeedError(
                "This database already has organisations or people but no finished seed run. seed_demo only "
                "fills a new, empty database. If an earlier seed run stopped part-way, empty the database "
                "with 'manage.py flush' and run seed_demo again."
            )

    def make_organisations(self) -> None:
        sizes = self.context.sizes
        boroughs = self._ensure_boroughs()
        areas_by_code = {area.code: area for area in boroughs}
        swl_areas = [(area.id, outward) for area, (_, _, outward) in zip(boroughs, SWL_BOROUGHS, strict=True)]
        college = self._organisation(SWL_COLLEGE, Organisation.Kind.RECOVERY_COLLEGE, None, 0, 1.2, swl_areas)
        organisations = [college]
        for name, kind, code in SWL_PARTNERS[: sizes.partners_per_college]:
            area = areas_by_code[code]
            home = next(entry for entry in swl_areas if entry[0] == area.id)
            # Carers' centres draw mostly from their own borough; groups from all five.
            served = [home] * 6 + swl_areas if kind == Organisation.Kind.CARERS_CENTRE else swl_areas
            organisations.append(self._organisation(name, kind, area.id, 0, 0.8 / sizes.partners_per_college, served))
        if sizes.colleges > 1:
            organisations += self._invented_regions(sizes.colleges - 1, sizes.partners_per_college)
        with transaction.atomic(savepoint=False):
            self.context.insert(
                [
                    Organisation(id=org.id, name=org.name, kind=org.kind, area_id=org.area_id, created_at=created)
                    for org, created in zip(organisations, self._org_created_dates(len(organisations)), strict=True)
                ]
            )
        self.organisations = organisations
        self.org_picker = Weighted([(org, org.weight) for org in organisations])
        for org in organisations:
            self.groups.setdefault(org.group, []).append(org)

    def _ensure_boroughs(self) -> list[Area]:
        existing = {area.code: area for area in Area.objects.filter(code__in=[code for code, *_ in SWL_BOROUGHS])}
        missing = [Area(code=code, name=name) for code, name, _ in SWL_BOROUGHS if code not in existing]
        if missing:
            with transaction.atomic(savepoint=False):
                self.context.insert(missing)
            existing = {area.code: area for area in Area.objects.filter(code__in=[code for code, *_ in SWL_BOROUGHS])}
        return [existing[code] for code, *_ in SWL_BOROUGHS]

    def _organisation(
        self,
        name: str,
        kind: str,
        area_id: int | None,
        group: int,
        weight: float,
        areas: list[tuple[int, tuple[str, ...]]],
    ) -> SeededOrganisation:
        return SeededOrganisation(
            id=self.context.uuid(), name=name, kind=kind, area_id=area_id, group=group, weight=weight, areas=areas
        )

    def _org_created_dates(self, count: int) -> list[datetime]:
        earliest = self.today - timedelta(days=365 * (self.context.sizes.years + 3))
        return [self._moment(earliest + timedelta(days=self.rng.randrange(300))) for _ in range(count)]

    def _invented_regions(self, count: int, partners: int) -> list[SeededOrganisation]:
        """Colleges and partners across invented areas with codes X0000001 upwards."""
        taken = set(Area.objects.values_list("name", flat=True))
        names = [start + end for start in _PLACE_STARTS for end in _PLACE_ENDS]
        self.rng.shuffle(names)
        names = [name for name in names if name not in taken]
        new_areas: list[tuple[Area, tuple[str, ...]]] = []
        regions: list[list[int]] = []
        for region in range(count):
            letters = _POSTCODE_AREAS[region % len(_POSTCODE_AREAS)]
            indices = []
            for place in range(self.rng.randint(2, 5)):
                number = len(new_areas) + 1
                area = Area(code=f"X{number:07d}", name=names.pop())
                base = 1 + place * 4 + (region // len(_POSTCODE_AREAS)) * 20
                new_areas.append((area, tuple(f"{letters}{base + k}" for k in range(3))))
                indices.append(len(new_areas) - 1)
            regions.append(indices)
        with transaction.atomic(savepoint=False):
            self.context.insert([area for area, _ in new_areas])
        if any(area.pk is None for area, _ in new_areas):  # databases that cannot return ids
            ids = dict(Area.objects.filter(code__startswith="X").values_list("code", "id"))
            for area, _ in new_areas:
                area.pk = ids[area.code]
        organisations = []
        for group, indices in enumerate(regions, start=1):
            served = [(new_areas[i][0].pk, new_areas[i][1]) for i in indices]
            names_here = [new_areas[i][0].name for i in indices]
            weight = self.rng.uniform(0.5, 1.5)
            college_name = f"{names_here[0]} and {names_here[1]} Recovery College"
            organisations.append(
                self._organisation(college_name, Organisation.Kind.RECOVERY_COLLEGE, None, group, weight * 0.6, served)
            )
            for number in range(partners):
                if number == 0:
                    name, kind, home = (
                        f"Rethink Mental Illness carers' group, {names_here[0]}",
                        Organisation.Kind.CHARITY_GROUP,
                        0,
                    )
                else:
                    home = (number - 1) % len(indices)
                    suffix = "Carers' Centre" if number <= len(indices) else "Carers' Network"
                    name, kind = f"{names_here[home]} {suffix}", Organisation.Kind.CARERS_CENTRE
                area_id = served[home][0]
                organisations.append(
                    self._organisation(name, kind, area_id, group, weight * 0.4 / partners, [served[home]] * 4 + served)
                )
        return organisations

    # People --------------------------------------------------------------------------------

    def _moment(self, day: date) -> datetime:
        """A time during office hours on that day (UTC, so no clock-change gaps)."""
        minutes = self.rng.randrange(8 * 60 + 30, 18 * 60)
        return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=UTC)

    def _days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def _email(self, given: str, family: str) -> str:
        first, last = _ascii(given) or "carer", _ascii(family) or "peerpath"
        style = self.rng.random()
        if style < 0.7:
            local = f"{first}.{last}"
        elif style < 0.85:
            local = f"{first}{last}"
        elif style < 0.95:
            local = f"{first[0]}.{last}"
        else:
            local = f"{last}.{first}"
        domain = EMAIL_DOMAINS.pick(self.rng)
        email, number = f"{local}@{domain}", 1
        while email in self.emails:
            number += 1
            email = f"{local}{number}@{domain}"
        self.emails.add(email)
        return email

    def _username(self, email: str) -> str:
        base = email.split("@", 1)[0]
        username, number = base, 1
        while username in self.usernames:
            number += 1
            username = f"{base}{number}"
        self.usernames.add(username)
        return username

    def _postcode(self, outward: tuple[str, ...]) -> str:
        letters = _INWARD_LETTERS
        return (
            f"{self.rng.choice(outward)} {self.rng.randint(1, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"
        )

    def _phone(self) -> str:
        if self.rng.random() < 0.75:
            return f"07700 900{self.rng.randrange(1000):03d}"
        return f"020 7946 0{self.rng.randrange(1000):03d}"

    def new_person(
        self,
        org: SeededOrganisation,
        *,
        staff: bool,
        carer_share: float,
        given: str | None = None,
        family: str | None = None,
        sex: str | None = None,
        username: str | None = None,
    ) -> tuple[Person, User | None, date]:
        """One person, their login if staff, caring roles, consents and (often) equality answers.

        Returns the person, their user and the day their first membership starts.
        """
        rng = self.rng
        pool = next((pool for pool in NAME_POOLS if family in pool.surnames), None) if family else None
        pool = pool or POOL_PICKER.pick(rng)
        true_sex = sex or ("female" if rng.random() < (0.7 if staff else 0.68) else "male")
        if given is None:
            given = rng.choice(pool.female if true_sex == "female" else pool.male)
        if family is None:
            family = rng.choice(pool.surnames)
            if rng.random() < 0.03:  # double-barrelled, often across families of different heritage
                family = f"{family}-{rng.choice(POOL_PICKER.pick(rng).surnames)}"
        age = round(rng.triangular(24, 67, 45) if staff else rng.triangular(18, 88, 56))
        date_of_birth = self.today - timedelta(days=365 * age + rng.randrange(365))
        joined = self._days_ago(180, 365 * 6) if staff else self._days_ago(14, 365 * self.context.sizes.years + 365)
        created_at = self._moment(joined - timedelta(days=rng.randrange(4)))
        outward_area = rng.choice(org.areas)
        has_area = rng.random() < 0.97
        email = self._email(given, family) if staff or username or rng.random() < 0.9 else ""
        person = Person(
            id=self._next_person_id(),
            given_name=given,
            family_name=family,
            preferred_name=PREFERRED_NAMES.get(given, "") if rng.random() < 0.4 else "",
            email=email,
            phone=self._phone() if rng.random() < 0.85 else "",
            date_of_birth=date_of_birth if staff or rng.random() < 0.9 else None,
            postcode=self._postcode(outward_area[1]) if has_area else "",
            area_id=outward_area[0] if has_area else None,
            created_at=created_at,
            updated_at=created_at
            if rng.random() < 0.7
            else self._moment(self.today - timedelta(days=rng.randrange(max(1, (self.today - joined).days)))),
        )
        user = None
        if staff or username:
            user = User(
                username=username or self._username(email),
                email=email,
                first_name=given,
                last_name=family,
                password=self.context.password_hash(),
                date_joined=created_at,
            )
            person.user = user
            self.batch.users.append(user)
        self.batch.people.append(person)
        if rng.random() < carer_share:
            self._caring_roles(person, true_sex, age, joined)
        self._consents(person, user, org, joined)
        if rng.random() < 0.6:
            self._equality(person, pool, true_sex, age, joined)
        return person, user, joined

    def _caring_roles(self, person: Person, sex: str, age: int, joined: date) -> None:
        rng = self.rng
        relationships = _RELATIONSHIPS[(sex, age < 32)]
        for _ in range(2 if rng.random() < 0.1 else 1):
            code = relationships.pick(rng)
            labels = _CARED_FOR_LABELS.get(code, ())
            years_caring = rng.uniform(0.5, max(1.0, min(25.0, age - 16)))
            started_on = joined - timedelta(days=round(365 * years_caring)) if rng.random() < 0.8 else None
            ended_on = None
            if started_on is not None and rng.random() < 0.04:
                ended_on = started_on + timedelta(days=rng.randrange(max(1, (self.today - started_on).days)))
            self.batch.caring_roles.append(
                CaringRole(
                    carer_id=person.id,
                    relationship=code,
                    cared_for_label=rng.choice(labels) if labels and rng.random() < 0.85 else "",
                    started_on=started_on,
                    ended_on=ended_on,
                )
            )

    def _consents(self, person: Person, user: User | None, org: SeededOrganisation, joined: date) -> None:
        rng = self.rng
        for purpose, share in (("contact", 0.94), ("evaluation", 0.8), ("sharing", 0.55)):
            if rng.random() >= share:
                continue
            decided_on = min(self.today, joined + timedelta(days=rng.randrange(-14, 3)))
            self._consent(person, user, org, purpose, "given", decided_on)
            if rng.random() < 0.07 and (self.today - decided_on).days > 30:
                withdrawn_on = decided_on + timedelta(days=rng.randint(30, (self.today - decided_on).days))
                self._consent(person, user, org, purpose, "withdrawn", withdrawn_on)

    def _consent(
        self, person: Person, user: User | None, org: SeededOrganisation, purpose: str, decision: str, day: date
    ) -> None:
        rng = self.rng
        if user is not None and rng.random() < 0.7:
            method, recorded_day = "online", day
        else:
            method = _PARTICIPANT_METHODS.pick(rng)
            recorded_day = min(self.today, day + timedelta(days=rng.randrange(8)))
        consent = Consent(
            id=self.context.uuid(),
            person_id=person.id,
            purpose=purpose,
            decision=decision,
            method=method,
            decided_on=day,
            recorded_at=self._moment(recorded_day),
        )
        if user is not None and (method == "online" or not org.coordinator_user_ids):
            # Online decisions are the person's own; staff, seeded before any coordinator
            # has an id, are recorded as entering their own paper forms.
            consent.recorded_by = user
        elif org.coordinator_user_ids:
            consent.recorded_by_id = rng.choice(org.coordinator_user_ids)
        else:
            raise SeedError(f"{org.name} has no coordinator to record consent decisions.")
        self.batch.consents.append(consent)

    def _equality(self, person: Person, pool: NamePool, sex: str, age: int, joined: date) -> None:
        rng = self.rng

        def overlay(answer: str, prefer_not: float, blank: float) -> str:
            roll = rng.random()
            return PNTS if roll < prefer_not else "" if roll < prefer_not + blank else answer

        completed = min(self.today, joined + timedelta(days=rng.randrange(60)))
        marital = _ANSWER_MARITAL["young" if age < 30 else "middle" if age < 50 else "older"].pick(rng)
        if sex == "female" and age < 50:
            pregnant = overlay("yes" if rng.random() < 0.03 else "no", 0.04, 0.08)
        else:
            pregnant = overlay("no", 0.05, 0.15)
        self.batch.equality.append(
            EqualityMonitoring(
                person_id=person.id,
                age_band=overlay(_age_band(age), 0.05, 0.03),
                ethnicity=overlay(pool.ethnicity.pick(rng), 0.04, 0.03),
                sex=overlay(sex, 0.03, 0.03),
                gender_same_as_sex_at_birth=_ANSWER_GENDER_SAME.pick(rng),
                sexual_orientation=_ANSWER_SEXUAL_ORIENTATION.pick(rng),
                religion=overlay(pool.religion.pick(rng), 0.06, 0.04),
                disability=_ANSWER_DISABILITY.pick(rng),
                marital_status=marital,
                pregnant_or_recent_birth=pregnant,
                completed_at=self._moment(completed),
                completed_by_self=rng.random() < 0.65,
            )
        )

    def membership(
        self, person: Person, org: SeededOrganisation, role: str, tutor_kind: str, started_on: date, *, may_end: bool
    ) -> None:
        ended_on = None
        if may_end and self.rng.random() < 0.06 and (self.today - started_on).days > 31:
            ended_on = started_on + timedelta(days=self.rng.randint(30, (self.today - started_on).days - 1))
        self.batch.memberships.append(
            Membership(
                person_id=person.id,
                organisation_id=org.id,
                role=role,
                tutor_kind=tutor_kind,
                started_on=started_on,
                ended_on=ended_on,
            )
        )
        org.add(role if role != Role.TUTOR else f"tutor:{tutor_kind}", person.id)

    def flush(self) -> None:
        """Save everything built since the last flush in one transaction, parents first."""
        batch = self.batch
        with transaction.atomic(savepoint=False):
            self.context.insert(batch.users)
            if any(user.pk is None for user in batch.users):  # a database that cannot return new ids
                ids = dict(
                    User.objects.filter(username__in=[u.username for u in batch.users]).values_list("username", "id")
                )
                for user in batch.users:
                    user.pk = ids[user.username]
            for rows in (batch.people, batch.memberships, batch.caring_roles, batch.consents, batch.equality):
                self.context.insert(rows)
        self.context.progress(f"people: {self.context.counts['people.person']:,} people saved")
        self.batch = _Batch()

    # The step ---------------------------------------------------------------------------------

    def run(self) -> SeededPeople:
        self.check_not_seeded()
        self.make_organisations()
        staff_plan = self._staff_plans()
        staff_count = len(DEMO_PEOPLE) - 1 + sum(count for _org, _role, _kind, count in staff_plan)
        participants = max(0, self.context.sizes.people - staff_count - 1)
        self._draw_person_ids(staff_count + 1 + participants)
        admin_user = self._make_admin()
        demo_ids = self._make_demo_people()
        for org, role, tutor_kind, count in staff_plan:
            share = _STAFF_CARER_SHARE[(role, tutor_kind)]
            for _ in range(count):
                person, _user, joined = self.new_person(org, staff=True, carer_share=share)
                self.membership(person, org, role, tutor_kind, joined, may_end=False)
        self.flush()  # staff first, so participants' consents can name a coordinator who recorded them
        self._load_coordinator_user_ids()
        self._make_participants(participants)
        return SeededPeople(organisations=self.organisations, demo_person_ids=demo_ids, admin_user_id=admin_user.pk)

    def _staff_plans(self) -> list[tuple[SeededOrganisation, str, str, int]]:
        total_weight = sum(org.weight for org in self.organisations)
        plans = []
        for org in self.organisations:
            expected = round(self.context.sizes.people * org.weight / total_weight)
            plans += [(org, role, kind, count) for role, kind, count in _staff_plan(org.kind, expected) if count]
        return plans

    def _draw_person_ids(self, count: int) -> None:
        """Random version 4 ids, handed out in ascending order.

        The ids are as random as any, but inserting them in order appends to the
        indexes that lead with a person id (six of them) instead of rewriting
        pages all over each index at every commit: on SQLite that is most of the I/O.
        """
        self.person_ids = iter(sorted(self.context.uuid() for _ in range(count)))

    def _next_person_id(self) -> uuid.UUID:
        return next(self.person_ids, None) or self.context.uuid()

    def _make_admin(self) -> User:
        admin = User(
            username=ADMIN_USERNAME,
            email="administrator@example.org",
            first_name="Demo",
            last_name="Administrator",
            is_staff=True,
            is_superuser=True,
            password=self.context.password_hash(),
            date_joined=self._moment(self.today - timedelta(days=400)),
        )
        self.batch.users.append(admin)
        self.context.logins.append(DemoLogin("Administrator", ADMIN_USERNAME, "every organisation"))
        return admin

    def _make_demo_people(self) -> dict[str, uuid.UUID]:
        college = self.organisations[0]
        demo_ids: dict[str, uuid.UUID] = {}
        for role, tutor_kind, username, given, family, sex, label in DEMO_PEOPLE:
            person, _user, joined = self.new_person(
                college,
                staff=role != Role.PARTICIPANT,
                carer_share=1.0 if role in (Role.PARTICIPANT, Role.ASSESSOR) or tutor_kind == TutorKind.PEER else 0.0,
                given=given,
                family=family,
                sex=sex,
                username=username,
            )
            self.membership(person, college, role, tutor_kind, joined, may_end=False)
            if role == Role.PARTICIPANT and len(self.organisations) > 1:
                # The demo carer also goes to the Rethink group: a second organisation to see.
                self.membership(person, self.organisations[1], role, "", joined, may_end=False)
            demo_ids[username] = person.id
            self.context.logins.append(DemoLogin(label, username, college.name))
        return demo_ids

    def _load_coordinator_user_ids(self) -> None:
        for org in self.organisations:
            coordinator_ids = org.people_by_role.get(Role.COORDINATOR, [])
            org.coordinator_user_ids = list(
                Person.objects.filter(id__in=coordinator_ids)
                .order_by("user__username")
                .values_list("user_id", flat=True)
            )

    def _make_participants(self, count: int) -> None:
        picker = self.org_picker
        if picker is None:
            raise SeedError("Organisations must be made before participants.")
        for _ in range(count):
            org = picker.pick(self.rng)
            person, _user, joined = self.new_person(org, staff=False, carer_share=0.88)
            self.membership(person, org, Role.PARTICIPANT, "", joined, may_end=True)
            group = self.groups[org.group]
            # Some carers go both to the college and to a partner's groups.
            if len(group) > 1 and self.rng.random() < 0.15:
                other = self.rng.choice([candidate for candidate in group if candidate is not org])
                later = min(self.today, joined + timedelta(days=self.rng.randrange(365)))
                self.membership(person, other, Role.PARTICIPANT, "", later, may_end=True)
            if len(self.batch.people) >= self.context.batch_size:
                self.flush()
        self.flush()


def seed_people(context: SeedContext) -> None:
    """Seed organisations, people and everything about them for ``context.scale``."""
    result = PeopleSeeder(context).run()
    context.shared[SHARED_KEY] = result
    counts = context.counts
    context.write(
        f"people: {len(result.organisations)} organisations, {counts['people.person']:,} people, "
        f"{counts['people.membership']:,} memberships, {counts['people.caringrole']:,} caring roles, "
        f"{counts['people.consent']:,} consent decisions, {counts['people.equalitymonitoring']:,} equality forms, "
        f"{counts['auth.user']:,} logins"
    )


seeding.register("people", 10, seed_people)
