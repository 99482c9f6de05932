"""URL reversing, remembered per process.

Django's `reverse` walks the URL resolver for every call: about 60 µs each, and a directory page
links every channel, service, team and person it lists (the channels page reverses some 400
addresses). The URLconf does not change while the process runs, so an address is a pure
function of the view name, its arguments, the URLconf, the script prefix, the language and the
current application; `reverse` here remembers it under exactly that key. Nothing the data says
is remembered: a renamed service has a new slug, hence a new key.

`{% url %}` in every template goes through here too (the `url` tag of `escalation.templatetags.
links`, a template builtin), so templates need no change. Arguments that cannot be a key (a
list, a lazy string) are reversed each time, as Django would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from django import urls
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

#: Distinct addresses remembered; enough for every object of a large company's pages.
MAX_REMEMBERED = 20_000

_KEY_TYPES = (str, int)


def reverse(
    viewname: str,
    args: Sequence[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    current_app: str | None = None,
) -> str:
    """`django.urls.reverse`, remembered; raises `NoReverseMatch` as it does."""
    args_key = tuple(args or ())
    kwargs_key = tuple(sorted((kwargs or {}).items()))
    if not (
        isinstance(viewname, str)
        and all(type(value) in _KEY_TYPES for value in args_key)
        and all(type(value) in _KEY_TYPES for _name, value in kwargs_key)
    ):
        return urls.reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _remembered(
        get_urlconf(),
        get_script_prefix(),
        get_language(),
        viewname,
        args_key,
        kwargs_key,
        current_app,
    )


def address_of(viewname: str) -> Callable[..., str]:
    """A function giving the address of `viewname` for its arguments, for a page that links many
    objects to one view: the URLconf, prefix and language are read once, not per link."""
    where = (get_urlconf(), get_script_prefix(), get_language())

    def address(*args: Any) -> str:
        if all(type(value) in _KEY_TYPES for value in args):
            return _remembered(*where, viewname, args, (), None)
        return urls.reverse(viewname, args=args)

    return address


@lru_cache(maxsize=MAX_REMEMBERED)
def _remembered(
    urlconf: str | None,
    prefix: str,
    language: str | None,
    viewname: str,
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
    current_app: str | None,
) -> str:
    # The URLconf, prefix and language are in the key; `reverse` reads them from the request's
    # thread, where they are the same values.
    return urls.reverse(
        viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


def forget() -> None:
    """Forget every remembered address (after the URLconf changes, as in tests that swap it)."""
    _remembered.cache_clear()


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting: str, **_kwargs: Any) -> None:
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME", "LANGUAGE_CODE"}:
        forget()
