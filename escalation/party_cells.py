"""A resolved party as HTML: the document's words, then who answers and how to reach them.

The severity matrix, the escalation paths and the service sheets show dozens of parties each.
Rendered through templates (a party, its contact line and its PagerDuty action, each an
`{% include %}`), they were most of those pages' time; here each is written at once, every value
escaped as Django's templates escape (`markup.escape`). Pages use the `{% parties %}` and
`{% party %}` tags (`templatetags/directory_tags.py`); `tests/test_party_cells.py` pins the
markup of every branch and its escaping.

The "buttons" contacts (the service sheet's one-tap buttons) are `escalation.contact_buttons`,
the markup of the template `includes/_person_contact.html`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString, mark_safe

from .contact_links import slack_url
from .links import address_of
from .markup import escape
from .models import ChannelKind, Person, Service, Severity
from .pagerduty_actions import LINE, action_for, action_html
from .parties import ResolvedParty

#: Said on a Slack name shown as text (no workspace address configured).
SLACK_COPY_TITLE = "Copy this name into Slack"

#: A channel party's icon when it has no link, by the channel's kind.
_UNLINKED_ICONS = {
    ChannelKind.STATUS_PAGE: "bi-broadcast-pin",
    ChannelKind.TICKET: "bi-ticket-perforated",
    ChannelKind.PAGERDUTY: "bi-bell",
}


def slack_name_html(name: str, css_class: str = "") -> str:
    """A Slack channel or handle: a link into the workspace when one is set, else the name as
    text that selects whole with one tap (`{% slack_name %}`)."""
    if not name:
        return ""
    url = slack_url(name)
    if url:
        return (
            f'<a class="{escape(css_class)}" href="{escape(url)}">'
            f'<i class="bi bi-slack" aria-hidden="true"></i> {escape(name)}</a>'
        )
    return (
        f'<span class="{escape(css_class)} slack-name user-select-all" title="{SLACK_COPY_TITLE}">'
        f'<i class="bi bi-slack" aria-hidden="true"></i> {escape(name)}</span>'
    )


def contact_line(
    person: Person | None, *, service: Service | None = None, severity: Severity | None = None
) -> str:
    """A person's contact details as one line of small links."""
    parts = ['<span class="contact-line">']
    if person is not None:
        if person.phone:
            parts.append(
                f'<a class="contact-line-item" href="tel:{escape(person.phone.as_e164)}">'
                '<i class="bi bi-telephone-fill" aria-hidden="true"></i> '
                f"{escape(person.phone.as_international)}</a>"
            )
        if person.slack_handle:
            parts.append(slack_name_html(person.slack_handle, "contact-line-item"))
        if person.pagerduty_handle:
            parts.append(
                '<span class="contact-line-item" title="PagerDuty"><i class="bi bi-bell" '
                'aria-hidden="true"></i><span class="visually-hidden">PagerDuty</span> '
                f"{escape(person.pagerduty_handle)}</span>"
            )
        if person.email:
            name = escape(person.display_name)
            parts.append(
                f'<a class="contact-line-item" href="mailto:{escape(person.email)}" '
                f'title="Email {name}"><i class="bi bi-envelope" aria-hidden="true"></i> '
                f'Email<span class="visually-hidden"> {name}</span></a>'
            )
        if person.pagerduty_user_id:
            action = action_for(person, service=service, severity=severity)
            parts.append(action_html(action, LINE))
    parts.append("</span>")
    return "".join(parts)


def _has_contacts(party: ResolvedParty, contacts: str) -> bool:
    person = party.person
    if not contacts:
        return False
    if person is not None and (
        person.phone
        or person.slack_handle
        or person.pagerduty_handle
        or person.email
        or person.pagerduty_user_id
    ):
        return True
    return contacts == "buttons" and party.is_on_call and person is not None


