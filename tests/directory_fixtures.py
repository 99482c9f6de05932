"""Data shaped like the escalation document, built with factories, for the published pages' tests.

`build_directory()` makes one copy of the seed's structure; `build_directory(copy=n)` makes
another with names suffixed, so tests can load twenty times the seed and check that each page's
query count does not move. Severities are shared (levels are unique), their responders are not.
"""

from datetime import UTC, datetime, time, timedelta

from escalation import models
from tests import factories

SEED_INSTANT = datetime(2026, 11, 26, 10, 12, tzinfo=UTC)  # Thursday of ISO week 48: even


def build_directory(copy: int = 0) -> dict:
    sfx = "" if copy == 0 else f" {copy}"
    slug = "" if copy == 0 else f"-{copy}"
    alias = "" if copy == 0 else f"-{copy}"

    teams = {
        key: factories.TeamFactory(
            name=f"{key.title()} Team{sfx}", slug=f"{key}{slug}", slack_channel=f"#team-{key}{slug}"
        )
        for key in ("backend", "frontend", "platform")
    }
    engineers = {
        letter: factories.PersonFactory(
            display_name=f"Engineer {letter}{sfx}",
            email=f"engineer.{letter.lower()}{slug}@example.com",
            slack_handle=f"@engineer-{letter.lower()}{alias}",
            pagerduty_handle=f"@pd-{letter.lower()}{alias}",
            team=teams["backend"],
        )
        for letter in "ABCD"
    }
    role_specs = [
        ("Backend Tech Lead", "backend-lead", "backend"),
        ("Frontend Tech Lead", "frontend-lead", "frontend"),
        ("DBA Lead", "dba-lead", "platform"),
        ("DevOps Lead", "devops-lead", "platform"),
        ("Engineering Manager", "eng-manager", None),
        ("VP of Engineering", "vp-eng", None),
    ]
    roles = {}
    for position, (name, handle, team) in enumerate(role_specs):
        roles[name] = factories.RoleFactory(
            name=f"{name}{sfx}",
            slug=f"{handle}{slug}",
            slack_alias=f"@{handle}{alias}",
            pagerduty_alias=f"@{handle}{alias}",
            team=teams[team] if team else None,
            holder=None,
            contact_position=copy * 100 + position,
        )
    for name, handle in [
        ("Platform Engineer", "platform-engineer"),
        ("Auth Module Owner", "auth-owner"),
        ("Infrastructure Lead", "infra-lead"),
        ("Integration Lead", "integration-lead"),
        ("Security Lead", "security-lead"),
        ("CTO", "cto"),
    ]:
        roles[name] = factories.RoleFactory(
            name=f"{name}{sfx}", slug=f"{handle}{slug}", slack_alias="", holder=None
        )

    rotation = factories.RotationFactory(
        name=f"Engineering on-call{sfx}",
        slug=f"engineering{slug}",
        handoff_time=time(9, 0),
        schedule_note="Managed in PagerDuty",
        swap_channel="#on-call-swap",
        position=copy,
        pairs=[(engineers["A"], engineers["B"]), (engineers["C"], engineers["D"])],
    )

    def channel(name, kind, position=None, purpose="", who_posts=""):
        return factories.ChannelFactory(
            name=name if kind != models.ChannelKind.SLACK else f"{name}{slug}",
            slug=f"{name.strip('#').lower().replace(' ', '-')}{slug}",
            kind=kind,
            position=None if position is None else copy * 100 + position,
            purpose=purpose,
            who_posts=who_posts,
        )

    slack = models.ChannelKind.SLACK
    channels = {
        "#incidents": channel(
            "#incidents",
            slack,
            0,
            "Active SEV1/SEV2 incident coordination",
            "Incident commander, responders",
        ),
        "#incidents-low": channel(
            "#incidents-low", slack, 1, "SEV3/SEV4 tracking", "On-call engineer"
        ),
        "#engineering": channel(
            "#engineering", slack, 2, "Post-incident summaries", "Incident commander"
        ),
        "#status-updates": channel(
            "#status-updates", slack, 3, "External-facing status updates", "Incident commander"
        ),
        "PagerDuty": channel(
            f"PagerDuty{sfx}",
            models.ChannelKind.PAGERDUTY,
            4,
            "Automated alerting and paging",
            "Monitoring system",
        ),
        "Status page": channel(f"Status page{sfx}", models.ChannelKind.STATUS_PAGE),
        "Ticket": channel(f"Ticket queue{sfx}", models.ChannelKind.TICKET),
    }

    severities = {level: factories.SeverityFactory(level=level) for level in (1, 2, 3, 4)}
    base = copy * 10

    def responder(level, tier, position, kind, label, via="", **target):
        return models.SeverityResponder.objects.create(
            severity=severities[level],
            tier=tier,
            position=base + position,
            kind=kind,
            label=label,
            via=via,
            **target,
        )

    T, K, V = models.ResponderTier, models.PartyKind, models.Via
    responder(1, T.PRIMARY, 0, K.ONCALL_PRIMARY, "On-call engineer", V.PAGERDUTY)
    responder(1, T.SECONDARY, 0, K.ROLE, "Backend lead", role=roles["Backend Tech Lead"])
    responder(1, T.SECONDARY, 1, K.ROLE, "Frontend lead", role=roles["Frontend Tech Lead"])
    responder(1, T.MANAGEMENT, 0, K.ROLE, "Engineering Manager", role=roles["Engineering Manager"])
    responder(1, T.MANAGEMENT, 1, K.ROLE, "VP Eng", role=roles["VP of Engineering"])
    responder(1, T.COMMUNICATION, 0, K.CHANNEL, "Status page", channel=channels["Status page"])
    responder(1, T.COMMUNICATION, 1, K.CHANNEL, "#incidents", channel=channels["#incidents"])
    responder(2, T.PRIMARY, 0, K.ONCALL_PRIMARY, "On-call engineer", V.PAGERDUTY)
    responder(2, T.SECONDARY, 0, K.SERVICE_TEAM_LEAD, "Relevant team lead")
    responder(2, T.MANAGEMENT, 0, K.ROLE, "Engineering Manager", role=roles["Engineering Manager"])
    responder(2, T.COMMUNICATION, 0, K.CHANNEL, "#incidents", channel=channels["#incidents"])
    responder(3, T.PRIMARY, 0, K.ONCALL_PRIMARY, "On-call engineer", V.SLACK)
    responder(3, T.SECONDARY, 0, K.SERVICE_TEAM_LEAD, "Relevant team lead")
    responder(
        3, T.COMMUNICATION, 0, K.CHANNEL, "#incidents-low", channel=channels["#incidents-low"]
    )
    responder(4, T.PRIMARY, 0, K.SERVICE_TEAM, "Team responsible for service")
    responder(4, T.COMMUNICATION, 0, K.CHANNEL, "Ticket only", V.TICKET, channel=channels["Ticket"])

    service_specs = [
        ("Backend API (FastAPI)", "backend-api", "backend", "Backend Tech Lead"),
        ("Frontend (React)", "frontend", "frontend", "Frontend Tech Lead"),
        ("Database (PostgreSQL)", "database", "platform", "DBA Lead"),
        ("Redis / Caching", "redis", "platform", "Platform Engineer"),
        ("CI/CD Pipeline", "ci-cd", "platform", "DevOps Lead"),
        ("Authentication", "authentication", "backend", "Auth Module Owner"),
        ("Infrastructure / Cloud", "infrastructure", "platform", "Infrastructure Lead"),
        ("Third-party integrations", "integrations", "backend", "Integration Lead"),
    ]
    services = {}
    for position, (name, service_slug, team, role) in enumerate(service_specs):
        services[name] = factories.ServiceFactory(
            name=f"{name}{sfx}",
            slug=f"{service_slug}{slug}",
            team=teams[team],
            primary_contact=roles[role],
            slack_channel=teams[team].slack_channel,
            position=copy * 100 + position,
        )

    def path(name, path_slug, kind, position, steps):
        escalation_path = factories.EscalationPathFactory(
            name=f"{name}{sfx}", slug=f"{path_slug}{slug}", kind=kind, position=copy * 10 + position
        )
        for step_position, (parties, extra) in enumerate(steps):
            only = extra.pop("only", ())
            step = models.EscalationStep.objects.create(
                path=escalation_path, position=step_position, **extra
            )
            step.only_severities.set([severities[level] for level in only])
            for party_position, (kind_, label, target) in enumerate(parties):
                models.EscalationStepParty.objects.create(
                    step=step, position=party_position, kind=kind_, label=label, **target
                )
        return escalation_path

    oncall = (K.ONCALL_PRIMARY, "On-call Engineer", {})
    paths = {
        "technical": path(
            "Technical Escalation",
            "technical",
            models.PathKind.TECHNICAL,
            0,
            [
                ([oncall], {}),
                ([(K.SERVICE_TEAM_LEAD, "Team Lead", {})], {"note": "for affected service"}),
                ([(K.ROLE, "Engineering Manager", {"role": roles["Engineering Manager"]})], {}),
                (
                    [(K.ROLE, "VP of Engineering", {"role": roles["VP of Engineering"]})],
                    {"only": (1,), "after_minutes": 30},
                ),
            ],
        ),
        "security": path(
            "Data / Security Incidents",
            "security",
            models.PathKind.SECURITY,
            1,
            [
                ([oncall], {}),
                ([(K.ROLE, "Security Lead", {"role": roles["Security Lead"]})], {}),
                (
                    [(K.ROLE, "CTO", {"role": roles["CTO"]}), (K.EXTERNAL, "Legal", {})],
                    {"condition": "data breach confirmed"},
                ),
            ],
        ),
        "vendor": path(
            "Third-Party / Vendor Issues",
            "vendor",
            models.PathKind.VENDOR,
            2,
            [
                ([oncall], {}),
                ([(K.ROLE, "Integration Lead", {"role": roles["Integration Lead"]})], {}),
                (
                    [(K.EXTERNAL, "Vendor support", {})],
                    {"note": "using premium support channel"},
                ),
            ],
        ),
    }

    paging = [
        ("Service completely down", models.PagingAction.PAGE_NOW, None, "PagerDuty", None),
        ("Error rate > 5%", models.PagingAction.PAGE_NOW, None, "PagerDuty", None),
        ("Error rate 1-5%", models.PagingAction.SLACK, None, "#incidents", None),
        (
            "Performance degradation > 2x",
            models.PagingAction.PAGE_IF_SUSTAINED,
            5,
            "PagerDuty",
            None,
        ),
        ("Single user report", models.PagingAction.INVESTIGATE, None, "#incidents-low", None),
        ("Multiple user reports", models.PagingAction.EVALUATE, None, "PagerDuty", "#incidents"),
        ("Scheduled maintenance issue", models.PagingAction.SLACK, None, "#incidents-low", None),
    ]
    for position, (signal, action, minutes, main, alternative) in enumerate(paging):
        factories.PagingRuleFactory(
            signal=f"{signal}{sfx}",
            action=action,
            sustained_minutes=minutes,
            channel=channels[main],
            alternative_channel=channels[alternative] if alternative else None,
            position=copy * 10 + position,
        )

    return {
        "teams": teams,
        "engineers": engineers,
        "roles": roles,
        "rotation": rotation,
        "channels": channels,
        "severities": severities,
        "services": services,
        "paths": paths,
    }


