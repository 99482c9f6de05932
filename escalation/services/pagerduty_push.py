"""Approved swaps into PagerDuty: each portal override of a linked rotation tier becomes a
PagerDuty override, and is deleted again when the swap is reverted.

The swap services call `pagerduty_overrides_push` / `pagerduty_overrides_remove` inside their
transaction: that only marks the overrides and writes an outbox message per schedule, delivered
after commit and retried with backoff by `manage.py deliver_notifications`. The swap is approved
whatever PagerDuty says. Delivery is idempotent: an override that has a PagerDuty id is never
sent again, and before creating, the schedule's existing overrides are read so that one created
by an attempt whose answer was lost is adopted rather than created twice.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from ..integrations import pagerduty as pd
from ..models import (
    MessageChannel,
    OutgoingMessage,
    Override,
    PagerDutyPushState,
    SwapRequest,
)
from ..notify.outbox import Notice, enqueue
from ..permissions import is_manager

CREATE = "create"
DELETE = "delete"

NO_PAGERDUTY_USER = (
    "{person} has no PagerDuty user id: link them (admin, or manage.py pagerduty_link), then retry."
)
ALREADY_OVER = "This override was over before it reached PagerDuty."
WILL_RETRY = "Not yet: {error} (trying again shortly)"
GAVE_UP = "Gave up after repeated failures: {error}"
ONLY_MANAGERS_RETRY = "Only an Escalation manager can retry PagerDuty."
NOTHING_TO_RETRY = "Nothing of this request failed in PagerDuty: there is nothing to retry."
NOT_CONNECTED = "PagerDuty is not connected: there is nothing to retry."


def _enqueue(action: str, schedule_id: str, overrides: list[Override]) -> None:
    keys = sorted(override.pk for override in overrides)
    enqueue(
        [
            Notice(
                channel=MessageChannel.PAGERDUTY,
                recipient=schedule_id,
                subject=f"{action.capitalize()} {len(keys)} override(s) in schedule {schedule_id}",
                body=json.dumps({"action": action, "overrides": keys}),
            )
        ]
    )


def _by_schedule(overrides: Iterable[Override]) -> dict[str, list[Override]]:
    grouped: dict[str, list[Override]] = defaultdict(list)
    for override in overrides:
        schedule_id = override.rotation.pagerduty_schedule_id(override.tier)
        if schedule_id:
            grouped[schedule_id].append(override)
    return grouped


def pagerduty_overrides_push(*, overrides: Iterable[Override]) -> None:
    """Within the caller's transaction: have PagerDuty create these overrides (those of linked
    tiers) after commit. No-op without PagerDuty settings."""
    if not pd.is_configured():
        return
    for schedule_id, rows in _by_schedule(overrides).items():
        Override.objects.filter(pk__in=[row.pk for row in rows]).update(
            pagerduty_state=PagerDutyPushState.PENDING, pagerduty_error=""
        )
        _enqueue(CREATE, schedule_id, rows)


def pagerduty_overrides_remove(*, overrides: Iterable[Override]) -> None:
    """Within the caller's transaction (the overrides are reverted): have PagerDuty delete the
    ones it has that are not over yet (past overrides stay in PagerDuty's history). The rows
    passed get the new state too, so a caller that saves them afterwards keeps it."""
    if not pd.is_configured():
        return
    now = timezone.now()
    rows = list(overrides)
    in_pagerduty = [o for o in rows if o.pagerduty_override_id and o.end > now]
    # Not created yet: the create delivery skips reverted overrides, so nothing will be.
    never_created = [o for o in rows if not o.pagerduty_override_id and o.pagerduty_state]
    _set_state(never_created, "")
    for schedule_id, group in _by_schedule(in_pagerduty).items():
        _set_state(group, PagerDutyPushState.PENDING)
        _enqueue(DELETE, schedule_id, group)


def _set_state(rows: list[Override], state: str) -> None:
    Override.objects.filter(pk__in=[row.pk for row in rows]).update(
        pagerduty_state=state, pagerduty_error=""
    )
    for row in rows:
        row.pagerduty_state, row.pagerduty_error = state, ""


@transaction.atomic
def pagerduty_overrides_retry(*, swap: SwapRequest, by: AbstractBaseUser | AnonymousUser) -> int:
    """A manager tries again what failed in PagerDuty for `swap`; returns how many overrides."""
    from .swaps import SwapError, SwapPermissionDenied  # swaps pushes through this module

    if not is_manager(by):
        raise SwapPermissionDenied(ONLY_MANAGERS_RETRY)
    if not pd.is_configured():
        raise SwapError(NOT_CONNECTED)
    failed = list(
        Override.objects.select_for_update()
        .filter(swap_request=swap, pagerduty_state=PagerDutyPushState.FAILED)
        .select_related("rotation")
    )
    creates = [o for o in failed if o.reverted_at is None and not o.pagerduty_override_id]
    deletes = [o for o in failed if o.reverted_at is not None and o.pagerduty_override_id]
    if not creates and not deletes:
        raise SwapError(NOTHING_TO_RETRY)
    pagerduty_overrides_push(overrides=creates)
    pagerduty_overrides_remove(overrides=deletes)
    return len(creates) + len(deletes)


# --- delivery (the outbox calls these) ------------------------------------------------------


def _mark(keys: Iterable[int], state: str, error: str = "", **fields: str) -> None:
    Override.objects.filter(pk__in=list(keys)).update(
        pagerduty_state=state, pagerduty_error=error[:500], **fields
    )


def pagerduty_push_deliver(*, message: OutgoingMessage) -> None:
    """Do what `message` asks of PagerDuty. Raises when it is worth trying again later (no
    answer, 5xx, 429 with `retry_after`); a refusal is recorded on the overrides instead."""
    payload = json.loads(message.body)
    keys = [int(key) for key in payload["overrides"]]
    schedule_id = message.recipient
    try:
        api = pd.client()
        if payload["action"] == CREATE:
            _create(api, schedule_id, keys)
        else:
            _delete(api, schedule_id, keys)
    except pd.PagerDutyError as error:
        if not error.retryable:
            _mark(_open(keys), PagerDutyPushState.FAILED, str(error))
            return
        Override.objects.filter(pk__in=_open(keys)).update(
            pagerduty_error=WILL_RETRY.format(error=error)[:500]
        )
        raise


def _open(keys: Iterable[int]) -> list[int]:
    """The overrides among `keys` still waiting for PagerDuty."""
    return list(
        Override.objects.filter(
            pk__in=list(keys), pagerduty_state=PagerDutyPushState.PENDING
        ).values_list("pk", flat=True)
    )


def _create(api: object, schedule_id: str, keys: list[int]) -> None:
    now = timezone.now()
    rows = list(
        Override.objects.filter(
            pk__in=keys,
            reverted_at__isnull=True,
            pagerduty_override_id="",
            pagerduty_state=PagerDutyPushState.PENDING,
        ).select_related("person")
    )
    specs = []
    for row in rows:
        if row.end <= now:
            _mark([row.pk], PagerDutyPushState.FAILED, ALREADY_OVER)
        elif not row.person.pagerduty_user_id:
            _mark([row.pk], PagerDutyPushState.FAILED, NO_PAGERDUTY_USER.format(person=row.person))
        else:
            start = max(row.start, now)
            specs.append(pd.OverrideSpec(row.pk, start, row.end, row.person.pagerduty_user_id))
    if not specs:
        return
    # Adopt what an earlier attempt created but could not record (its answer was lost).
    existing = pd.existing_overrides(
        api,  # type: ignore[arg-type]
        schedule_id,
        min(spec.start for spec in specs),
        max(spec.end for spec in specs),
    )
    known = set(
        Override.objects.filter(
            pagerduty_override_id__in=[item.get("id") for item in existing]
        ).values_list("pagerduty_override_id", flat=True)
    )
    to_create = []
    for spec in specs:
        match = next(
            (item for item in existing if item.get("id") not in known and spec.matches(item)),
            None,
        )
        if match is None:
            to_create.append(spec)
            continue
        known.add(match["id"])
        _mark([spec.key], PagerDutyPushState.IN_PAGERDUTY, pagerduty_override_id=match["id"])
    if to_create:
        for outcome in pd.create_overrides(api, schedule_id, to_create):  # type: ignore[arg-type]
            if outcome.override_id:
                _mark(
                    [outcome.key],
                    PagerDutyPushState.IN_PAGERDUTY,
                    pagerduty_override_id=outcome.override_id,
                )
            else:
                _mark([outcome.key], PagerDutyPushState.FAILED, outcome.error)
    # Reverted while PagerDuty was creating them: take them back out.
    late = Override.objects.filter(
        pk__in=[spec.key for spec in specs], reverted_at__isnull=False
    ).exclude(pagerduty_override_id="")
    if late:
        with transaction.atomic():
            pagerduty_overrides_remove(overrides=late.select_related("rotation"))


def _delete(api: object, schedule_id: str, keys: list[int]) -> None:
    now = timezone.now()
    rows = Override.objects.filter(pk__in=keys, pagerduty_state=PagerDutyPushState.PENDING).exclude(
        pagerduty_override_id=""
    )
    for row in rows:
        if row.end <= now:
            _mark([row.pk], PagerDutyPushState.IN_PAGERDUTY)  # over: PagerDuty keeps it as history
            continue
        try:
            pd.delete_override(api, schedule_id, row.pagerduty_override_id)  # type: ignore[arg-type]
        except pd.PagerDutyError as error:
            if error.retryable:
                raise
            _mark([row.pk], PagerDutyPushState.FAILED, str(error))
            continue
        _mark([row.pk], PagerDutyPushState.REMOVED)


def pagerduty_push_given_up(*, message: OutgoingMessage, error: str) -> None:
    """The outbox stopped retrying `message`: its overrides show as failed, for a manager."""
    keys = json.loads(message.body)["overrides"]
    _mark(_open(keys), PagerDutyPushState.FAILED, GAVE_UP.format(error=error))
