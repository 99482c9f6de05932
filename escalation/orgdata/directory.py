"""The generated directory: channels, severities and their responders, services, escalation
paths and paging rules.

Severities, paths and paging rules follow the shape of the escalation document (SEV1 pages
the on-call engineer and the secondary, brings in leads, management and the status page; paths
move on after so many minutes, for some severities only, or on a condition); services are a
domain's components, owned by its team, most with a contact role and a rotation.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify

from escalation.models import (
    Channel,
    ChannelKind,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingAction,
    PagingRule,
    PartyKind,
    PathKind,
    ResponderTier,
    Role,
    Service,
    Severity,
    SeverityResponder,
    Via,
)
from escalation.orgdata.org import GeneratedOrg, bulk

COMPONENTS = [
    ("API", "FastAPI"), ("Web", "React"), ("Worker", "Celery"), ("Database", "PostgreSQL"),
    ("Cache", "Redis"), ("Scheduler", "cron"), ("Gateway", "Envoy"), ("Indexer", "OpenSearch"),
    ("Event Stream", "Kafka"), ("Admin", "Django"), ("Webhooks", "Go"), ("Reports", "dbt"),
    ("Sync", "Go"), ("Importer", "Python"), ("Exporter", "Python"), ("Mobile Backend", "Kotlin"),
    ("Batch Jobs", "Spark"), ("Queue", "RabbitMQ"), ("Auth Adapter", "OAuth"), ("CDN", "Fastly"),
]  # fmt: skip
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


def make_channels(org: GeneratedOrg) -> None:
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
        for n, (team, domain) in enumerate(zip(org.teams, org.domains, strict=True))
    ]
    bulk(Channel, channels)
    org.channels = {channel.name: channel for channel in channels}
    org.count("channels", channels)


def make_severities(org: GeneratedOrg) -> None:
    severities = [
        Severity(level=level, description=SEVERITY_DESCRIPTIONS[level]) for level in (1, 2, 3, 4)
    ]
    bulk(Severity, severities)
    org.severities = {severity.level: severity for severity in severities}
    roles, channels = org.org_roles, org.channels
    leads = [org.team_lead[team.pk] for team in org.teams[:3]]
    K, T, V = PartyKind, ResponderTier, Via
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
            severity=org.severities[level],
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
    org.count("severities", severities)
    org.count("severity responders", responders)


def make_services(org: GeneratedOrg) -> None:
    rng = org.rng
    services: list[Service] = []
    names: set[str] = set()
    n = 0
    while len(services) < org.size.services:
        team_index = n % len(org.teams)
        team, domain = org.teams[team_index], org.domains[team_index]
        component, tech = COMPONENTS[(n // len(org.teams)) % len(COMPONENTS)]
        name = f"{domain} {component}"
        if n // len(org.teams) >= len(COMPONENTS):
            name += f" {n // (len(org.teams) * len(COMPONENTS)) + 1}"
        if rng.random() < 0.3:
            name += f" ({tech})"
        n += 1
        if name in names:
            continue
        names.add(name)
        if component == "Database" and rng.random() < 0.5:
            contact: Role | None = org.org_roles["DBA Lead"]
        elif component == "Webhooks" and rng.random() < 0.3:
            contact = org.org_roles["Integration Lead"]
        elif rng.random() < 0.03:
            contact = None
        else:
            contact = rng.choice(org.team_roles[team.pk])
        rotation = org.team_rotation.get(team.pk) or rng.choice(org.rotations)
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
    org.services = services
    org.count("services", services)


def make_paths(org: GeneratedOrg) -> None:
    rng = org.rng
    roles, K = org.org_roles, PartyKind
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
              (K.CHANNEL, "#data-incidents", {"channel": org.channels["#data-incidents"]})], {"only": (1, 2)}),
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
              (K.CHANNEL, "Status page", {"channel": org.channels["Status page"]})], {"only": (1,), "after_minutes": 15}),
            ([(K.ROLE, "VP of Engineering", {"role": roles["VP of Engineering"]})], {"only": (1,), "after_minutes": 45}),
        ]),
        ("Legal / Compliance", PathKind.SECURITY, [
            ([(K.ROLE, "Security Lead", {"role": roles["Security Lead"]})], {}),
            ([(K.ROLE, "Legal Counsel", {"role": roles["Legal Counsel"]})], {"condition": "personal data involved"}),
            ([(K.EXTERNAL, "Data protection authority", {})], {"condition": "breach must be notified within 72 hours"}),
        ]),
    ]  # fmt: skip
    for team, domain in list(zip(org.teams, org.domains, strict=True))[::5]:
        specs.append(
            (
                f"{domain} Escalation",
                PathKind.TECHNICAL,
                [
                    ([oncall], {}),
                    ([(K.ROLE, f"{domain} Team Lead", {"role": org.team_lead[team.pk]})], {"after_minutes": rng.choice([10, 15, 30])}),
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
            through(escalationstep_id=step.pk, severity_id=org.severities[level].pk)
            for step, only in step_only
            for level in only
        ],
    )
    org.paths = paths
    org.count("escalation paths", paths)
    org.count("escalation steps", steps)


def make_paging_rules(org: GeneratedOrg) -> None:
    rules = [
        PagingRule(
            signal=signal,
            action=action,
            sustained_minutes=minutes,
            channel=org.channels[main],
            alternative_channel=org.channels[alternative] if alternative else None,
            position=position,
        )
        for position, (signal, action, minutes, main, alternative) in enumerate(PAGING_SIGNALS)
    ]
    bulk(PagingRule, rules)
    org.count("paging rules", rules)
