"""What the pages read of PagerDuty: whether it is connected, when the sync last read it, and
where it disagrees with the portal (the drift `pagerduty_sync` stored). Nothing here calls
PagerDuty: a page view never does. Without PagerDuty settings nothing here queries either."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Q

from ..integrations import pagerduty as pd
from ..models import PagerDutyCheck, PagerDutyDrift

NOT_CONNECTED = "PagerDuty is not connected"


@dataclass(frozen=True)
class PagerDutyStatus:
    """The completeness panel's PagerDuty line."""

    connected: bool
    linked_tiers: int = 0
    last_good_sync: datetime | None = None
    failing: int = 0
    last_error: str = ""


def pagerduty_status() -> PagerDutyStatus:
    """Connected or not; when connected, the latest good sync and the tiers whose last reading
    failed. One query when connected, none otherwise."""
    if not pd.is_configured():
        return PagerDutyStatus(connected=False)
    figures = PagerDutyCheck.objects.aggregate(
        linked=Count("pk"),
        last_good=Max("checked_at"),
        failing=Count("pk", filter=~Q(error="")),
        last_error=Max("error"),
    )
    return PagerDutyStatus(
        connected=True,
        linked_tiers=figures["linked"],
        last_good_sync=figures["last_good"],
        failing=figures["failing"],
        last_error=figures["last_error"] or "",
    )


@dataclass(frozen=True)
class Drift:
    """The drift intervals overlapping a window, ready for a banner."""

    items: list[PagerDutyDrift] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)


def pagerduty_drift(*, start: datetime, end: datetime | None = None) -> Drift:
    """Where PagerDuty will page someone other than the portal says, over [start, end) (from
    `start` on without `end`). One query when PagerDuty is connected, none otherwise."""
    if not pd.is_configured():
        return Drift()
    rows = PagerDutyDrift.objects.filter(end__gt=start)
    if end is not None:
        rows = rows.filter(start__lt=end)
    return Drift(
        list(
            rows.select_related("rotation", "pagerduty_person", "portal_person").order_by(
                "start", "rotation__position", "rotation__name", "tier"
            )
        )
    )


@dataclass(frozen=True)
class TierAgreement:
    """For the API: whom PagerDuty pages for a linked tier at an instant, and whether that is
    the portal's person. `agrees` is None when the instant is outside the last sync's window."""

    pagerduty_person: str | None
    agrees: bool | None
    checked_at: datetime | None


def pagerduty_agreement(*, at: datetime) -> dict[tuple[int, str], TierAgreement | None]:
    """Per (rotation id, tier) linked to PagerDuty: what the last sync says about `at`. A tier
    in the answer with None: linked, never read yet. Two queries when connected, none otherwise.
    `TierAgreement.pagerduty_person` is None where PagerDuty agrees: the caller names the
    portal's person."""
    if not pd.is_configured():
        return {}
    drifts = {
        (drift.rotation_id, drift.tier): drift
        for drift in PagerDutyDrift.objects.filter(start__lte=at, end__gt=at).select_related(
            "pagerduty_person"
        )
    }
    answers: dict[tuple[int, str], TierAgreement | None] = {}
    for check in PagerDutyCheck.objects.all():
        key = (check.rotation_id, check.tier)
        if check.checked_at is None:
            answers[key] = None
            continue
        inside = (
            check.window_start is not None
            and check.window_end is not None
            and check.window_start <= at < check.window_end
        )
        drift = drifts.get(key)
        answers[key] = TierAgreement(
            pagerduty_person=drift.pagerduty_says if drift is not None else None,
            agrees=(drift is None) if inside else None,
            checked_at=check.checked_at,
        )
    return answers
