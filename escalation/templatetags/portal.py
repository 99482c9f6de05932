"""Template filters shared by the portal's pages."""

from django import template

from ..contact_links import slack_url

register = template.Library()

register.filter("slack_url", slack_url)
