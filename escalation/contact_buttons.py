"""A person's one-tap contact buttons (`includes/_person_contact.html`), written in Python.

The dashboard shows the viewer's rotations in full, two people each: the template include per
person, and one more for the PagerDuty action, were a good part of its rendering. The markup is
the template's, whitespace included, every value escaped as the template escapes it
(`markup.escape`); `tests/test_contact_buttons.py` and `tests/test_party_cells.py` render both
for every branch and hostile values. The service sheet's parties use it too (`{% parties %}`
with "buttons"); pages that show these buttons once or twice keep the template.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from .contact_links import slack_url
from .integrations.pagerduty import user_url
from .markup import escape as _e
from .models import Person, Service, Severity
from .pagerduty_actions import LINK, OFF, PAGE, action_for

#: Said to managers where the portal could page someone but PagerDuty is not connected
#: (`_pagerduty_action.html`).
PAGERDUTY_OFF = (
    '<span class="small text-body-secondary pagerduty-off">PagerDuty is not connected: paging '
    "from the portal is off.</span>"
)
_BUTTON = "btn btn-sm btn-outline-secondary contact-action"


def _pagerduty_action(
    person: Person,
    *,
    service: Service | None,
    severity: Severity | None,
    viewer_is_manager: bool,
) -> str:
    """`_pagerduty_action.html` as a button (neither `line` nor `icon`)."""
    action = action_for(person, service=service, severity=severity)
    html = ""
    if action is not None and action.kind == PAGE:
        html = (
            f'<a class="{_BUTTON} pagerduty-action pagerduty-page" href="{_e(action.url)}"><i '
            'class="bi bi-bell-fill" aria-hidden="true"></i> Page <span class="visually-hidden">'
            f"{_e(person.display_name)} </span>via PagerDuty</a>"
        )
    elif action is not None and action.kind == LINK:
        html = (
            f'<a class="{_BUTTON} pagerduty-action pagerduty-link" href="{_e(action.url)}" '
            'rel="noopener"><i class="bi bi-box-arrow-up-right" aria-hidden="true"></i> <span '
            f'class="visually-hidden">{_e(person.display_name)}\'s </span>PagerDuty profile</a>'
        )
        if viewer_is_manager:
            html += f" {PAGERDUTY_OFF}"
    elif action is not None and action.kind == OFF and viewer_is_manager:
        html = PAGERDUTY_OFF
    return html + "\n"


def contact_buttons(
    person: Person | None,
    *,
    compact: bool = False,
    paged: bool = False,
    without_paging: bool = False,
    viewer_is_manager: bool = False,
    service: Service | None = None,
    severity: Severity | None = None,
) -> SafeString:
    """`includes/_person_contact.html` for `person`, with its options; `viewer_is_manager`: the
    viewer is an escalation manager (told when paging from the portal is off); `service`,
    `severity`: what a page would be about, as the template reads them from the page."""
    if not person:
        return SafeString("\n\n\n")
    name = _e(person.display_name)
    reach = ""
    phone = person.phone
    if phone:
        number = _e(phone.as_international)
        reach = (
            f'<a class="btn btn-sm btn-success contact-action" href="tel:{_e(phone.as_e164)}" '
            f'aria-label="Call {name} on {number}"><i class="bi bi-telephone-fill" '
            f'aria-hidden="true"></i> <span class="contact-value">{number}</span></a>'
            # The template's `{% elif %}` began on the next line: the button kept its break.
            "\n  "
        )
    elif paged or person.pagerduty_handle or person.pagerduty_user_id:
        link = user_url(person.pagerduty_user_id)
        if link:
            reach = (
                '<a class="btn btn-sm btn-success contact-action reach-via-pagerduty" '
                f'href="{_e(link)}" aria-label="Reach {name} via PagerDuty"><i class="bi '
                'bi-bell-fill" aria-hidden="true"></i> Reach via PagerDuty</a>'
            )
        else:
            reach = (
                '<span class="badge text-bg-light border contact-action reach-via-pagerduty">'
                '<i class="bi bi-bell-fill" aria-hidden="true"></i> Reach via PagerDuty</span>'
            )
    slack = ""
    if person.slack_handle:
        handle = _e(person.slack_handle)
        link = slack_url(person.slack_handle)
        if link:
            slack = (
                f'<a class="{_BUTTON}" href="{_e(link)}" aria-label="Slack {handle}"><i '
                'class="bi bi-slack" aria-hidden="true"></i> <span class="contact-value">'
                f"{handle}</span></a>"
            )
        else:
            slack = (
                '<span class="badge text-bg-light border contact-action slack-name '
                'user-select-all" title="Copy this name into Slack"><i class="bi bi-slack" '
                f'aria-hidden="true"></i> Slack {handle}</span>'
            )
    pagerduty = ""
    if person.pagerduty_handle:
        pagerduty = (
            '<span class="badge text-bg-light border contact-action"><i class="bi bi-bell-fill" '
            f'aria-hidden="true"></i> PagerDuty {_e(person.pagerduty_handle)}</span>'
        )
    email = ""
    if person.email:
        address = _e(person.email)
        email = (
            f'<a class="{_BUTTON}" href="mailto:{address}" aria-label="Email {address}"><i '
            'class="bi bi-envelope" aria-hidden="true"></i> <span class="contact-value">'
            f"{address}</span></a>"
        )
    action = ""
    if person.pagerduty_user_id and not without_paging:
        action = _pagerduty_action(
            person, service=service, severity=severity, viewer_is_manager=viewer_is_manager
        )
    css = "contact-actions contact-actions-compact" if compact else "contact-actions"
    html = (
        f'\n\n\n<span class="{css}">\n  {reach}\n  {slack}\n  {pagerduty}\n  {email}\n  {action}'
        "\n</span>\n\n"
    )
    return mark_safe(html)  # noqa: S308 - every value above is escaped
