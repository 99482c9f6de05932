"""Generate a large, realistic organisation for benchmarks and demos.

    python manage.py generate_org --people 2000 --services 400 --rotations 60 --years 5 --seed 1

Teams with Slack channels, people (some inactive, some without a phone or Slack, some never
verified), roles (team leads, some TBD), channels, SEV1-SEV4 with responders per tier shaped like
the escalation document's matrix, services, escalation paths with conditions, paging rules,
rotations (ISO week parity in UTC, and alternation of 2-5 slots in local time zones), and
`--years` of overrides and swap requests ending half a year from now.

The same seed gives the same organisation: every choice comes from one `random.Random(seed)`,
and the instants hang off `--today` (default: today). Rows are written with `bulk_create` in one
transaction, so no history rows are written (generated data has no past to audit).
"""

from __future__ import annotations

import random
import time as clock
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils.text import slugify

from escalation import rotation as engine
from escalation.cache import bump_data_version
from escalation.models import (
    Channel,
    ChannelKind,
    DataVersion,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    FeedToken,
    OnCallTier,
    OutgoingMessage,
    Override,
    PagingAction,
    PagingRule,
    PartyKind,
    PathKind,
    Person,
    Role,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    SlotRule,
    SwapKind,
    SwapRequest,
    SwapRequestEvent,
    SwapState,
    Team,
    Tier,
    Via,
    WeekParity,
)
from escalation.permissions import MANAGERS_GROUP
from escalation.schedules import schedule_for

NOT_EMPTY = (
    "The database already holds escalation data ({count} people, {services} services). "
    "Run with --flush to delete it first, or use an empty database."
)
TOO_SMALL = "--people must be at least {minimum} for {teams} teams (two per team and a few more)."
BATCH_SIZE = 1000

DOMAINS = [
    "Payments", "Billing", "Checkout", "Search", "Identity", "Notifications", "Messaging",
    "Platform", "Data", "Analytics", "Mobile", "Web", "Growth", "Pricing", "Catalog", "Inventory",
    "Fulfilment", "Logistics", "Support Tools", "Risk", "Fraud", "Compliance", "Security",
    "Infrastructure", "Networking", "Storage", "Observability", "Developer Experience",
    "Release Engineering", "Machine Learning", "Recommendations", "Ads", "Partnerships",
    "Integrations", "Accounts", "Onboarding", "Reporting", "Localisation", "Media", "Maps",
    "Scheduling", "Loyalty", "Marketplace", "Subscriptions", "Customer Data", "Content",
]  # fmt: skip
COMPONENTS = [
    ("API", "FastAPI"), ("Web", "React"), ("Worker", "Celery"), ("Database", "PostgreSQL"),
    ("Cache", "Redis"), ("Scheduler", "cron"), ("Gateway", "Envoy"), ("Indexer", "OpenSearch"),
    ("Event Stream", "Kafka"), ("Admin", "Django"), ("Webhooks", "Go"), ("Reports", "dbt"),
    ("Sync", "Go"), ("Importer", "Python"), ("Exporter", "Python"), ("Mobile Backend", "Kotlin"),
    ("Batch Jobs", "Spark"), ("Queue", "RabbitMQ"), ("Auth Adapter", "OAuth"), ("CDN", "Fastly"),
]  # fmt: skip
FIRST_NAMES = [
    "Aisha", "Alex", "Amara", "Ana", "Andrei", "Anika", "Arjun", "Astrid", "Ben", "Bilal",
    "Camille", "Carlos", "Chen", "Chloé", "Chidi", "Dana", "Daniel", "Dmitri", "Elena", "Emeka",
    "Emma", "Fatima", "Felix", "Freya", "Gabriel", "Grace", "Hamza", "Hana", "Hiroshi", "Ines",
    "Ivan", "Jakub", "James", "Jana", "Javier", "Jin", "Joana", "José", "Julia", "Kai", "Karim",
    "Kenji", "Kofi", "Lara", "Leila", "Liam", "Lina", "Luca", "Lucía", "Maja", "Malik", "Marco",
    "Maria", "Mateo", "Maya", "Mei", "Mohammed", "Nadia", "Naveen", "Nia", "Niamh", "Nikolai",
    "Noah", "Nora", "Oliver", "Olga", "Omar", "Paula", "Pedro", "Priya", "Rafael", "Rahul",
    "Rania", "Ravi", "Rosa", "Ruth", "Sakura", "Samir", "Sara", "Sean", "Sofia", "Søren",
    "Stefan", "Sunita", "Tariq", "Thomas", "Tomás", "Uma", "Valentina", "Victor", "Wei",
    "Yara", "Yusuf", "Zanele", "Zoë", "Aaron", "Beatriz", "Clara", "Diego", "Eitan",
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Adeyemi", "Ahmed", "Alvarez", "Andersen", "Bauer", "Becker", "Bianchi", "Brown",
    "Campbell", "Chen", "Costa", "da Silva", "Dubois", "Dvořák", "Eriksson", "Fernandes",
    "Fischer", "García", "Ghosh", "Gonzalez", "Hansen", "Hoffmann", "Horvat", "Hughes", "Ito",
    "Ivanova", "Jansen", "Jensen", "Johnson", "Kaur", "Kim", "Kowalski", "Kumar", "Larsen",
    "Lee", "Lopez", "Mahlangu", "Martin", "Meyer", "Moreau", "Müller", "Murphy", "Nakamura",
    "Nguyen", "Novak", "O'Brien", "Okafor", "Olsen", "Osei", "Patel", "Pereira", "Petrov",
    "Popescu", "Quinn", "Rahman", "Reddy", "Rossi", "Russo", "Sánchez", "Santos", "Schmidt",
    "Schneider", "Sharma", "Silva", "Singh", "Smith", "Sokolov", "Suzuki", "Svensson",
    "Takahashi", "Tanaka", "Taylor", "Thompson", "Tran", "Urquhart", "Van Dijk", "Varga",
    "Wagner", "Walsh", "Wang", "Weber", "Williams", "Wilson", "Wójcik", "Yamamoto", "Yilmaz",
    "Young", "Zhang", "Zimmermann", "Byrne", "Castillo", "Dlamini", "Haddad", "Iyer", "Jovanović",
]  # fmt: skip
# Numbers reserved for drama and examples (Ofcom; NANP 555-01xx), so nobody real is dialled.
UK_RANGES = ["2079460", "1614960", "1134960", "1214960", "1314960", "1414960", "1514960",
             "1174960", "1184960"]  # fmt: skip
