"""People, teams and the named roles they hold."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..public_holidays import COUNTRY_UNKNOWN, Place, is_country, place_problem
from .phones import PhoneField
from .validators import (
    validate_pagerduty_handle,
    validate_pagerduty_id,
    validate_single_line,
    validate_slack_channel,
    validate_slack_handle,
    validate_slack_user_id,
    validate_time_zone,
)


def validate_country(value: str) -> None:
    if value and not is_country(value):
        raise ValidationError(COUNTRY_UNKNOWN, code="unknown_country")


def _country_field(help_text: str) -> "models.CharField[str, str]":
    return models.CharField(
        "country",
        max_length=2,
        blank=True,
        validators=[validate_single_line, validate_country],
        help_text=help_text,
    )


def _region_field() -> "models.CharField[str, str]":
    return models.CharField(
        "region",
        max_length=10,
        blank=True,
        validators=[validate_single_line],
        help_text="Optional subdivision for regional public holidays, e.g. BY (Bavaria) in DE.",
    )


def _check_place(country: str, region: str) -> None:
    problem = place_problem(country, region)
    # An unknown country is the field validator's to say.
    if problem is not None and problem != COUNTRY_UNKNOWN:
        raise ValidationError({"country" if not country else "region": problem})


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True, validators=[validate_single_line])
    slug = models.SlugField(max_length=120, unique=True)
    slack_channel = models.CharField(
        max_length=81,
        blank=True,
        validators=[validate_slack_channel],
        help_text="e.g. #team-backend",
    )
    lead_role = models.ForeignKey(
        "Role",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams_led",
        help_text="The role answering for “relevant team lead”. Empty: the service's primary contact.",
    )
    country = _country_field("Public holidays of members who name no country: ISO code, e.g. DE.")
    region = _region_field()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _check_place(self.country, self.region)


#: Contact details nobody confirmed for this long count as unverified.
VERIFICATION_MAX_AGE = timedelta(days=90)
#: The ways to reach a person in a hurry, as the document's contact table lists them: a person
#: without any one of them is missing a contact detail (field name, what the admin calls it).
CONTACT_FIELDS = (("phone", "phone"), ("slack_handle", "Slack"), ("pagerduty_handle", "PagerDuty"))


def missing_contact_q() -> Q:
    """People without one of `CONTACT_FIELDS`."""
    condition = Q()
    for name, _label in CONTACT_FIELDS:
        condition |= Q(**{name: ""})
    return condition


def unverified_q(*, at: datetime) -> Q:
    """People whose details nobody confirmed within `VERIFICATION_MAX_AGE` before `at`."""
    return Q(verified_at__isnull=True) | Q(verified_at__lt=at - VERIFICATION_MAX_AGE)


class PersonQuerySet(models.QuerySet["Person"]):
    def active(self) -> "PersonQuerySet":
        return self.filter(is_active=True)

    def missing_contact(self) -> "PersonQuerySet":
        return self.filter(missing_contact_q())

    def unverified(self, *, at: datetime) -> "PersonQuerySet":
        return self.filter(unverified_q(at=at))

    def with_holiday_place(self) -> "PersonQuerySet":
        """With their team's country and region, for `Person.holiday_place` (no Team built)."""
        return self.annotate(
            team_country=models.F("team__country"), team_region=models.F("team__region")
        )

    def needing_attention(self, *, at: datetime) -> "PersonQuerySet":
        """Missing a contact detail or unverified: what managers are asked to fix."""
        return self.filter(missing_contact_q() | unverified_q(at=at))


class Person(models.Model):
    display_name = models.CharField(max_length=200, validators=[validate_single_line])
    email = models.EmailField(blank=True, validators=[validate_single_line])
    slack_handle = models.CharField(
        max_length=81, blank=True, validators=[validate_slack_handle], help_text="e.g. @jane.doe"
    )
    slack_user_id = models.CharField(
        "Slack member ID",
        max_length=32,
        blank=True,
        validators=[validate_slack_user_id],
        help_text="e.g. U024BE7LH. Learned from Slack by e-mail when they first press a button.",
    )
    pagerduty_handle = models.CharField(
        max_length=81, blank=True, validators=[validate_pagerduty_handle], help_text="e.g. @jane"
    )
    pagerduty_user_id = models.CharField(
        "PagerDuty user id",
        max_length=20,
        blank=True,
        validators=[validate_pagerduty_id],
        help_text="e.g. PABC123 (`manage.py pagerduty_link` matches people by e-mail).",
    )
    phone = PhoneField(
        blank=True, help_text="Emergency phone, international format: +44 20 7946 0000"
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="person",
    )
    country = _country_field("Whose public holidays apply: ISO code, e.g. DE. Empty: the team's.")
    region = _region_field()
    is_active = models.BooleanField(default=True)
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When someone last confirmed these contact details."
    )
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(fields=["display_name"], name="person_display_name_unique"),
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="person_email_unique"
            ),
            models.UniqueConstraint(
                fields=["slack_user_id"],
                condition=~Q(slack_user_id=""),
                name="person_slack_user_id_unique",
            ),
            models.UniqueConstraint(
                fields=["pagerduty_user_id"],
                condition=~Q(pagerduty_user_id=""),
                name="person_pagerduty_user_unique",
            ),
        ]
        indexes = [
            # Whose details turn stale next (the completeness panel holds until then): the
            # first active person verified since a given day, without sorting everyone.
            models.Index(
                fields=["verified_at"], condition=Q(is_active=True), name="person_active_verified"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        _check_place(self.country, self.region)

    @property
    def holiday_place(self) -> Place | None:
        """Whose public holidays apply: the person's country and region, else their team's."""
        if self.country:
            return Place(self.country, self.region)
        if self.team_id is None:
            return None
        annotated = getattr(self, "team_country", None)  # `PersonQuerySet.with_holiday_place`
        if annotated is not None:
            return Place(annotated, getattr(self, "team_region", "") or "") if annotated else None
        team = self.team
        return Place(team.country, team.region) if team is not None and team.country else None

    @property
    def missing_contact_fields(self) -> list[str]:
        """What `missing_contact_q` finds missing, by name."""
        return [label for name, label in CONTACT_FIELDS if not getattr(self, name)]

    def is_unverified(self, *, at: datetime) -> bool:
        """What `unverified_q` finds, for one person."""
        return self.verified_at is None or self.verified_at < at - VERIFICATION_MAX_AGE


class RoleQuerySet(models.QuerySet["Role"]):
    def tbd(self) -> "RoleQuerySet":
        return self.filter(holder__isnull=True)


class Role(models.Model):
    """A named position ("DBA Lead"); a role without a holder is TBD."""

    name = models.CharField(max_length=120, unique=True, validators=[validate_single_line])
    slug = models.SlugField(max_length=120, unique=True)
    slack_alias = models.CharField(
        max_length=81,
        blank=True,
        validators=[validate_slack_handle],
        help_text="Group alias, e.g. @dba-lead",
    )
    pagerduty_alias = models.CharField(
        max_length=81,
        blank=True,
        validators=[validate_pagerduty_handle],
        help_text="e.g. @dba-lead",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="roles"
    )
    holder = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="roles"
    )
    contact_position = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Order in the published contact table; empty keeps it out of that table.",
    )
    history = HistoricalRecords()

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact_position"],
                condition=Q(contact_position__isnull=False),
                name="role_contact_position_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_tbd(self) -> bool:
        return self.holder_id is None
