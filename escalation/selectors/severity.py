"""The severity matrix: every severity against every responder tier, each party resolved
to who answers at `at` (the on-call pair from `selectors.oncall`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Prefetch,
)

from ..models import (
    ResponderTier,
    Severity,
    SeverityResponder,
)
from ..parties import (
    PARTY_RELATED,
    PartyContext,
    ResolvedParty,
    resolve_parties,
)
from ..validity import ALWAYS, Validity
from .oncall import RotationOnCall, on_call_named


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


def rotations_named(severities: Sequence[Severity]) -> set[int | None]:
    """The rotations the severities' responders name (from `responders_prefetch()`)."""
    return {
        responder.rotation_id for severity in severities for responder in severity.responders.all()
    }


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
    """Every severity against every tier, each party resolved as of `at`. Two queries, plus
    `on_call_named`'s (for the rotations the responders name)."""
    severities = list(Severity.objects.prefetch_related(responders_prefetch()).order_by("level"))
    now = on_call_named(at=at, rotation_ids=rotations_named(severities))
    answers = tuple(now.answers)
    context = PartyContext.build(answers)
    return SeverityMatrix(
        at=at,
        tiers=tuple((tier.value, str(tier.label)) for tier in ResponderTier),
        rows=tuple(
            SeverityRow(
                severity=severity, cells=tier_cells(list(severity.responders.all()), context)
            )
            for severity in severities
        ),
        on_call=answers,
        validity=now.validity,
    )
