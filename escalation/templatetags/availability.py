"""Words for time off and suggested cover, in the reader's own time zone."""

from django import template

from ..availability import Suggestion

register = template.Library()


@register.filter
def cover_reason(suggestion: Suggestion, when: str) -> str:
    """Why a colleague is suggested; `when` is their nearest stretch's edge, formatted."""
    return suggestion.reason(when)
