"""Widgets written in Python, with the markup of Django's own templates.

Django renders a `<select>` through a template, and one more template include per option: the
contacts page's team filter (some forty teams) cost several milliseconds a request that way.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.safestring import SafeString

from ..markup import escape


def _attrs(attrs: dict[str, Any]) -> str:
    """`django/forms/widgets/attrs.html`."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """`forms.Select`, writing `django/forms/widgets/select.html` and its options' template in
    Python (groups of options left to Django's templates)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options: list[str] = []
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                return super().render(name, value, attrs, renderer)
            options.extend(
                f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{escape(option['label'])}</option>\n"
                for option in group_choices
            )
        return SafeString(
            f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>'
            f"{''.join(options)}\n</select>"
        )
