"""A button pressed on a swap message: who pressed it, and what the swap service says.

The Slack user is matched to a Person by the Slack member ID stored on the Person; failing that,
the people who may take this step (the colleague; the managers) are looked up by e-mail with
`users.lookupByEmail`, and every ID learned is stored. The swap service decides with the same
rules as the web: a wrong person gets its refusal, privately, and nothing changes. A request
acted on is recorded by the hash of its body, so a retried or replayed one is not acted on twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from slack_sdk.errors import SlackApiError, SlackRequestError

from ...models import MessageChannel, Person, SlackReceipt, SwapRequest
from ...models.validators import validate_slack_user_id
from ...notify.outbox import Notice, enqueue
from ...permissions import MANAGERS_GROUP
from ...services.swaps import (
    SwapError,
    swap_request_accept,
    swap_request_approve,
    swap_request_decline,
)
from . import client as slack_client
from .blocks import ACCEPT, ACTIONS, APPROVE, DECLINE, REJECT

logger = logging.getLogger(__name__)

#: Looking people up stops after this long, to answer within Slack's three seconds.
LOOKUP_BUDGET_SECONDS = 1.5
MAX_LOOKUPS = 5

PAYLOAD_INVALID = "The payload field must hold Slack's JSON."
PAYLOAD_INCOMPLETE = "The payload lacks the user, the action or the response address."
NO_SUCH_REQUEST = "This swap request no longer exists in the portal."
NOT_LINKED = (
    "Your Slack account is not linked to anyone in the portal, so nothing was changed. "
    "Ask an Escalation manager to add your Slack member ID to your entry in the directory."
)
NO_LOGIN = (
    "Your Slack account belongs to {person} in the directory, who has no log-in to the portal, "
    "so nothing was changed. Ask an Escalation manager to link a log-in."
)

_STEPS: dict[str, Callable[..., SwapRequest]] = {
    ACCEPT: swap_request_accept,
    DECLINE: swap_request_decline,
    APPROVE: swap_request_approve,
    REJECT: swap_request_decline,
}


@dataclass(frozen=True)
class Outcome:
    """What the endpoint answers: 400 with `error`, else 200 (Slack wants only an ack)."""

    error: str = ""
    acted: bool = False
    refusal: str = ""


@dataclass(frozen=True)
class _Click:
    user_id: str
    action_id: str
    swap_id: int
    response_url: str


def handle(*, body: bytes, payload: str, at: datetime) -> Outcome:
    """Act on one signed `block_actions` request (the view has checked the signature)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return Outcome(error=PAYLOAD_INVALID)
    if not isinstance(data, dict):
        return Outcome(error=PAYLOAD_INVALID)
    if data.get("type") != "block_actions":
        return Outcome()  # another kind of interaction: nothing of ours
    click = _click(data)
    if click is None:
        return Outcome(error=PAYLOAD_INCOMPLETE)
    if not click.action_id:
        return Outcome()  # a button that is not one of ours
    key = hashlib.sha256(body).hexdigest()
    if SlackReceipt.objects.filter(key=key).exists():
        return Outcome()  # a retry or a replay: it was acted on already
    swap = (
        SwapRequest.objects.select_related("rotation", "requester", "colleague")
        .filter(pk=click.swap_id)
        .first()
    )
    if swap is None:
        return _refuse(click, key, NO_SUCH_REQUEST)
    person = person_for_slack_user(click.user_id, candidates=_candidates(click.action_id, swap))
    if person is None:
        return _refuse(click, key, NOT_LINKED)
    if person.user is None or not person.user.is_active:
        return _refuse(click, key, NO_LOGIN.format(person=person.display_name))
    try:
        with transaction.atomic():
            SlackReceipt.objects.create(key=key)
            try:
                with transaction.atomic():
                    _STEPS[click.action_id](swap=swap, by=person.user)
            except (SwapError, PermissionDenied) as error:
                _answer(click, key, _message(error))
                return Outcome(refusal=_message(error))
    except IntegrityError:
        return Outcome()  # the same request, acted on a moment ago
    return Outcome(acted=True)


