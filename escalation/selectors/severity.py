"""The severity matrix: every severity against every responder tier, each party resolved
to who answers at `at` (the on-call pair from `selectors.oncall`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    Prefetch,
    QuerySet,
)

from ..model_rows import attnames, from_row
from ..models import (
    ResponderTier,
    Severity,
    SeverityResponder,
)
from ..parties import (
    PARTY_RELATED,
    PartyContext,
    PartyRows,
    ResolvedParty,
    resolve_parties,
)
from ..validity import ALWAYS, Validity
from .oncall import RotationOnCall, on_call_named
from .prepared import PreparedQuery


@dataclass(frozen=True)
class TierCell:
    tier: str
    tier_label: str
    parties: tuple[ResolvedParty, ...]

    @property
    def not_required(self) -> bool:
        return not self.parties


@dataclass(frozen=True)
class SeverityRow:
    severity: Severity
    cells: tuple[TierCell, ...]

    def cell(self, tier: str) -> TierCell:
        return next(cell for cell in self.cells if cell.tier == tier)


@dataclass(frozen=True)
class SeverityMatrix:
    at: datetime
    tiers: tuple[tuple[str, str], ...]
    rows: tuple[SeverityRow, ...]
    on_call: tuple[RotationOnCall, ...]
    validity: Validity = ALWAYS


def responders_prefetch() -> Prefetch:
    return Prefetch(
        "responders",
        queryset=SeverityResponder.objects.select_related(*PARTY_RELATED).order_by(
            "tier", "position"
        ),
    )


def _severity_rows() -> QuerySet[Severity, tuple[Any, ...]]:
    """Every severity in order, joined to its responders (none: one row of empty responder
    columns) with what resolving them reads, in tier and position order."""
    return Severity.objects.order_by(
        "level", "responders__tier", "responders__position"
    ).values_list(*_SEVERITY_FIELDS, *PartyRows.columns(SeverityResponder, "responders__"))


_SEVERITY_FIELDS = attnames(Severity)
_SEVERITY_ROWS = PreparedQuery(_severity_rows)


def load_severities(
    shown: Callable[[Sequence[Severity]], Severity | None] | None = None,
) -> list[tuple[Severity, list[SeverityResponder]]]:
    """Every severity in level order with its responders in tier and position order: of every
    severity, or only of the one `shown` picks among them (the others' lists empty). One
    query; each role, person and channel built once."""
    rows = _SEVERITY_ROWS.rows(using=DEFAULT_DB_ALIAS)
    end = len(_SEVERITY_FIELDS)
    severities: dict[int, tuple[Severity, list[SeverityResponder]]] = {}
    for row in rows:
        if row[0] not in severities:
            severity = from_row(Severity, _SEVERITY_FIELDS, row[:end])
            severities[row[0]] = (severity, [])
    chosen = shown([severity for severity, _ in severities.values()]) if shown else None
    parties = PartyRows()
    for row in rows:
        if row[end] is None or (shown is not None and (chosen is None or row[0] != chosen.pk)):
            continue
        severity, responders = severities[row[0]]
        responder = parties.build(SeverityResponder, row[end:])
        _RESPONDER_SEVERITY.set_cached_value(responder, severity)
        responders.append(responder)
    return list(severities.values())


_RESPONDER_SEVERITY = SeverityResponder._meta.get_field("severity")


def tier_cells(
    responders: Sequence[SeverityResponder], context: PartyContext
) -> tuple[TierCell, ...]:
    by_tier: dict[str, list[SeverityResponder]] = defaultdict(list)
    for responder in responders:
        by_tier[responder.tier].append(responder)
    return tuple(
        TierCell(
            tier=tier.value,
            tier_label=str(tier.label),
            parties=tuple(resolve_parties(by_tier[tier.value], context)),
        )
        for tier in ResponderTier
    )


def severity_matrix(*, at: datetime) -> SeverityMatrix:
    """Every severity against every tier, each party resolved as of `at`. One query, plus
    `on_call_named`'s (for the rotations the responders name)."""
    severities = load_severities()
    now = on_call_named(
        at=at,
        rotation_ids={
            responder.rotation_id for _, responders in severities for responder in responders
        },
    )
    answers = tuple(now.answers)
    context = PartyContext.build(answers)
    return SeverityMatrix(
        at=at,
        tiers=tuple((tier.value, str(tier.label)) for tier in ResponderTier),
        rows=tuple(
            SeverityRow(severity=severity, cells=tier_cells(responders, context))
            for severity, responders in severities
        ),
        on_call=answers,
        validity=now.validity,
    )
