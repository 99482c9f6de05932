"""factory_boy factories for every model; `.build()` where no database is needed."""

from datetime import UTC, datetime, time, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from escalation import models
from escalation.permissions import MANAGERS_GROUP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")
    is_staff = False

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class ManagerFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def managers_group(self, create, extracted, **kwargs):
        if create:
            group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
            self.groups.add(group)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    slack_channel = factory.Sequence(lambda n: f"#team-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    display_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    slack_handle = factory.Sequence(lambda n: f"@person{n}")
    pagerduty_handle = factory.Sequence(lambda n: f"@pd-person{n}")
    phone = factory.Sequence(lambda n: f"+4420794600{n % 100:02d}")
    time_zone = "UTC"
    is_active = True


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Role

    name = factory.Sequence(lambda n: f"Role {n}")
    slug = factory.Sequence(lambda n: f"role-{n}")
    slack_alias = factory.Sequence(lambda n: f"@role-{n}")
    pagerduty_alias = factory.LazyAttribute(lambda o: o.slack_alias)
    holder = factory.SubFactory(PersonFactory)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Channel

    name = factory.Sequence(lambda n: f"#channel-{n}")
    slug = factory.Sequence(lambda n: f"channel-{n}")
    kind = models.ChannelKind.SLACK
    purpose = "Incident coordination"
    who_posts = "Responders"


class SeverityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Severity
        django_get_or_create = ("level",)

    level = factory.Sequence(lambda n: n % 9 + 1)


class SeverityResponderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SeverityResponder

    severity = factory.SubFactory(SeverityFactory)
    tier = models.ResponderTier.PRIMARY
    kind = models.PartyKind.ROLE
    role = factory.SubFactory(RoleFactory)
    label = factory.LazyAttribute(lambda o: o.role.name if o.role else "On-call engineer")
    position = factory.Sequence(lambda n: n)


class RotationFactory(factory.django.DjangoModelFactory):
    """`RotationFactory(pairs=[(a, b), (c, d)])` gives the document's rotation: odd ISO weeks
    the first pair (primary, secondary), even weeks the second, slots "Odd weeks" and
    "Even weeks"."""

    class Meta:
        model = models.Rotation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Rotation {n}")
    slug = factory.Sequence(lambda n: f"rotation-{n}")
    handoff_weekday = models.Weekday.MONDAY
    handoff_time = time(9, 0)
    time_zone = "UTC"
    shift_days = 7
    slot_rule = models.SlotRule.ISO_WEEK_PARITY
    swap_channel = "#on-call-swap"

    @factory.post_generation
    def pairs(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        parities = (models.WeekParity.ODD, models.WeekParity.EVEN)
        for position, ((primary, secondary), parity) in enumerate(
            zip(extracted, parities, strict=True)
        ):
            RotationSlotFactory(
                rotation=self,
                position=position,
                week_parity=parity,
                primary=primary,
                secondary=secondary,
            )


class RotationSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RotationSlot

    rotation = factory.SubFactory(RotationFactory)
    position = factory.Sequence(lambda n: n)
    label = factory.LazyAttribute(lambda o: "Odd weeks" if o.week_parity == "odd" else "Even weeks")
    week_parity = models.WeekParity.ODD
    primary = factory.SubFactory(PersonFactory)
    secondary = factory.SubFactory(PersonFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Service

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    team = factory.SubFactory(TeamFactory)
    primary_contact = factory.SubFactory(RoleFactory)
    slack_channel = factory.LazyAttribute(lambda o: o.team.slack_channel)
    position = factory.Sequence(lambda n: n)


class EscalationPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EscalationPath

    name = factory.Sequence(lambda n: f"Path {n}")
    slug = factory.Sequence(lambda n: f"path-{n}")
    kind = models.PathKind.TECHNICAL
    position = factory.Sequence(lambda n: n)


class EscalationStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EscalationStep

    path = factory.SubFactory(EscalationPathFactory)
    position = factory.Sequence(lambda n: n)


class EscalationStepPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EscalationStepParty

    step = factory.SubFactory(EscalationStepFactory)
    kind = models.PartyKind.ROLE
    role = factory.SubFactory(RoleFactory)
    label = factory.LazyAttribute(lambda o: o.role.name if o.role else "Vendor support")
    position = 0


class PagingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PagingRule

    signal = factory.Sequence(lambda n: f"Signal {n}")
    action = models.PagingAction.PAGE_NOW
    channel = factory.SubFactory(ChannelFactory, kind=models.ChannelKind.PAGERDUTY)
    position = factory.Sequence(lambda n: n)


class OverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Override

    rotation = factory.SubFactory(RotationFactory)
    tier = models.OnCallTier.PRIMARY
    person = factory.SubFactory(PersonFactory)
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=1))


class SwapRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SwapRequest

    rotation = factory.SubFactory(RotationFactory)
    tier = models.OnCallTier.PRIMARY
    kind = models.SwapKind.COVER
    requester = factory.SubFactory(PersonFactory)
    colleague = factory.SubFactory(PersonFactory)
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=1))
    reason = "Family event"


class FeedTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FeedToken

    user = factory.SubFactory(UserFactory)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    hint = "abcd1234"


class OutgoingMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OutgoingMessage

    channel = models.MessageChannel.EMAIL
    recipient = "someone@example.com"
    subject = "On-call change"
    body = "Body"


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TimeOff

    person = factory.SubFactory(PersonFactory)
    start = datetime(2026, 3, 10, tzinfo=UTC)
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=3))
    kind = models.TimeOffKind.VACATION


class HandoffNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.HandoffNote

    rotation = factory.SubFactory(RotationFactory)
    shift_start = datetime(2026, 3, 9, 9, tzinfo=UTC)
    shift_end = factory.LazyAttribute(lambda o: o.shift_start + timedelta(days=7))
    text = "INC-1 still open: watch the queue depth."
