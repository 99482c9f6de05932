"""Generated teams, people (with a login each), the roles they hold and the managers group.

Teams are named after business domains; people get unique names, e-mail addresses and
PagerDuty handles, a time zone mostly their team's, and telephone numbers from the ranges
reserved for drama. Some are inactive, some lack a phone or a Slack handle, some never
confirmed their details, and some roles are TBD: the awkward cases the pages must show.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.text import slugify

from escalation.models import Person, Role, Team
from escalation.orgdata.org import BATCH_SIZE, GeneratedOrg, bulk
from escalation.permissions import MANAGERS_GROUP

DOMAINS = [
    "Payments", "Billing", "Checkout", "Search", "Identity", "Notifications", "Messaging",
    "Platform", "Data", "Analytics", "Mobile", "Web", "Growth", "Pricing", "Catalog", "Inventory",
    "Fulfilment", "Logistics", "Support Tools", "Risk", "Fraud", "Compliance", "Security",
    "Infrastructure", "Networking", "Storage", "Observability", "Developer Experience",
    "Release Engineering", "Machine Learning", "Recommendations", "Ads", "Partnerships",
    "Integrations", "Accounts", "Onboarding", "Reporting", "Localisation", "Media", "Maps",
    "Scheduling", "Loyalty", "Marketplace", "Subscriptions", "Customer Data", "Content",
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


def ascii_words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch in " -").replace(" ", "-")


def make_teams(org: GeneratedOrg) -> None:
    org.domains = [
        DOMAINS[i % len(DOMAINS)] + ("" if i < len(DOMAINS) else f" {i // len(DOMAINS) + 1}")
        for i in range(org.size.teams)
    ]
    org.teams = [
        Team(
            name=f"{domain} Team",
            slug=slugify(domain),
            slack_channel=f"#team-{slugify(domain)}",
        )
        for domain in org.domains
    ]
    bulk(Team, org.teams)
    org.team_zone = {team.pk: TEAM_ZONES[i % len(TEAM_ZONES)] for i, team in enumerate(org.teams)}
    org.count("teams", org.teams)


def make_people(org: GeneratedOrg) -> None:
    rng = org.rng
    combos = len(FIRST_NAMES) * len(LAST_NAMES)
    picks = rng.sample(range(combos), min(org.size.people, combos))
    emails: set[str] = set()
    pd_handles: set[str] = set()
    uk_next = 0
    us_next = 0
    org.people = []
    leaver = org.size.people - 1  # always one inactive person without a phone
    for n in range(org.size.people):
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
        team = org.teams[n % len(org.teams)] if rng.random() > 0.03 else None
        zone = (
            org.team_zone[team.pk]
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
            verified = org.now - timedelta(days=days, minutes=rng.randrange(1440))
        org.people.append(
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
    make_users(org)
    bulk(Person, org.people)
    org.by_pk = {person.pk: person for person in org.people}
    org.members = {team.pk: [] for team in org.teams}
    for person in org.people:
        if person.team_id is not None and person.is_active:
            org.members[person.team_id].append(person)
    org.active = [person for person in org.people if person.is_active]
    org.count("people", org.people)


def make_users(org: GeneratedOrg) -> None:
    """A login for everyone active (the company's single sign-on would make them), so
    requests and decisions have someone who filed and made them. Existing ones are reused."""
    user_model = get_user_model()
    wanted = {person.email.split("@")[0]: person for person in org.people if person.is_active}
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
    org.counts["users created"] = len(new)


def team_people(org: GeneratedOrg, team: Team, count: int) -> list[Person]:
    """`count` distinct active people, from the team first."""
    pool = org.members[team.pk]
    chosen = org.rng.sample(pool, min(count, len(pool)))
    while len(chosen) < count:
        extra = org.rng.choice(org.active)
        if extra not in chosen:
            chosen.append(extra)
    return chosen


def make_roles(org: GeneratedOrg) -> None:
    rng = org.rng
    roles: list[Role] = []
    org.org_roles = {}
    for name, alias, filled in ORG_ROLES:
        role = Role(
            name=name,
            slug=alias,
            slack_alias=f"@{alias}",
            pagerduty_alias=f"@{alias}",
            holder=rng.choice(org.active) if filled else None,
        )
        org.org_roles[name] = role
        roles.append(role)
    org.team_lead = {}
    org.team_roles = {}
    for team, domain in zip(org.teams, org.domains, strict=True):
        slug = slugify(domain)
        members = org.members[team.pk]
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
        org.team_lead[team.pk] = lead
        org.team_roles[team.pk] = [lead, tech, owner]
        roles += [lead, tech, owner]
    # Someone who left still holds a role: the completeness report must catch it.
    roles[-1].holder = next(person for person in org.people if not person.is_active)
    for position, role in enumerate(roles):
        # The published contact table: every named role but the service owners.
        role.contact_position = None if role.slug.endswith("-owner") else position
    bulk(Role, roles)
    for team in org.teams:
        team.lead_role = org.team_lead[team.pk]
    Team.objects.bulk_update(org.teams, ["lead_role"], batch_size=BATCH_SIZE)
    org.roles = roles
    org.count("roles", roles)
    org.counts["roles TBD"] = sum(1 for role in roles if role.holder is None)
    # Whoever holds a management role approves swaps: in the managers group.
    holders = [org.org_roles[name].holder for name in MANAGER_ROLES]
    org.managers = [h.user for h in holders if h is not None and h.user is not None]
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    membership = get_user_model().groups.through
    membership.objects.bulk_create(
        [membership(user_id=user.pk, group_id=group.pk) for user in org.managers],
        ignore_conflicts=True,
    )