US_AREAS = ["202", "212", "312", "415", "617", "646"]
TEAM_ZONES = [
    "Europe/London", "Europe/Berlin", "America/New_York", "Europe/Paris", "America/Los_Angeles",
    "Europe/Amsterdam", "Asia/Kolkata", "Europe/Warsaw", "America/Chicago", "Asia/Singapore",
    "Europe/Madrid", "Australia/Sydney", "America/Sao_Paulo", "Europe/Dublin", "Asia/Tokyo", "UTC",
]  # fmt: skip
ROTATION_ZONES = ["Europe/Berlin", "America/New_York", "Europe/London", "America/Los_Angeles",
                  "Asia/Singapore", "Australia/Sydney", "Asia/Kolkata"]  # fmt: skip
OVERRIDE_REASONS = ["Holiday", "Sick leave", "Conference", "Public holiday", "Family event",
                    "Moving house", "Training course", "Doctor's appointment", "Parental leave",
                    "Travelling", ""]  # fmt: skip
ORG_ROLES = [
    # name, alias, has a holder
    ("VP of Engineering", "vp-eng", True),
    ("CTO", "cto", True),
    ("Engineering Manager", "eng-manager", True),
    ("Security Lead", "security-lead", True),
    ("DBA Lead", "dba-lead", False),
    ("DevOps Lead", "devops-lead", True),
    ("Infrastructure Lead", "infra-lead", True),
    ("Integration Lead", "integration-lead", False),
    ("Head of Customer Support", "support-lead", True),
    ("Communications Lead", "comms-lead", True),
    ("Legal Counsel", "legal", False),
    ("Incident Commander", "incident-commander", True),
]
MANAGER_ROLES = ["Engineering Manager", "VP of Engineering", "Incident Commander", "CTO"]
CHANNELS = [
    # name, kind, purpose, who posts
    ("#incidents", ChannelKind.SLACK, "Active SEV1/SEV2 incident coordination",
     "Incident commander, responders"),
    ("#incidents-low", ChannelKind.SLACK, "SEV3/SEV4 tracking", "On-call engineer"),
    ("#engineering", ChannelKind.SLACK, "Post-incident summaries", "Incident commander"),
    ("#status-updates", ChannelKind.SLACK, "External-facing status updates", "Incident commander"),
    ("PagerDuty", ChannelKind.PAGERDUTY, "Automated alerting and paging", "Monitoring system"),
    ("#security-incidents", ChannelKind.SLACK, "Suspected breaches and vulnerabilities",
     "Security team, on-call engineer"),
    ("#vendor-escalations", ChannelKind.SLACK, "Open cases with vendors", "Integration lead"),
    ("#data-incidents", ChannelKind.SLACK, "Data loss and corruption", "DBA lead, responders"),
    ("#support-escalations", ChannelKind.SLACK, "Customer reports reaching engineering",
     "Support agents"),
    ("#on-call-swap", ChannelKind.SLACK, "Override and swap requests", "Anyone on call"),
    ("Status page", ChannelKind.STATUS_PAGE, "What customers see", "Communications lead"),
    ("Ticket queue", ChannelKind.TICKET, "Non-urgent follow-up", "Anyone"),
    ("incidents@example.com", ChannelKind.EMAIL, "Incident reports by email", "Anyone"),
]  # fmt: skip
PAGING_SIGNALS = [
    ("Service completely down", PagingAction.PAGE_NOW, None, "PagerDuty", None),
    ("Error rate > 5%", PagingAction.PAGE_NOW, None, "PagerDuty", None),
    ("Error rate 1-5%", PagingAction.SLACK, None, "#incidents", None),
    ("Performance degradation > 2x", PagingAction.PAGE_IF_SUSTAINED, 5, "PagerDuty", None),
    ("Single user report", PagingAction.INVESTIGATE, None, "#incidents-low", None),
    ("Multiple user reports", PagingAction.EVALUATE, None, "PagerDuty", "#incidents"),
    ("Scheduled maintenance issue", PagingAction.SLACK, None, "#incidents-low", None),
    ("Database replication lag > 60 s", PagingAction.PAGE_IF_SUSTAINED, 10, "PagerDuty", None),
    ("Disk usage > 90%", PagingAction.SLACK, None, "#incidents-low", None),
    ("Certificate expires within 7 days", PagingAction.INVESTIGATE, None, "Ticket queue", None),
    ("Suspected data breach", PagingAction.PAGE_NOW, None, "PagerDuty", "#security-incidents"),
    ("Payment provider errors > 2%", PagingAction.PAGE_IF_SUSTAINED, 3, "PagerDuty", None),
    ("Queue backlog > 10,000 messages", PagingAction.PAGE_IF_SUSTAINED, 15, "PagerDuty", None),
    ("Login failures spike", PagingAction.EVALUATE, None, "PagerDuty", "#security-incidents"),
    ("Third-party API timeouts", PagingAction.SLACK, None, "#vendor-escalations", None),
    ("Backup job failed", PagingAction.SLACK, None, "#data-incidents", None),
    ("Latency p99 > 2 s", PagingAction.PAGE_IF_SUSTAINED, 10, "PagerDuty", None),
    ("Status page check failing", PagingAction.PAGE_NOW, None, "PagerDuty", "#incidents"),
    ("Cost anomaly alert", PagingAction.INVESTIGATE, None, "#engineering", None),
    ("Customer escalation from support", PagingAction.EVALUATE, None, "#support-escalations",
     "PagerDuty"),
]  # fmt: skip
SEVERITY_DESCRIPTIONS = {
    1: "Critical: the product is down or data is at risk for many customers.",
    2: "Major: a key feature is broken or badly degraded.",
    3: "Minor: a feature is degraded for some customers; a workaround exists.",
    4: "Low: cosmetic or internal; handle in working hours.",
}