def _click(data: dict[str, Any]) -> _Click | None:
    user = data.get("user")
    actions = data.get("actions")
    response_url = data.get("response_url")
    if not (isinstance(user, dict) and isinstance(actions, list) and actions):
        return None
    action = actions[0]
    user_id = user.get("id")
    if not (isinstance(action, dict) and isinstance(user_id, str) and user_id):
        return None
    if not (isinstance(response_url, str) and response_url.startswith(("https://", "http://"))):
        return None
    action_id = action.get("action_id")
    if action_id not in ACTIONS:
        return _Click(user_id, "", 0, response_url)
    value = str(action.get("value", ""))
    if not value.isdigit():
        return None
    return _Click(user_id, str(action_id), int(value), response_url)


def _message(error: Exception) -> str:
    return error.message if isinstance(error, SwapError) else str(error)


def _refuse(click: _Click, key: str, message: str) -> Outcome:
    with transaction.atomic():
        _answer(click, key, message)
    return Outcome(refusal=message)


def _answer(click: _Click, key: str, message: str) -> None:
    """A private answer to the person who pressed, through the outbox."""
    enqueue(
        [
            Notice(
                channel=MessageChannel.SLACK_RESPONSE,
                recipient=click.response_url,
                subject=message[:300],
                body=message,
                dedupe_key=key,
            )
        ]
    )


# --- Who pressed ----------------------------------------------------------------------------


def _candidates(action_id: str, swap: SwapRequest) -> list[Person]:
    """Whom to look up by e-mail when the Slack user is not known yet: who may take the step
    first (the colleague to accept, the managers to approve), then the others of the request,
    so that whoever pressed gets the service's own explanation rather than "unknown"."""
    managers = list(
        Person.objects.filter(
            Q(user__groups__name=MANAGERS_GROUP) | Q(user__is_superuser=True),
            user__is_active=True,
            slack_user_id="",
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")[:MAX_LOOKUPS]
    )
    people = [swap.colleague, swap.requester]
    ordered = people + managers if action_id in (ACCEPT, DECLINE) else managers + people
    unique = {person.pk: person for person in reversed(ordered)}
    return sorted(unique.values(), key=ordered.index)


def person_for_slack_user(slack_user_id: str, *, candidates: list[Person]) -> Person | None:
    """The Person with this Slack member ID, else the candidate whose e-mail Slack knows under
    it. The IDs learned on the way are stored (also those of the other candidates)."""
    known = Person.objects.select_related("user").filter(slack_user_id=slack_user_id).first()
    if known is not None or not slack_client.app_enabled():
        return known
    started = time.monotonic()
    client = slack_client.web_client()
    for candidate in candidates:
        if candidate.slack_user_id or not candidate.email:
            continue
        if time.monotonic() - started > LOOKUP_BUDGET_SECONDS:
            break
        try:
            found = client.users_lookupByEmail(email=candidate.email)
        except (SlackApiError, SlackRequestError, OSError) as error:
            logger.info("Slack knows no user for %s: %s", candidate.email, error)
            continue
        user = found.get("user")
        learned = user.get("id") if isinstance(user, dict) else None
        if isinstance(learned, str) and _learn(candidate, learned) and learned == slack_user_id:
            return Person.objects.select_related("user").get(pk=candidate.pk)
    return None


def _learn(person: Person, slack_user_id: str) -> bool:
    """Store a Slack member ID on a Person (with history), unless another Person has it."""
    try:
        validate_slack_user_id(slack_user_id)
    except ValidationError:
        return False
    if Person.objects.filter(slack_user_id=slack_user_id).exclude(pk=person.pk).exists():
        return False
    person.slack_user_id = slack_user_id
    try:
        with transaction.atomic():
            person.save(update_fields=["slack_user_id"])
    except IntegrityError:
        return False
    return True
