"""`generate_org`: a small organisation that is consistent, valid and the same for a seed."""

import io
import re
from datetime import date
from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from escalation import models
from escalation.orgdata.generate import NOT_EMPTY, TOO_SMALL
from escalation.permissions import is_manager

TODAY = date(2026, 11, 26)
SMALL = {"people": 60, "services": 10, "rotations": 3, "years": 1, "seed": 1, "today": TODAY}

VALIDATED_MODELS = [
    models.Team,
    models.Person,
    models.Role,
    models.Channel,
    models.Severity,
    models.SeverityResponder,
    models.Service,
    models.EscalationPath,
    models.EscalationStep,
    models.EscalationStepParty,
    models.PagingRule,
    models.Rotation,
    models.RotationSlot,
    models.Override,
    models.SwapRequest,
    models.SwapRequestEvent,
]


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_org", stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.fixture
def small_org(db) -> str:
    return generate()


def test_counts_are_those_asked_for(small_org):
    assert models.Person.objects.count() == 60
    assert models.Service.objects.count() == 10
    assert models.Rotation.objects.count() == 3
    assert models.Team.objects.count() == 3
    assert list(models.Severity.objects.values_list("level", flat=True)) == [1, 2, 3, 4]
    assert re.search(r"^\s+people\s+60$", small_org, re.MULTILINE)


def test_every_foreign_key_points_at_a_row(small_org):
    connection.check_constraints()  # raises IntegrityError on a dangling key
    for model in VALIDATED_MODELS:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.many_to_one:
                target = field.related_model._default_manager.all()
                dangling = (
                    model._default_manager.exclude(**{f"{field.attname}__isnull": True})
                    .exclude(**{f"{field.name}__in": target})
                    .count()
                )
                assert dangling == 0, f"{model.__name__}.{field.name}"


def test_a_sample_of_every_model_passes_full_clean(small_org):
    for model in VALIDATED_MODELS:
        rows = list(model._default_manager.order_by("pk"))
        assert rows, f"no {model.__name__} generated"
        for row in rows[:: max(1, len(rows) // 7)]:
            row.full_clean()


def test_the_organisation_has_the_awkward_cases_pages_must_show(small_org):
    assert models.Role.objects.tbd().exists()
    assert models.Person.objects.filter(is_active=False).exists()
    assert (
        models.Person.objects.filter(phone="").exists()
        or models.Person.objects.filter(verified_at=None).exists()
    )
    assert set(models.Rotation.objects.values_list("slot_rule", flat=True)) == {
        models.SlotRule.ISO_WEEK_PARITY,
        models.SlotRule.ALTERNATION,
    }
    assert models.Override.objects.filter(swap_request=None).exists()
    assert models.Override.objects.exclude(swap_request=None).exists()
    states = set(models.SwapRequest.objects.values_list("state", flat=True))
    assert {models.SwapState.APPROVED, models.SwapState.PENDING} <= states


def test_in_effect_overrides_never_overlap_within_a_rotation_and_tier(db):
    # Big enough for swaps whose return shift meets a later request or override.
    generate(people=200, services=5, rotations=10, years=3)
    overrides = models.Override.objects.in_effect().order_by("rotation", "tier", "start")
    assert overrides.count() > 300
    by_key: dict[tuple[int, str], list[models.Override]] = {}
    for override in overrides:
        by_key.setdefault((override.rotation_id, override.tier), []).append(override)
    for rows in by_key.values():
        for earlier, later in pairwise(rows):
            assert earlier.end <= later.start, (earlier.pk, later.pk)


def test_approved_swaps_made_overrides_and_others_did_not(small_org):
    approved = models.SwapRequest.objects.filter(state=models.SwapState.APPROVED)
    assert approved.exists()
    for swap in approved:
        expected = 2 if swap.kind == models.SwapKind.SWAP else 1
        assert swap.overrides.in_effect().count() == expected
    assert not models.Override.objects.filter(
        swap_request__state__in=[models.SwapState.PENDING, models.SwapState.DECLINED]
    ).exists()


def test_people_on_call_can_log_in_and_managers_approve(small_org):
    slot = models.RotationSlot.objects.select_related("primary__user").first()
    assert slot.primary.user is not None
    approvers = User.objects.filter(
        pk__in=models.SwapRequestEvent.objects.filter(action="approved").values("actor")
    )
    assert approvers.exists()
    assert all(is_manager(user) for user in approvers)


def test_same_seed_gives_the_same_organisation(db):
    generate()
    first = list(models.Person.objects.order_by("pk").values_list("display_name", "email"))
    first_services = list(models.Service.objects.order_by("pk").values_list("name", flat=True))
    first_overrides = list(models.Override.objects.order_by("pk").values_list("start", "end"))
    generate(flush=True)
    assert list(models.Person.objects.order_by("pk").values_list("display_name", "email")) == first
    assert list(models.Service.objects.order_by("pk").values_list("name", flat=True)) == (
        first_services
    )
    assert list(models.Override.objects.order_by("pk").values_list("start", "end")) == (
        first_overrides
    )
    generate(flush=True, seed=2)
    assert list(models.Person.objects.order_by("pk").values_list("display_name", "email")) != first


def test_refuses_a_database_that_already_has_data_unless_flushed(small_org):
    with pytest.raises(CommandError) as error:
        generate()
    assert str(error.value) == NOT_EMPTY.format(count=60, services=10)
    generate(flush=True, people=40, services=5)
    assert models.Person.objects.count() == 40
    assert models.Service.objects.count() == 5


def test_too_few_people_for_the_teams_is_refused(db):
    with pytest.raises(CommandError) as error:
        generate(people=20, teams=10)
    assert str(error.value) == TOO_SMALL.format(minimum=32, teams=10)
    assert not models.Person.objects.exists()
