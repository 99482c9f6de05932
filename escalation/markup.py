"""Django's `conditional_escape` and `format_html`, for markup written in Python row by row.

The same results as Django's, without the lazy-translation wrapper Django's `escape` goes through
on every call (`keep_lazy`), which was a third of the time of the pages that write a few
thousand values this way (the contact table, the dashboard's one-line rows).
"""

from __future__ import annotations

import html
from typing import Any

from django.utils.functional import Promise
from django.utils.safestring import SafeString


def escape(value: Any) -> str:
    """`django.utils.html.conditional_escape`: `value` escaped unless it is already markup."""
    if type(value) is str:
        # Plain text, most values by far: markup (SafeString) is a subclass, never `str` itself.
        return html.escape(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def format_html(format_string: str, *args: Any) -> SafeString:
    """`django.utils.html.format_html` with positional arguments: each escaped, then placed."""
    return SafeString(format_string.format(*[escape(arg) for arg in args]))
