"""The wall edition: one printed page that stays true until the data changes. The severity
matrix, the rotation table (every slot's pair with their phones), the escalation paths with
their conditions and the main channels; nothing that is only true now (no “on call now”, no
incident clock), so on-call positions are named, never resolved to a person."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Prefetch

from ..models import Channel, ResponderTier, Rotation, RotationSlot, Severity
from ..parties import PartyContext
from .paths import PathView, path_queryset, path_view_for
from .severity import SeverityRow, responders_prefetch, tier_cells

#: The rotations printed: the wall page is one sheet; the calendar has every rotation.
WALL_ROTATIONS = 4

# No rotation is read: on-call parties stay positions (“On-call primary”), with no person.
_TIMELESS = PartyContext()


@dataclass(frozen=True)
class WallEdition:
    tiers: tuple[tuple[str, str], ...]
    severities: tuple[SeverityRow, ...]
    rotations: tuple[Rotation, ...]
    more_rotations: bool
    paths: tuple[PathView, ...]
    channels: tuple[Channel, ...]


def wall_edition() -> WallEdition:
    """Eight queries: severities and their responders, the first rotations and their slots
    (with both people), the paths, their steps and the steps' parties, the main channels."""
    severities = list(Severity.objects.prefetch_related(responders_prefetch()).order_by("level"))
    rotations = list(
        Rotation.objects.order_by("position", "name").prefetch_related(
            Prefetch(
                "slots",
                queryset=RotationSlot.objects.select_related("primary", "secondary").order_by(
                    "position"
                ),
            )
        )[: WALL_ROTATIONS + 1]
    )
    paths = list(path_queryset())
    main_channels = Channel.objects.filter(position__isnull=False).order_by(
        F("position").asc(), "name"
    )
    return WallEdition(
        tiers=tuple((tier.value, str(tier.label)) for tier in ResponderTier),
        severities=tuple(
            SeverityRow(
                severity=severity,
                cells=tier_cells(list(severity.responders.all()), _TIMELESS),
            )
            for severity in severities
        ),
        rotations=tuple(rotations[:WALL_ROTATIONS]),
        more_rotations=len(rotations) > WALL_ROTATIONS,
        paths=tuple(path_view_for(path, _TIMELESS) for path in paths),
        channels=tuple(main_channels),
    )