@dataclass
class OrgSize:
    people: int
    services: int
    rotations: int
    years: int
    teams: int


@dataclass
class _Occupancy:
    """Shifts of a rotation already touched by an override or request, per tier."""

    taken: set[tuple[str, datetime]] = field(default_factory=set)

    def free(self, tier: str, *starts: datetime) -> bool:
        return all((tier, start) not in self.taken for start in starts)

    def take(self, tier: str, *starts: datetime) -> None:
        self.taken.update((tier, start) for start in starts)


def ascii_words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch in " -").replace(" ", "-")


def bulk(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)


@contextmanager
def explicit_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Generated history needs its own creation times; auto_now(_add) would stamp them all now."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def escalation_tables() -> list[str]:
    """Every table of escalation data, history and many-to-many tables included."""
    kept = {DataVersion, FeedToken, OutgoingMessage}
    tables = []
    for model in apps.get_app_config("escalation").get_models(include_auto_created=True):
        if model not in kept:
            tables.append(model._meta.db_table)
    return tables


def flush_escalation_data() -> None:
    # Raw deletes: Model.delete() would collect every row and write a history row for each.
    # Foreign keys are deferred to the end of the transaction, so the order does not matter.
    with connection.cursor() as cursor:
        for table in escalation_tables():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    bump_data_version()


