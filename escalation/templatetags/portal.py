"""Template filters shared by the portal's pages."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..contact_links import slack_url
from ..integrations.pagerduty import user_url
from ..party_cells import slack_name_html

register = template.Library()

register.filter("slack_url", slack_url)
#: A PagerDuty user id to their page in PagerDuty ("" without `PAGERDUTY_SUBDOMAIN`).
register.filter("pagerduty_user_url", user_url)


@register.simple_tag
def slack_name(name: str, css_class: str = "") -> SafeString:
    """A Slack channel or handle: a link into the workspace when `SLACK_WORKSPACE_URL` is set,
    else the name as text that selects whole with one tap, to paste into Slack."""
    return mark_safe(slack_name_html(name, css_class))  # noqa: S308 - escaped there