def _label(party: ResolvedParty) -> str:
    label = escape(party.label)
    channel = party.channel
    if channel is not None and party.link:
        icon = '<i class="bi bi-slack" aria-hidden="true"></i> ' if channel.kind == "slack" else ""
        html = f'<a href="{escape(party.link)}">{icon}{label}</a>'
    elif channel is not None:
        icon = _UNLINKED_ICONS.get(channel.kind, "bi-chat-square-text")  # type: ignore[call-overload]
        html = f'<i class="bi {icon}" aria-hidden="true"></i> {label}'
    else:
        html = label
    if party.via and channel is None:
        html += (
            f' <span class="badge text-bg-light border party-via">via {escape(party.via)}</span>'
        )
    return html


def _answer(party: ResolvedParty, contacts: str) -> str:
    person = party.person
    if party.is_on_call:
        if person is not None:
            return (
                '<span class="oncall-now"><i class="bi bi-broadcast" aria-hidden="true"></i> '
                f"On call now: <strong>{escape(person.display_name)}</strong></span>"
            )
        return '<span class="badge badge-tbd">Nobody on call</span>'
    if party.depends_on_service:
        return (
            f'<a class="small" href="{escape(address_of("escalation:services")())}">Depends on '
            'the service <i class="bi bi-arrow-right-short" aria-hidden="true"></i></a>'
        )
    if person is not None:
        return f"<strong>{escape(person.display_name)}</strong>"
    if party.role is not None:
        html = '<span class="badge badge-tbd">TBD</span>'
        if party.slack:
            html += " " + slack_name_html(party.slack, "small")
        if party.pagerduty and contacts == "buttons":
            html += (
                ' <span class="small text-body-secondary"><i class="bi bi-bell" '
                f'aria-hidden="true"></i> {escape(party.pagerduty)}</span>'
            )
        return html
    if party.team is not None:
        html = f"<strong>{escape(party.team.name)}</strong>"
        if party.slack:
            html += " " + slack_name_html(party.slack, "small")
        return html
    if party.is_tbd:
        return '<span class="badge badge-tbd">TBD</span>'
    return ""


def party_html(
    party: ResolvedParty,
    *,
    contacts: str = "",
    service: Service | None = None,
    severity: Severity | None = None,
    buttons: Callable[[ResolvedParty], str] | None = None,
) -> str:
    """One party: its label, who answers, and with `contacts` ("line", or "buttons" drawn by
    `buttons`) how to reach them."""
    parts = [
        f'<div class="party{" party-tbd" if party.is_tbd else ""}">'
        f'<div class="party-label">{_label(party)}</div>'
    ]
    if party.role_name_differs:
        assert party.role is not None
        parts.append(
            f'<div class="party-role small text-body-secondary">{escape(party.role.name)}</div>'
        )
    if party.channel is not None:
        if party.channel_name_differs:
            parts.append(
                '<div class="party-answer small text-body-secondary">'
                f"{escape(party.channel.name)}</div>"
            )
    else:
        parts.append(f'<div class="party-answer">{_answer(party, contacts)}')
        if _has_contacts(party, contacts):
            if contacts == "buttons" and buttons is not None:
                drawn = buttons(party)
            else:
                drawn = contact_line(party.person, service=service, severity=severity)
            parts.append(f'<div class="party-contacts">{drawn}</div>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def parties_html(
    parties: Iterable[ResolvedParty],
    *,
    contacts: str = "",
    service: Service | None = None,
    severity: Severity | None = None,
    buttons: Callable[[ResolvedParty], str] | None = None,
) -> SafeString:
    """A tier's parties joined by “+”, or “Not required”."""
    drawn = [
        party_html(party, contacts=contacts, service=service, severity=severity, buttons=buttons)
        for party in parties
    ]
    if not drawn:
        return mark_safe('<span class="not-required">Not required</span>')
    joined = '<div class="party-join" aria-hidden="true">+</div>'.join(drawn)
    return mark_safe(f'<div class="parties">{joined}</div>')  # noqa: S308 - escaped above
