"""The escalation paths: each path's steps in order, their parties resolved at `at`, and the
rule for moving on to the next step (`escalation_clock.StepRule`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Power
from django.http import Http404

from ..escalation_clock import StepRule, condition_text
from ..models import (
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
)
from ..parties import (
    PARTY_RELATED,
    PartyContext,
    ResolvedParty,
    joined_labels,
    resolve_parties,
)
from ..validity import ALWAYS, Validity
from .oncall import on_call_named

PATH_NOT_FOUND = "No escalation path with that address."


@dataclass(frozen=True)
class PathStepView:
    step: EscalationStep
    number: int
    parties: tuple[ResolvedParty, ...]
    rule: StepRule

    @property
    def title(self) -> str:
        return joined_labels(self.parties)

    @property
    def condition(self) -> str:
        return condition_text(self.rule)

    @property
    def is_tbd(self) -> bool:
        return any(party.is_tbd for party in self.parties)


@dataclass(frozen=True)
class PathView:
    path: EscalationPath
    steps: tuple[PathStepView, ...]
    validity: Validity = ALWAYS

    @property
    def rules(self) -> list[StepRule]:
        return [step.rule for step in self.steps]


@dataclass(frozen=True)
class PathList:
    paths: list[PathView]
    validity: Validity = ALWAYS


def steps_queryset() -> QuerySet[EscalationStep]:
    """Steps in order with their parties (one more query) and the levels of the severities they
    are limited to, summed as bits (`only_levels`): severity levels are 1 to 9, so the set fits
    in one number, read in the steps' own query instead of a query of its own."""
    return (
        EscalationStep.objects.annotate(only_mask=Sum(Power(2, "only_severities__level")))
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=EscalationStepParty.objects.select_related(*PARTY_RELATED).order_by(
                    "position"
                ),
            ),
        )
    )


def path_queryset() -> QuerySet[EscalationPath]:
    return EscalationPath.objects.prefetch_related(
        Prefetch("steps", queryset=steps_queryset())
    ).order_by("position", "name")


def only_levels(step: EscalationStep) -> frozenset[int]:
    """The levels a step is limited to (empty: every severity), from `steps_queryset()`'s `only_mask`."""
    mask = int(getattr(step, "only_mask", None) or 0)
    return frozenset(level for level in range(mask.bit_length()) if mask >> level & 1)


def step_rule(step: EscalationStep) -> StepRule:
    return StepRule(
        position=step.position,
        after_minutes=step.after_minutes,
        only_levels=only_levels(step),
        condition=step.condition,
    )


def path_view_for(
    path: EscalationPath,
    context: PartyContext,
    steps: Sequence[EscalationStep] | None = None,
    validity: Validity = ALWAYS,
) -> PathView:
    return PathView(
        path=path,
        steps=tuple(
            PathStepView(
                step=step,
                number=number,
                parties=tuple(resolve_parties(step.parties.all(), context)),
                rule=step_rule(step),
            )
            for number, step in enumerate(path.steps.all() if steps is None else steps)
        ),
        validity=validity,
    )


def rotations_named(
    paths: Sequence[EscalationPath] = (), steps: Sequence[EscalationStep] = ()
) -> set[int | None]:
    """The rotations the parties of these paths' steps (from `path_queryset()`), or of these
    steps (from `steps_queryset()`), name."""
    every_step = [step for path in paths for step in path.steps.all()] + list(steps)
    return {party.rotation_id for step in every_step for party in step.parties.all()}


def escalation_paths(*, at: datetime) -> PathList:
    """Every path with its steps and parties resolved as of `at`. Three queries, plus
    `on_call_named`'s (for the rotations the steps name)."""
    paths = list(path_queryset())
    now = on_call_named(at=at, rotation_ids=rotations_named(paths))
    context = PartyContext.build(now.answers)
    return PathList(paths=[path_view_for(path, context) for path in paths], validity=now.validity)


def escalation_path(*, slug: str, at: datetime) -> PathView:
    """One path by slug (404 when missing), parties resolved as of `at`. Three queries, plus
    `on_call_named`'s (for the rotations its steps name)."""
    path = path_queryset().filter(slug=slug).first()
    if path is None:
        raise Http404(PATH_NOT_FOUND)
    now = on_call_named(at=at, rotation_ids=rotations_named([path]))
    return path_view_for(path, PartyContext.build(now.answers), validity=now.validity)


def first_path_of_kind(kind: str) -> tuple[EscalationPath | None, list[EscalationStep]]:
    """The first path of a kind with its steps. Two queries: the steps with their path, and
    their parties (or, for a path without steps, the path alone)."""
    first = EscalationPath.objects.filter(kind=kind).order_by("position", "name").values("pk")
    steps = list(steps_queryset().filter(path=Subquery(first[:1])).select_related("path"))
    if steps:
        return steps[0].path, steps
    return EscalationPath.objects.filter(kind=kind).order_by("position", "name").first(), []
