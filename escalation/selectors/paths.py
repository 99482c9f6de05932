"""The escalation paths: each path's steps in order, their parties resolved at `at`, and the
rule for moving on to the next step (`escalation_clock.StepRule`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Power
from django.http import Http404

from ..escalation_clock import StepRule, condition_text
from ..model_rows import attnames, from_row
from ..models import (
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
)
from ..parties import (
    PARTY_RELATED,
    PartyContext,
    PartyRows,
    ResolvedParty,
    joined_labels,
    resolve_parties,
)
from ..validity import ALWAYS, Validity
from .oncall import on_call_named
from .prepared import TEXT, PreparedQuery

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
    parties: Mapping[int, Sequence[EscalationStepParty]] | None = None,
) -> PathView:
    """The path with its steps (`path.steps`, else `steps`) and their parties (`step.parties`,
    else `parties` by step) resolved in `context`."""
    return PathView(
        path=path,
        steps=tuple(
            PathStepView(
                step=step,
                number=number,
                parties=tuple(
                    resolve_parties(
                        step.parties.all() if parties is None else parties.get(step.pk, ()),
                        context,
                    )
                ),
                rule=step_rule(step),
            )
            for number, step in enumerate(path.steps.all() if steps is None else steps)
        ),
        validity=validity,
    )


# --- Read as plain rows, for the pages ---------------------------------------------------

#: Which paths a page reads: every path, the one of a slug, or the first of a kind.
_EVERY_PATH = "every"
_PATH_OF_SLUG = "slug"
_FIRST_OF_KIND = "first of kind"


def _first_of_kind(kind: str) -> Subquery:
    return Subquery(
        EscalationPath.objects.filter(kind=kind).order_by("position", "name").values("pk")[:1]
    )


def _which_paths(which: str, prefix: str) -> Callable[..., Q]:
    """The condition on paths (reached through `prefix`) for each way of choosing them."""
    if which == _PATH_OF_SLUG:
        return lambda slug: Q(**{f"{prefix}slug": slug})
    if which == _FIRST_OF_KIND:
        return lambda kind: Q(**{f"{prefix}pk": _first_of_kind(kind)})
    return lambda: Q()


def _path_rows(which: str) -> Callable[..., QuerySet[EscalationPath, tuple[Any, ...]]]:
    def build(*arguments: Any) -> QuerySet[EscalationPath, tuple[Any, ...]]:
        # A path without steps is one row of empty step columns, a step without parties one
        # row of empty party columns.
        return (
            EscalationPath.objects.filter(_which_paths(which, "")(*arguments))
            .order_by("position", "name", "steps__position", "steps__parties__position")
            .values_list(
                *_PATH_FIELDS,
                *(f"steps__{name}" for name in _STEP_FIELDS),
                *PartyRows.columns(EscalationStepParty, "steps__parties__"),
            )
            .annotate(only_mask=_only_mask("steps__id"))
        )

    return build


def _only_mask(step: str) -> Subquery:
    """The levels of the severities a step (the key `step` names) is limited to, summed as
    bits (`only_levels`)."""
    limits = EscalationStep.only_severities.through.objects.filter(escalationstep_id=OuterRef(step))
    return Subquery(
        limits.values("escalationstep_id")
        .annotate(mask=Sum(Power(2, "severity__level")))
        .values("mask")  # type: ignore[misc]  # the stubs lose the annotation after values()
    )


_PATH_FIELDS = attnames(EscalationPath)
_STEP_FIELDS = attnames(EscalationStep)
_STEP_PATH = EscalationStep._meta.get_field("path")
_ARGUMENTS = {_EVERY_PATH: (), _PATH_OF_SLUG: (TEXT,), _FIRST_OF_KIND: (TEXT,)}
#: Paths joined to their steps (and each step's severities, as `only_mask`) and the steps'
#: parties: one query compiled once per process.
_PATH_ROWS = {
    which: PreparedQuery(_path_rows(which), *kinds) for which, kinds in _ARGUMENTS.items()
}


@dataclass(frozen=True)
class LoadedPaths:
    """Paths in order with their steps in order, and each step's parties in order."""

    paths: list[tuple[EscalationPath, list[EscalationStep]]]
    parties: dict[int, list[EscalationStepParty]]

    def rotations_named(self) -> set[int | None]:
        return {party.rotation_id for parties in self.parties.values() for party in parties}

    def views(self, context: PartyContext, validity: Validity = ALWAYS) -> list[PathView]:
        return [
            path_view_for(path, context, steps, validity=validity, parties=self.parties)
            for path, steps in self.paths
        ]


def load_paths(which: str = _EVERY_PATH, *arguments: Any) -> LoadedPaths:
    """The paths chosen (`which`, with its `arguments`), their steps and their parties as
    plain rows. One query; each role, person and channel built once."""
    path_end = len(_PATH_FIELDS)
    step_end = path_end + len(_STEP_FIELDS)
    paths: dict[int, tuple[EscalationPath, list[EscalationStep]]] = {}
    steps: dict[int, EscalationStep] = {}
    reader = PartyRows()
    parties: dict[int, list[EscalationStepParty]] = defaultdict(list)
    for row in _PATH_ROWS[which].rows(*arguments, using=DEFAULT_DB_ALIAS):
        loaded = paths.get(row[0])
        if loaded is None:
            path = from_row(EscalationPath, _PATH_FIELDS, row[:path_end])
            loaded = paths[row[0]] = (path, [])
        step_id = row[path_end]
        if step_id is None:
            continue
        if step_id not in steps:
            step = steps[step_id] = from_row(EscalationStep, _STEP_FIELDS, row[path_end:step_end])
            step.only_mask = row[-1]  # type: ignore[attr-defined]
            _STEP_PATH.set_cached_value(step, loaded[0])
            loaded[1].append(step)
        if row[step_end] is not None:
            parties[step_id].append(reader.build(EscalationStepParty, row[step_end:-1]))
    return LoadedPaths(paths=list(paths.values()), parties=parties)


def escalation_paths(*, at: datetime) -> PathList:
    """Every path with its steps and parties resolved as of `at`. One query, plus
    `on_call_named`'s (for the rotations the steps name)."""
    loaded = load_paths()
    now = on_call_named(at=at, rotation_ids=loaded.rotations_named())
    context = PartyContext.build(now.answers)
    return PathList(paths=loaded.views(context), validity=now.validity)


def escalation_path(*, slug: str, at: datetime) -> PathView:
    """One path by slug (404 when missing), parties resolved as of `at`. One query, plus
    `on_call_named`'s (for the rotations its steps name)."""
    loaded = load_paths(_PATH_OF_SLUG, slug)
    if not loaded.paths:
        raise Http404(PATH_NOT_FOUND)
    now = on_call_named(at=at, rotation_ids=loaded.rotations_named())
    return loaded.views(PartyContext.build(now.answers), validity=now.validity)[0]


def first_path_of_kind(kind: str) -> LoadedPaths:
    """The first path of a kind (none: no path) with its steps and their parties. One
    query."""
    return load_paths(_FIRST_OF_KIND, kind)
