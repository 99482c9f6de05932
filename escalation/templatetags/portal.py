"""Template filters shared by the portal's pages."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..contact_links import slack_url
from ..integrations.pagerduty import user_url

register = template.Library()

register.filter("slack_url", slack_url)
#: A PagerDuty user id to their page in PagerDuty ("" without `PAGERDUTY_SUBDOMAIN`).
register.filter("pagerduty_user_url", user_url)

#: Said on a Slack name shown as text (no workspace address configured).
SLACK_COPY_TITLE = "Copy this name into Slack"


@register.simple_tag
def slack_name(name: str, css_class: str = "") -> SafeString:
    """A Slack channel or handle: a link into the workspace when `SLACK_WORKSPACE_URL` is set,
    else the name as text that selects whole with one tap, to paste into Slack."""
    if not name:
        return format_html("")
    url = slack_url(name)
    if url:
        return format_html(
            '<a class="{}" href="{}"><i class="bi bi-slack" aria-hidden="true"></i> {}</a>',
            css_class,
            url,
            name,
        )
    return format_html(
        '<span class="{} slack-name user-select-all" title="{}">'
        '<i class="bi bi-slack" aria-hidden="true"></i> {}</span>',
        css_class,
        SLACK_COPY_TITLE,
        name,
    )
