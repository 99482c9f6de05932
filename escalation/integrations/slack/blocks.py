"""How the Slack app's messages look: swap steps with their buttons, edited as the request moves.

A request's message in the swap channel carries "Accept" / "Decline" while it waits for the
colleague, and "Approve" / "Reject" once accepted, for the managers. When the request takes its
next step (in Slack or on the web), the earlier messages are edited in place: the buttons give
way to a line saying what happened. The wording of the steps is `escalation.notify.messages`'s.
"""

from __future__ import annotations

from typing import Any

from ...models import MessageChannel, OutgoingMessage, SwapRequest, SwapState
from ...notify.outbox import Notice

ACCEPT, DECLINE, APPROVE, REJECT = "swap_accept", "swap_decline", "swap_approve", "swap_reject"
ACTIONS = (ACCEPT, DECLINE, APPROVE, REJECT)
BUTTONS = {
    SwapState.PENDING: ((ACCEPT, "Accept", "primary"), (DECLINE, "Decline", "danger")),
    SwapState.ACCEPTED: ((APPROVE, "Approve", "primary"), (REJECT, "Reject", "danger")),
}
#: Which step's message carries the buttons of a state.
BUTTONS_ON = {SwapState.PENDING: "created", SwapState.ACCEPTED: "accepted"}
NOW_LINE = "Now: {headline}"
ACTION_BLOCK_ID = "swap:{pk}"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def swap_blocks(swap: SwapRequest, body: str, action: str) -> list[dict[str, Any]]:
    """The message announcing `action`, with the buttons of the request's state if it is the
    step that asks for them (the request as filed asks the colleague; accepted, a manager)."""
    blocks = [section(body)]
    state = SwapState(swap.state)
    if BUTTONS_ON.get(state) == action:
        blocks.append(
            {
                "type": "actions",
                "block_id": ACTION_BLOCK_ID.format(pk=swap.pk),
                "elements": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "text": {"type": "plain_text", "text": label},
                        "style": style,
                        "value": str(swap.pk),
                    }
                    for action_id, label, style in BUTTONS[state]
                ],
            }
        )
    return blocks


def swap_app_notices(
    *, swap: SwapRequest, action: str, channel: str, headline: str, body: str, key: str
) -> list[Notice]:
    """The new message for one step, and the edits of the request's earlier messages (their
    buttons replaced by what happened). One query, for the earlier messages."""
    earlier = OutgoingMessage.objects.filter(
        channel=MessageChannel.SLACK_APP,
        recipient=channel,
        dedupe_key__startswith=f"swap:{swap.pk}:",
        updates__isnull=True,
    ).only("body", "dedupe_key")
    now_line = NOW_LINE.format(headline=headline)
    notices = [
        Notice(
            channel=MessageChannel.SLACK_APP,
            recipient=channel,
            subject=headline,
            body=f"{message.body}\n{now_line}",
            blocks=[section(message.body), context(now_line)],
            updates_key=message.dedupe_key,
            dedupe_key=f"{key}:edit:{message.dedupe_key}",
        )
        for message in earlier
        if message.dedupe_key != key
    ]
    notices.append(
        Notice(
            channel=MessageChannel.SLACK_APP,
            recipient=channel,
            subject=headline,
            body=body,
            blocks=swap_blocks(swap, body, action),
            dedupe_key=key,
        )
    )
    return notices
