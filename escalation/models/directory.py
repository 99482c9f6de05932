"""What the escalation document publishes: channels, severities, services, paths, paging rules.

Severity responders and escalation steps name *parties*: a role, a person, an on-call position
of a rotation, the affected service's team or team lead, a channel, or someone outside the
company (a vendor). A party keeps the words the document used ("VP Eng") while linking to
what they mean.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .people import Person, Role, Team
from .validators import validate_pagerduty_id, validate_single_line, validate_slack_channel


class ChannelKind(models.TextChoices):
    SLACK = "slack", "Slack channel"
    PAGERDUTY = "pagerduty", "PagerDuty"
    STATUS_PAGE = "status_page", "Status page"
    TICKET = "ticket", "Ticket queue"
    EMAIL = "email", "Email"
    OTHER = "other", "Other"


class Channel(models.Model):
    name = models.CharField(
        max_length=120,
        unique=True,
        validators=[validate_single_line],
        help_text="#incidents, PagerDuty, Status page…",
    )
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=ChannelKind.choices, default=ChannelKind.SLACK)
    purpose = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    who_posts = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    url = models.URLField(
        blank=True,
        validators=[validate_single_line],
        help_text="Where the channel lives (Slack, status page, queue).",
    )
    position = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Order in the communication channels table; empty keeps it out of that table.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["position"],
                condition=Q(position__isnull=False),
                name="channel_position_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == ChannelKind.SLACK:
            try:
                validate_slack_channel(self.name)
            except ValidationError as error:
                raise ValidationError({"name": error.messages}) from error


class PartyKind(models.TextChoices):
    ROLE = "role", "Role"
    PERSON = "person", "Person"
    ONCALL_PRIMARY = "oncall_primary", "On-call primary"
    ONCALL_SECONDARY = "oncall_secondary", "On-call secondary"
    SERVICE_TEAM = "service_team", "Team owning the affected service"
    SERVICE_TEAM_LEAD = "service_team_lead", "Team lead of the affected service"
    CHANNEL = "channel", "Channel"
    EXTERNAL = "external", "Outside party (vendor, legal counsel…)"


class Via(models.TextChoices):
    ANY = "", "—"
    PAGERDUTY = "pagerduty", "PagerDuty"
    SLACK = "slack", "Slack"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    TICKET = "ticket", "Ticket"


class Party(models.Model):
    """Who to reach, and how. Concrete subclasses add where the party stands."""

    kind = models.CharField(max_length=20, choices=PartyKind.choices)
    label = models.CharField(
        max_length=200,
        validators=[validate_single_line],
        help_text="The words the document uses: “VP Eng”.",
    )
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rotation = models.ForeignKey(
        "escalation.Rotation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For on-call positions: which rotation (empty: the affected service's).",
    )
    via = models.CharField(max_length=20, choices=Via.choices, blank=True, default=Via.ANY)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(kind=PartyKind.ROLE) & Q(role__isnull=False))
                    | (Q(kind=PartyKind.PERSON) & Q(person__isnull=False))
                    | (Q(kind=PartyKind.CHANNEL) & Q(channel__isnull=False))
                    | Q(
                        kind__in=[
                            PartyKind.ONCALL_PRIMARY,
                            PartyKind.ONCALL_SECONDARY,
                            PartyKind.SERVICE_TEAM,
                            PartyKind.SERVICE_TEAM_LEAD,
                            PartyKind.EXTERNAL,
                        ]
                    )
                ),
                name="%(app_label)s_%(class)s_party_target",
            ),
            models.CheckConstraint(condition=~Q(label=""), name="%(app_label)s_%(class)s_label"),
        ]

    def __str__(self) -> str:
        return self.label


class Severity(models.Model):
    level = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    description = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    history = HistoricalRecords()

    class Meta:
        ordering = ["level"]
        verbose_name_plural = "severities"
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1), name="severity_level_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"SEV{self.level}"


class ResponderTier(models.TextChoices):
    PRIMARY = "primary", "Primary contact"
    SECONDARY = "secondary", "Secondary contact"
    MANAGEMENT = "management", "Management"
    COMMUNICATION = "communication", "Communication"


class SeverityResponder(Party):
    """One party in one tier of a severity; a tier without responders is “Not required”."""

    severity = models.ForeignKey(Severity, on_delete=models.CASCADE, related_name="responders")
    tier = models.CharField(max_length=20, choices=ResponderTier.choices)
    history = HistoricalRecords()

    class Meta(Party.Meta):
        ordering = ["severity__level", "tier", "position"]
        constraints = [
            *Party.Meta.constraints,
            models.UniqueConstraint(
                fields=["severity", "tier", "position"], name="severity_responder_position_unique"
            ),
        ]


class ServiceQuerySet(models.QuerySet["Service"]):
    def without_channel(self) -> "ServiceQuerySet":
        """Services whose `channel` is empty."""
        return self.filter(slack_channel="", team__slack_channel="")

    def matching(self, text: str) -> "ServiceQuerySet":
        """Services where every word of `text` (the first eight) is in the name, another name,
        the description, the team, the Slack channel, or the contact role or its holder."""
        queryset = self
        for word in text.split()[:8]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(aliases__icontains=word)
                | Q(description__icontains=word)
                | Q(team__name__icontains=word)
                | Q(team__slug__icontains=word)
                | Q(slack_channel__icontains=word)
                | Q(primary_contact__name__icontains=word)
                | Q(primary_contact__holder__display_name__icontains=word)
            )
        return queryset


class Service(models.Model):
    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line])
    slug = models.SlugField(max_length=200, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="services")
    primary_contact = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    slack_channel = models.CharField(max_length=81, blank=True, validators=[validate_slack_channel])
    rotation = models.ForeignKey(
        "escalation.Rotation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        help_text="Who is on call for it; empty: the first rotation.",
    )
    pagerduty_service_id = models.CharField(
        "PagerDuty service id",
        max_length=20,
        blank=True,
        validators=[validate_pagerduty_id],
        help_text="e.g. PSVC123: the PagerDuty service incidents paged from the portal open on "
        "(PagerDuty needs one for every incident).",
    )
    aliases = models.CharField(
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text="Other names people use for it, separated by commas: payments, billing. "
        "The services page and the incident start page find it by these too.",
    )
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def channel(self) -> str:
        """Where to talk about the service: its own Slack channel, else its team's ("" when
        neither has one). `ServiceQuerySet.without_channel` is the same rule in a query."""
        return self.slack_channel or self.team.slack_channel

    @property
    def alias_list(self) -> list[str]:
        """The other names, as typed between the commas."""
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]


class PathKind(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    SECURITY = "security", "Data / security"
    VENDOR = "vendor", "Third-party / vendor"
    OTHER = "other", "Other"


class EscalationPath(models.Model):
    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line])
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=PathKind.choices, default=PathKind.OTHER)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    """A step of a path; the condition to move on to it is data, so pages can compute times."""

    path = models.ForeignKey(EscalationPath, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    only_severities = models.ManyToManyField(
        Severity, blank=True, related_name="+", help_text="Empty: every severity."
    )
    after_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Move on only if not resolved within this many minutes."
    )
    condition = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="An explicit condition: “data breach confirmed”.",
    )
    note = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="How or why: “for affected service”.",
    )
    history = HistoricalRecords(m2m_fields=[only_severities])

    class Meta:
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["path", "position"], name="escalation_step_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.path} #{self.position}"


class EscalationStepParty(Party):
    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="parties")
    history = HistoricalRecords()

    class Meta(Party.Meta):
        ordering = ["step", "position"]
        verbose_name_plural = "escalation step parties"
        constraints = [
            *Party.Meta.constraints,
            models.UniqueConstraint(
                fields=["step", "position"], name="escalation_step_party_unique"
            ),
        ]


class PagingAction(models.TextChoices):
    PAGE_NOW = "page_now", "Page immediately"
    PAGE_IF_SUSTAINED = "page_if_sustained", "Page if sustained"
    SLACK = "slack", "Slack notification"
    INVESTIGATE = "investigate", "Investigate, no page"
    EVALUATE = "evaluate", "Evaluate severity, likely page"


class PagingRule(models.Model):
    signal = models.CharField(max_length=200, unique=True, validators=[validate_single_line])
    action = models.CharField(max_length=20, choices=PagingAction.choices)
    sustained_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="For “page if sustained”: how long, in minutes."
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="paging_rules")
    alternative_channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="“PagerDuty or #incidents”: the second one.",
    )
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "signal"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action=PagingAction.PAGE_IF_SUSTAINED) | Q(sustained_minutes__gt=0),
                name="paging_rule_sustained_has_minutes",
            ),
        ]

    def __str__(self) -> str:
        return self.signal

    @property
    def action_text(self) -> str:
        if self.action == PagingAction.PAGE_IF_SUSTAINED:
            return f"Page if sustained > {self.sustained_minutes} min"
        return str(PagingAction(self.action).label)

    @property
    def is_urgent(self) -> bool:
        return self.action == PagingAction.PAGE_NOW