class OrgGenerator:
    def __init__(self, *, size: OrgSize, seed: int, today: date) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.today = today
        monday = today - timedelta(days=today.weekday())
        self.now = datetime.combine(today, time(12, 0), tzinfo=UTC)
        self.until = datetime.combine(monday, time(0, 0), tzinfo=UTC) + timedelta(weeks=26)
        self.since = self.until - timedelta(days=round(365.25 * size.years))
        self.counts: dict[str, int] = {}

    # --- the organisation -------------------------------------------------------------------

    def generate(self) -> dict[str, int]:
        self.make_teams()
        self.make_people()
        self.make_roles()
        self.make_channels()
        self.make_rotations()
        self.make_severities()
        self.make_services()
        self.make_paths()
        self.make_paging_rules()
        self.make_overrides_and_swaps()
        return self.counts

    def _count(self, name: str, rows: Sequence[Any]) -> None:
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def make_teams(self) -> None:
        self.domains = [
            DOMAINS[i % len(DOMAINS)] + ("" if i < len(DOMAINS) else f" {i // len(DOMAINS) + 1}")
            for i in range(self.size.teams)
        ]
        self.teams = [
            Team(
                name=f"{domain} Team",
                slug=slugify(domain),
                slack_channel=f"#team-{slugify(domain)}",
            )
            for domain in self.domains
        ]
        bulk(Team, self.teams)
        self.team_zone = {
            team.pk: TEAM_ZONES[i % len(TEAM_ZONES)] for i, team in enumerate(self.teams)
        }
        self._count("teams", self.teams)

    def make_people(self) -> None:
        rng = self.rng
        combos = len(FIRST_NAMES) * len(LAST_NAMES)
        picks = rng.sample(range(combos), min(self.size.people, combos))
        emails: set[str] = set()
        pd_handles: set[str] = set()
        uk_next = 0
        us_next = 0
        self.people: list[Person] = []
        leaver = self.size.people - 1  # always one inactive person without a phone
        for n in range(self.size.people):
            if n < len(picks):
                first = FIRST_NAMES[picks[n] // len(LAST_NAMES)]
                last = LAST_NAMES[picks[n] % len(LAST_NAMES)]
                display = f"{first} {last}"
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                display = f"{first} {last} ({n})"
            local = f"{ascii_words(first)}.{ascii_words(last)}".replace("-", "")
            email_local, k = local, 1
            while email_local in emails:
                k += 1
                email_local = f"{local}{k}"
            emails.add(email_local)
            pd = f"{ascii_words(first)[:1]}{ascii_words(last).replace('-', '')}"
            pd_handle, k = pd, 1
            while pd_handle in pd_handles:
                k += 1
                pd_handle = f"{pd}{k}"
            pd_handles.add(pd_handle)
            # Everybody has a team but a few (executives, contractors) spread over all teams.
            team = self.teams[n % len(self.teams)] if rng.random() > 0.03 else None
            zone = (
                self.team_zone[team.pk]
                if team is not None and rng.random() < 0.85
                else rng.choice(TEAM_ZONES)
            )
            if zone.startswith("America/"):
                area = US_AREAS[(us_next // 100) % len(US_AREAS)]
                phone = f"+1{area}55501{us_next % 100:02d}"
                us_next += 1
            else:
                block = UK_RANGES[(uk_next // 1000) % len(UK_RANGES)]
                phone = f"+44{block}{uk_next % 1000:03d}"
                uk_next += 1
            # Most confirmed their details within the last quarter, some long ago, some never.
            checked = rng.random()
            verified: datetime | None = None
            if checked >= 0.15:
                days = rng.randrange(1, 90) if checked < 0.75 else rng.randrange(90, 700)
                verified = self.now - timedelta(days=days, minutes=rng.randrange(1440))
            self.people.append(
                Person(
                    display_name=display,
                    email=f"{email_local}@example.com",
                    slack_handle="" if rng.random() < 0.04 else f"@{email_local}",
                    pagerduty_handle="" if rng.random() < 0.06 else f"@{pd_handle}",
                    phone="" if rng.random() < 0.08 or n == leaver else phone,
                    time_zone=zone,
                    team=team,
                    is_active=rng.random() > 0.03 and n != leaver,
                    verified_at=verified,
                )
            )
        self.make_users()
        bulk(Person, self.people)
        self.by_pk = {person.pk: person for person in self.people}
        self.members: dict[int, list[Person]] = {team.pk: [] for team in self.teams}
        for person in self.people:
            if person.team_id is not None and person.is_active:
                self.members[person.team_id].append(person)
        self.active = [person for person in self.people if person.is_active]
        self._count("people", self.people)

    def make_users(self) -> None:
        """A login for everyone active (the company's single sign-on would make them), so
        requests and decisions have someone who filed and made them. Existing ones are reused."""
        user_model = get_user_model()
        wanted = {person.email.split("@")[0]: person for person in self.people if person.is_active}
        users = {u.username: u for u in user_model.objects.filter(username__in=list(wanted))}
        new = []
        for username, person in wanted.items():
            if username not in users:
                first, _, last = person.display_name.partition(" ")
                users[username] = user_model(
                    username=username,
                    email=person.email,
                    first_name=first[:150],
                    last_name=last[:150],
                    password=make_password(None),
                )
                new.append(users[username])
        user_model.objects.bulk_create(new, batch_size=BATCH_SIZE)
        for username, person in wanted.items():
            person.user = users[username]
        self.counts["users created"] = len(new)

    def _team_people(self, team: Team, count: int) -> list[Person]:
        """`count` distinct active people, from the team first."""
        pool = self.members[team.pk]
        chosen = self.rng.sample(pool, min(count, len(pool)))
        while len(chosen) < count:
            extra = self.rng.choice(self.active)
            if extra not in chosen:
                chosen.append(extra)
        return chosen

    def make_roles(self) -> None:
        rng = self.rng
        roles: list[Role] = []
        self.org_roles: dict[str, Role] = {}
        for name, alias, filled in ORG_ROLES:
            role = Role(
                name=name,
                slug=alias,
                slack_alias=f"@{alias}",
                pagerduty_alias=f"@{alias}",
                holder=rng.choice(self.active) if filled else None,
            )
            self.org_roles[name] = role
            roles.append(role)
        self.team_lead: dict[int, Role] = {}
        self.team_roles: dict[int, list[Role]] = {}
        for team, domain in zip(self.teams, self.domains, strict=True):
            slug = slugify(domain)
            members = self.members[team.pk]
            lead = Role(
                name=f"{domain} Team Lead",
                slug=f"{slug}-team-lead",
                slack_alias=f"@{slug}-team-lead",
                pagerduty_alias=f"@{slug}-team-lead",
                team=team,
                holder=rng.choice(members) if members and rng.random() > 0.12 else None,
            )
            tech = Role(
                name=f"{domain} Tech Lead",
                slug=f"{slug}-tech-lead",
                slack_alias=f"@{slug}-tech-lead" if rng.random() > 0.2 else "",
                pagerduty_alias=f"@{slug}-tech-lead" if rng.random() > 0.3 else "",
                team=team,
                holder=rng.choice(members) if members and rng.random() > 0.15 else None,
            )
            owner = Role(
                name=f"{domain} Service Owner",
                slug=f"{slug}-owner",
                slack_alias="",
                team=team,
                holder=rng.choice(members) if members and rng.random() > 0.25 else None,
            )
            self.team_lead[team.pk] = lead
            self.team_roles[team.pk] = [lead, tech, owner]
            roles += [lead, tech, owner]
        # Someone who left still holds a role: the completeness report must catch it.
        roles[-1].holder = next(person for person in self.people if not person.is_active)
        for position, role in enumerate(roles):
            # The published contact table: every named role but the service owners.
            role.contact_position = None if role.slug.endswith("-owner") else position
        bulk(Role, roles)
        for team in self.teams:
            team.lead_role = self.team_lead[team.pk]
        Team.objects.bulk_update(self.teams, ["lead_role"], batch_size=BATCH_SIZE)
        self.roles = roles
        self._count("roles", roles)
        self.counts["roles TBD"] = sum(1 for role in roles if role.holder is None)
        # Whoever holds a management role approves swaps: in the managers group.
        holders = [self.org_roles[name].holder for name in MANAGER_ROLES]
        self.managers = [h.user for h in holders if h is not None and h.user is not None]
        group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
        membership = get_user_model().groups.through
        membership.objects.bulk_create(
            [membership(user_id=user.pk, group_id=group.pk) for user in self.managers],
            ignore_conflicts=True,
        )

    def make_channels(self) -> None:
        channels = [
            Channel(
                name=name,
                slug=slugify(name.replace("@", " at ")),
                kind=kind,
                purpose=purpose,
                who_posts=who,
                url="https://status.example.com" if kind == ChannelKind.STATUS_PAGE else "",
                position=position,
            )
            for position, (name, kind, purpose, who) in enumerate(CHANNELS)
        ]
        offset = len(channels)
        channels += [
            Channel(
                name=team.slack_channel,
                slug=slugify(team.slack_channel),
                kind=ChannelKind.SLACK,
                purpose=f"{domain} team: questions and incident follow-up",
                who_posts=f"{domain} team",
                position=offset + n if n % 3 else None,
            )
            for n, (team, domain) in enumerate(zip(self.teams, self.domains, strict=True))
        ]
        bulk(Channel, channels)
        self.channels = {channel.name: channel for channel in channels}
        self._count("channels", channels)

    def make_rotations(self) -> None:
        rng = self.rng
        rotations: list[Rotation] = []
        slots: list[RotationSlot] = []
        self.team_rotation: dict[int, Rotation] = {}
        for n in range(self.size.rotations):
            team = self.teams[n % len(self.teams)]
            domain = self.domains[n % len(self.teams)]
            round_ = n // len(self.teams)
            name = f"{domain} on-call" if round_ == 0 else f"{domain} on-call {round_ + 1}"
            parity = n % 2 == 0
            if parity:
                rotation = Rotation(
                    name=name,
                    slug=slugify(name),
                    team=team,
                    time_zone="UTC",
                    slot_rule=SlotRule.ISO_WEEK_PARITY,
                    schedule_note="Managed in PagerDuty" if rng.random() < 0.5 else "",
                    swap_channel="#on-call-swap",
                    position=n,
                )
                slot_count = 2
            else:
                weekday = rng.choice([0, 0, 1, 2, 3])
                anchor = date(2024, 1, 1) + timedelta(days=weekday + 7 * rng.randrange(52))
                rotation = Rotation(
                    name=name,
                    slug=slugify(name),
                    team=team,
                    handoff_weekday=weekday,
                    handoff_time=rng.choice([time(9, 0), time(10, 0), time(17, 30)]),
                    time_zone=rng.choice(ROTATION_ZONES),
                    shift_days=7 if rng.random() < 0.85 else 14,
                    slot_rule=SlotRule.ALTERNATION,
                    anchor_date=anchor,
                    swap_channel=team.slack_channel,
                    position=n,
                )
                slot_count = rng.randint(2, 5)
            rotations.append(rotation)
            self.team_rotation.setdefault(team.pk, rotation)
            people = self._team_people(team, 2 * slot_count)
            for k in range(slot_count):
                slots.append(
                    RotationSlot(
                        rotation=rotation,
                        position=k,
                        label=(["Odd weeks", "Even weeks"][k] if parity else f"Slot {k + 1}"),
                        week_parity=([WeekParity.ODD, WeekParity.EVEN][k] if parity else ""),
                        primary=people[2 * k],
                        secondary=(
                            None if not parity and rng.random() < 0.1 else people[2 * k + 1]
                        ),
                    )
                )
        bulk(Rotation, rotations)
        bulk(RotationSlot, slots)
        self.rotations = rotations
        self.slots: dict[int, list[RotationSlot]] = {rotation.pk: [] for rotation in rotations}
        for slot in slots:
            self.slots[slot.rotation.pk].append(slot)
        self._count("rotations", rotations)
        self._count("rotation slots", slots)

    def make_severities(self) -> None:
        severities = [
            Severity(level=level, description=SEVERITY_DESCRIPTIONS[level])
            for level in (1, 2, 3, 4)
        ]
        bulk(Severity, severities)
        self.severities = {severity.level: severity for severity in severities}
        roles, channels = self.org_roles, self.channels
        leads = [self.team_lead[team.pk] for team in self.teams[:3]]
        K, T, V = PartyKind, Tier, Via
        matrix: dict[int, dict[str, list[tuple[str, str, str, dict[str, Any]]]]] = {
            1: {
                T.PRIMARY: [
                    (K.ONCALL_PRIMARY, "On-call engineer", V.PAGERDUTY, {}),
                    (K.ONCALL_SECONDARY, "On-call secondary", V.PAGERDUTY, {}),
                ],
                T.SECONDARY: [
                    *[(K.ROLE, lead.name, V.ANY, {"role": lead}) for lead in leads],
                    (K.SERVICE_TEAM_LEAD, "Relevant team lead", V.ANY, {}),
                ],
                T.MANAGEMENT: [
                    (K.ROLE, "Engineering Manager", V.ANY, {"role": roles["Engineering Manager"]}),
                    (K.ROLE, "VP Eng", V.ANY, {"role": roles["VP of Engineering"]}),
                    (K.ROLE, "CTO", V.PHONE, {"role": roles["CTO"]}),
                ],
                T.COMMUNICATION: [
                    (K.CHANNEL, "Status page", V.ANY, {"channel": channels["Status page"]}),
                    (K.CHANNEL, "#incidents", V.SLACK, {"channel": channels["#incidents"]}),
                    (K.ROLE, "Communications Lead", V.ANY, {"role": roles["Communications Lead"]}),
                ],
            },
            2: {
                T.PRIMARY: [(K.ONCALL_PRIMARY, "On-call engineer", V.PAGERDUTY, {})],
                T.SECONDARY: [(K.SERVICE_TEAM_LEAD, "Relevant team lead", V.ANY, {})],
                T.MANAGEMENT: [
                    (K.ROLE, "Engineering Manager", V.ANY, {"role": roles["Engineering Manager"]})
                ],
                T.COMMUNICATION: [
                    (K.CHANNEL, "#incidents", V.SLACK, {"channel": channels["#incidents"]})
                ],
            },
            3: {
                T.PRIMARY: [(K.ONCALL_PRIMARY, "On-call engineer", V.SLACK, {})],
                T.SECONDARY: [(K.SERVICE_TEAM_LEAD, "Relevant team lead", V.ANY, {})],
                T.COMMUNICATION: [
                    (K.CHANNEL, "#incidents-low", V.SLACK, {"channel": channels["#incidents-low"]})
                ],
            },
            4: {
                T.PRIMARY: [(K.SERVICE_TEAM, "Team responsible for service", V.ANY, {})],
                T.COMMUNICATION: [
                    (K.CHANNEL, "Ticket only", V.TICKET, {"channel": channels["Ticket queue"]})
                ],
            },
        }
        responders = [
            SeverityResponder(
                severity=self.severities[level],
                tier=tier,
                position=position,
                kind=kind,
                label=label,
                via=via,
                **target,
            )
            for level, tiers in matrix.items()
            for tier, parties in tiers.items()
            for position, (kind, label, via, target) in enumerate(parties)
        ]
        bulk(SeverityResponder, responders)
        self._count("severities", severities)
        self._count("severity responders", responders)

    def make_services(self) -> None:
        rng = self.rng
        services: list[Service] = []
        names: set[str] = set()
        n = 0
        while len(services) < self.size.services:
            team_index = n % len(self.teams)
            team, domain = self.teams[team_index], self.domains[team_index]
            component, tech = COMPONENTS[(n // len(self.teams)) % len(COMPONENTS)]
            name = f"{domain} {component}"
            if n // len(self.teams) >= len(COMPONENTS):
                name += f" {n // (len(self.teams) * len(COMPONENTS)) + 1}"
            if rng.random() < 0.3:
                name += f" ({tech})"
            n += 1
            if name in names:
                continue
            names.add(name)
            if component == "Database" and rng.random() < 0.5:
                contact: Role | None = self.org_roles["DBA Lead"]
            elif component == "Webhooks" and rng.random() < 0.3:
                contact = self.org_roles["Integration Lead"]
            elif rng.random() < 0.03:
                contact = None
            else:
                contact = rng.choice(self.team_roles[team.pk])
            rotation = self.team_rotation.get(team.pk) or rng.choice(self.rotations)
            services.append(
                Service(
                    name=name,
                    slug=slugify(name),
                    team=team,
                    primary_contact=contact,
                    slack_channel=team.slack_channel,
                    rotation=None if rng.random() < 0.05 else rotation,
                    description=(
                        f"The {component.lower()} of the {domain.lower()} domain, built on {tech}."
                    ),
                    position=len(services),
                )
            )
        bulk(Service, services)
        self.services = services
        self._count("services", services)

    def make_paths(self) -> None:
        rng = self.rng
        roles, K = self.org_roles, PartyKind
        oncall: tuple[str, str, dict[str, Any]] = (K.ONCALL_PRIMARY, "On-call Engineer", {})
        specs: list[tuple[str, str, list[tuple[list[tuple[str, str, dict[str, Any]]], dict[str, Any]]]]] = [
            ("Technical Escalation", PathKind.TECHNICAL, [
                ([oncall], {}),
                ([(K.SERVICE_TEAM_LEAD, "Team Lead", {})], {"note": "for affected service", "after_minutes": 15}),
                ([(K.ROLE, "Engineering Manager", {"role": roles["Engineering Manager"]})], {"after_minutes": 30}),
                ([(K.ROLE, "VP of Engineering", {"role": roles["VP of Engineering"]})], {"only": (1,), "after_minutes": 30}),
            ]),
            ("Data / Security Incidents", PathKind.SECURITY, [
                ([oncall], {}),
                ([(K.ROLE, "Security Lead", {"role": roles["Security Lead"]})], {}),
                ([(K.ROLE, "CTO", {"role": roles["CTO"]}), (K.EXTERNAL, "Legal", {})], {"condition": "data breach confirmed"}),
            ]),
            ("Third-Party / Vendor Issues", PathKind.VENDOR, [
                ([oncall], {}),
                ([(K.ROLE, "Integration Lead", {"role": roles["Integration Lead"]})], {}),
                ([(K.EXTERNAL, "Vendor support", {})], {"note": "using premium support channel"}),
            ]),
            ("Data Loss / Corruption", PathKind.OTHER, [
                ([oncall], {}),
                ([(K.ROLE, "DBA Lead", {"role": roles["DBA Lead"]})], {"after_minutes": 10}),
                ([(K.ROLE, "Infrastructure Lead", {"role": roles["Infrastructure Lead"]}),
                  (K.CHANNEL, "#data-incidents", {"channel": self.channels["#data-incidents"]})], {"only": (1, 2)}),
                ([(K.ROLE, "CTO", {"role": roles["CTO"]})], {"only": (1,), "after_minutes": 60}),
            ]),
            ("Customer-Reported Issues", PathKind.OTHER, [
                ([(K.ROLE, "Head of Customer Support", {"role": roles["Head of Customer Support"]})], {}),
                ([oncall], {"condition": "reproduced by support"}),
                ([(K.SERVICE_TEAM, "Owning team", {})], {"after_minutes": 60}),
            ]),
            ("Infrastructure / Cloud Provider", PathKind.VENDOR, [
                ([oncall], {}),
                ([(K.ROLE, "DevOps Lead", {"role": roles["DevOps Lead"]})], {"after_minutes": 20}),
                ([(K.EXTERNAL, "Cloud provider support", {})], {"note": "enterprise support case, severity A"}),
            ]),
            ("Major Incident Command", PathKind.TECHNICAL, [
                ([oncall, (K.ONCALL_SECONDARY, "On-call secondary", {})], {}),
                ([(K.ROLE, "Incident Commander", {"role": roles["Incident Commander"]})], {"only": (1, 2)}),
                ([(K.ROLE, "Communications Lead", {"role": roles["Communications Lead"]}),
                  (K.CHANNEL, "Status page", {"channel": self.channels["Status page"]})], {"only": (1,), "after_minutes": 15}),
                ([(K.ROLE, "VP of Engineering", {"role": roles["VP of Engineering"]})], {"only": (1,), "after_minutes": 45}),
            ]),
            ("Legal / Compliance", PathKind.SECURITY, [
                ([(K.ROLE, "Security Lead", {"role": roles["Security Lead"]})], {}),
                ([(K.ROLE, "Legal Counsel", {"role": roles["Legal Counsel"]})], {"condition": "personal data involved"}),
                ([(K.EXTERNAL, "Data protection authority", {})], {"condition": "breach must be notified within 72 hours"}),
            ]),
        ]  # fmt: skip
        for team, domain in list(zip(self.teams, self.domains, strict=True))[::5]:
            specs.append(
                (
                    f"{domain} Escalation",
                    PathKind.TECHNICAL,
                    [
                        ([oncall], {}),
                        ([(K.ROLE, f"{domain} Team Lead", {"role": self.team_lead[team.pk]})], {"after_minutes": rng.choice([10, 15, 30])}),
                        ([(K.ROLE, "Engineering Manager", {"role": roles["Engineering Manager"]})], {"after_minutes": 30}),
                    ],
                )
            )  # fmt: skip
        paths: list[EscalationPath] = []
        steps: list[EscalationStep] = []
        step_parties: list[EscalationStepParty] = []
        step_only: list[tuple[EscalationStep, tuple[int, ...]]] = []
        for position, (name, kind, step_specs) in enumerate(specs):
            path = EscalationPath(
                name=name,
                slug=slugify(name),
                kind=kind,
                description=f"Who to involve, in order, for {name.lower()}.",
                position=position,
            )
            paths.append(path)
            for step_position, (parties, extra) in enumerate(step_specs):
                options = dict(extra)
                only = options.pop("only", ())
                step = EscalationStep(path=path, position=step_position, **options)
                steps.append(step)
                step_only.append((step, only))
                for party_position, (party_kind, label, target) in enumerate(parties):
                    step_parties.append(
                        EscalationStepParty(
                            step=step,
                            position=party_position,
                            kind=party_kind,
                            label=label,
                            **target,
                        )
                    )
        bulk(EscalationPath, paths)
        bulk(EscalationStep, steps)
        bulk(EscalationStepParty, step_parties)
        through = EscalationStep.only_severities.through
        bulk(
            through,
            [
                through(escalationstep_id=step.pk, severity_id=self.severities[level].pk)
                for step, only in step_only
                for level in only
            ],
        )
        self.paths = paths
        self._count("escalation paths", paths)
        self._count("escalation steps", steps)

    def make_paging_rules(self) -> None:
        rules = [
            PagingRule(
                signal=signal,
                action=action,
                sustained_minutes=minutes,
                channel=self.channels[main],
                alternative_channel=self.channels[alternative] if alternative else None,
                position=position,
            )
            for position, (signal, action, minutes, main, alternative) in enumerate(PAGING_SIGNALS)
        ]
        bulk(PagingRule, rules)
        self._count("paging rules", rules)

    # --- history: overrides and swap requests -----------------------------------------------

    def make_overrides_and_swaps(self) -> None:
        overrides: list[Override] = []
        swaps: list[SwapRequest] = []
        events: list[SwapRequestEvent] = []
        for rotation in self.rotations:
            self._rotation_history(rotation, overrides, swaps, events)
        with explicit_timestamps(
            SwapRequest._meta.get_field("created_at"),  # type: ignore[arg-type]
            SwapRequest._meta.get_field("updated_at"),  # type: ignore[arg-type]
            Override._meta.get_field("created_at"),  # type: ignore[arg-type]
        ):
            bulk(SwapRequest, swaps)
            bulk(Override, overrides)
        bulk(SwapRequestEvent, events)
        self._count("overrides", overrides)
        self.counts["overrides in effect"] = sum(1 for o in overrides if o.reverted_at is None)
        self._count("swap requests", swaps)
        self._count("swap request events", events)

    def _rotation_history(
        self,
        rotation: Rotation,
        overrides: list[Override],
        swaps: list[SwapRequest],
        events: list[SwapRequestEvent],
    ) -> None:
        rng = self.rng
        slots = self.slots[rotation.pk]
        schedule = schedule_for(rotation, slots)
        shifts = engine.shifts_between(schedule, self.since, self.until)
        occupied = _Occupancy()
        team_people = self.members.get(rotation.team_id or 0) or self.active
        for index, shift in enumerate(shifts):
            if rng.random() > 0.3:
                continue
            tier = OnCallTier.PRIMARY if rng.random() < 0.7 else OnCallTier.SECONDARY
            holder = shift.slot.person_for(engine.Tier(tier))
            if holder is None:
                tier, holder = OnCallTier.PRIMARY, shift.slot.primary
            if not occupied.free(tier, shift.start):
                continue
            colleagues = [p for p in team_people if p.pk != holder]
            if not colleagues:
                continue
            if rng.random() < 0.55:
                occupied.take(tier, shift.start)
                overrides.append(
                    self._plain_override(rotation, tier, shift, rng.choice(colleagues))
                )
                continue
            return_shift = None
            if rng.random() < 0.3:
                return_shift = next(
                    (
                        later
                        for later in shifts[index + 1 : index + 6]
                        if later.slot.person_for(engine.Tier(tier)) not in (None, holder)
                        and occupied.free(tier, later.start)
                    ),
                    None,
                )
            if return_shift is not None:
                colleague_pk = return_shift.slot.person_for(engine.Tier(tier))
                assert isinstance(colleague_pk, int)
                colleague = self.by_pk[colleague_pk]
                occupied.take(tier, shift.start, return_shift.start)
            else:
                colleague = rng.choice(colleagues)
                occupied.take(tier, shift.start)
            self._swap(
                rotation, tier, shift, return_shift, holder, colleague, overrides, swaps, events
            )

    def _plain_override(
        self, rotation: Rotation, tier: str, shift: engine.Shift, person: Person
    ) -> Override:
        """A manager's override for part of one shift (a holiday, a sick day...)."""
        rng = self.rng
        hours = int((shift.end - shift.start).total_seconds() // 3600)
        start = shift.start + timedelta(hours=rng.randrange(0, max(1, hours - 4)))
        end = min(shift.end, start + timedelta(hours=rng.choice([4, 8, 12, 24, 48, 72])))
        created = min(
            start - timedelta(days=rng.randrange(1, 30), hours=rng.randrange(24)), self.now
        )
        manager = rng.choice(self.managers) if self.managers else None
        reverted = rng.random() < 0.03
        return Override(
            rotation=rotation,
            tier=tier,
            person=person,
            start=start,
            end=end,
            reason=rng.choice(OVERRIDE_REASONS),
            created_by=manager,
            created_at=created,
            reverted_at=min(created + timedelta(hours=rng.randrange(1, 48)), self.now) if reverted else None,
            reverted_by=manager if reverted else None,
        )  # fmt: skip

    def _swap(
        self,
        rotation: Rotation,
        tier: str,
        shift: engine.Shift,
        return_shift: engine.Shift | None,
        holder: Any,
        colleague: Person,
        overrides: list[Override],
        swaps: list[SwapRequest],
        events: list[SwapRequestEvent],
    ) -> None:
        """A cover or swap request with its timeline; approved ones made their overrides."""
        rng = self.rng
        requester = self.by_pk[holder]
        if shift.end <= self.now:
            states, weights = [SwapState.APPROVED, SwapState.DECLINED, SwapState.CANCELLED, SwapState.REVERTED], [75, 8, 10, 7]  # fmt: skip
        elif shift.start > self.now:
            states, weights = [SwapState.PENDING, SwapState.ACCEPTED, SwapState.APPROVED, SwapState.CANCELLED], [35, 25, 35, 5]  # fmt: skip
        else:
            states, weights = [SwapState.APPROVED, SwapState.CANCELLED], [90, 10]
        state = rng.choices(states, weights=weights)[0]
        # Filed days or weeks ahead; every step of the timeline has happened by now.
        created = min(shift.start - timedelta(days=rng.randrange(2, 40), hours=rng.randrange(24)), self.now - timedelta(days=2))  # fmt: skip
        answered = min(created + timedelta(hours=rng.randrange(1, 20)), self.now)
        decided = min(answered + timedelta(hours=rng.randrange(1, 20)), self.now)
        withdrawn = min(decided + timedelta(hours=rng.randrange(1, 72)), self.now)
        manager = rng.choice(self.managers) if self.managers else None
        filer = requester.user if rng.random() < 0.9 or manager is None else manager
        trail = {
            SwapState.PENDING: [("created", created, filer)],
            SwapState.ACCEPTED: [("created", created, filer), ("accepted", answered, colleague.user)],
            SwapState.APPROVED: [("created", created, filer), ("accepted", answered, colleague.user), ("approved", decided, manager)],
            SwapState.DECLINED: [("created", created, filer), ("declined", answered, colleague.user)],
            SwapState.CANCELLED: [("created", created, filer), ("cancelled", answered, requester.user)],
            SwapState.REVERTED: [("created", created, filer), ("accepted", answered, colleague.user), ("approved", decided, manager), ("reverted", withdrawn, manager)],
        }[state]  # fmt: skip
        swap = SwapRequest(
            rotation=rotation,
            tier=tier,
            kind=SwapKind.SWAP if return_shift else SwapKind.COVER,
            requester=requester,
            colleague=colleague,
            start=shift.start,
            end=shift.end,
            return_start=return_shift.start if return_shift else None,
            return_end=return_shift.end if return_shift else None,
            reason=rng.choice(OVERRIDE_REASONS),
            state=state,
            filed_by=filer,
            created_at=created,
            updated_at=trail[-1][1],
        )
        swaps.append(swap)
        events.extend(
            SwapRequestEvent(swap=swap, action=action, at=at, actor=actor)
            for action, at, actor in trail
        )
        if state not in (SwapState.APPROVED, SwapState.REVERTED):
            return
        covered = [(colleague, shift.start, shift.end)]
        if return_shift is not None:
            covered.append((requester, return_shift.start, return_shift.end))
        reverted = state == SwapState.REVERTED
        overrides.extend(
            Override(
                rotation=rotation,
                tier=tier,
                person=person,
                start=start,
                end=end,
                swap_request=swap,
                reason=swap.reason,
                created_by=manager,
                created_at=decided,
                reverted_at=withdrawn if reverted else None,
                reverted_by=manager if reverted else None,
            )
            for person, start, end in covered
        )


class Command(BaseCommand):
    help = "Generate a large, realistic organisation (deterministic for a seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=2000)
        parser.add_argument("--services", type=int, default=400)
        parser.add_argument("--rotations", type=int, default=60)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument(
            "--teams", type=int, default=None, help="Default: people / 50, 3 to 40."
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="YYYY-MM-DD the history is built around (default: today).",
        )
        parser.add_argument(
            "--flush", action="store_true", help="Delete all escalation data first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        teams = options["teams"] or max(3, min(40, options["people"] // 50))
        size = OrgSize(
            people=options["people"],
            services=options["services"],
            rotations=options["rotations"],
            years=options["years"],
            teams=teams,
        )
        minimum = 2 * teams + 12
        if size.people < minimum:
            raise CommandError(TOO_SMALL.format(minimum=minimum, teams=teams))
        if min(size.services, size.rotations, size.years) < 1:
            raise CommandError("--services, --rotations and --years must be at least 1.")
        began = clock.perf_counter()
        with transaction.atomic():
            if options["flush"]:
                flush_escalation_data()
            elif Person.objects.exists() or Service.objects.exists() or Rotation.objects.exists():
                raise CommandError(
                    NOT_EMPTY.format(count=Person.objects.count(), services=Service.objects.count())
                )
            generator = OrgGenerator(
                size=size, seed=options["seed"], today=options["today"] or date.today()
            )
            counts = generator.generate()
            # Bulk writes send no signals: tell the caches (escalation.cache) explicitly.
            bump_data_version()
        elapsed = clock.perf_counter() - began
        width = max(len(name) for name in counts)
        self.stdout.write(
            f"Generated an organisation (seed {options['seed']}, history "
            f"{generator.since:%Y-%m-%d} to {generator.until:%Y-%m-%d}) in {elapsed:.1f} s:"
        )
        for name, count in counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>7,}")