# Reading pages the way a person does: tables as rows of cell texts, inline SVGs as XML. ---------


def grow_company(copies: int) -> None:
    """`copies` more of what grows with a company, after `build_directory()`: per copy a team
    with four people, a rotation of theirs with a week of overrides around `SEED_INSTANT` (some
    in effect then), a role they hold and a service they own. Severities, paths and paging
    rules stay as they are: pages built from those alone should read no more than before."""
    for copy in range(1, copies + 1):
        team = factories.TeamFactory(
            name=f"Grown Team {copy}", slug=f"grown-{copy}", slack_channel=f"#grown-{copy}"
        )
        people = [
            factories.PersonFactory(
                display_name=f"Grown {copy}{letter}",
                team=team,
                phone=f"+4420794{copy:03d}{n:02d}",
                slack_handle=f"@grown-{copy}{letter.lower()}",
            )
            for n, letter in enumerate("ABCD")
        ]
        rotation = factories.RotationFactory(
            name=f"Grown rotation {copy}",
            slug=f"grown-rotation-{copy}",
            team=team,
            position=100 + copy,
            pairs=[(people[0], people[1]), (people[2], people[3])],
        )
        models.Override.objects.bulk_create(
            models.Override(
                rotation=rotation,
                tier=models.OnCallTier.PRIMARY,
                person=people[day % 4],
                start=SEED_INSTANT + timedelta(days=day, hours=-2),
                end=SEED_INSTANT + timedelta(days=day, hours=2),
                reason="Dentist",
            )
            for day in range(-3, 4)
        )
        role = factories.RoleFactory(
            name=f"Grown Lead {copy}", slug=f"grown-lead-{copy}", team=team, holder=people[0]
        )
        factories.ServiceFactory(
            name=f"Grown service {copy}",
            slug=f"grown-service-{copy}",
            team=team,
            primary_contact=role,
            rotation=rotation,
            position=100 + copy,
        )
