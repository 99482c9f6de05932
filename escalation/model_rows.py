"""Model instances made from rows a query read as plain values.

`Model.from_db` goes through `Model.__init__`, which sends two signals and sets every field
through its descriptor: about 3.3 µs for a Person. The pages about who is on call build a few
hundred rotations, slots, people and parties per request from rows they read as values, so
`from_row` sets the values in the instance's dictionary directly (0.75 µs), as `__init__` would
leave them: the same instance, with the same `_state`. It falls back to `from_db` for a model
someone listens to `pre_init` or `post_init` for.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

_Model = TypeVar("_Model", bound=Model)


def from_row(
    model: type[_Model],
    names: Sequence[str],
    values: Sequence[Any],
    using: str = DEFAULT_DB_ALIAS,
) -> _Model:
    """`model.from_db(using, names, values)`: `values` read from the columns of `names`
    (fields' attribute names, converted as the ORM converts them, then any annotations, set as
    attributes as a queryset sets them); any field not among them is deferred, read when first
    asked for."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        fields = set(attnames(model))
        pairs = list(zip(names, values, strict=True))
        instance = model.from_db(
            using,
            [name for name, _ in pairs if name in fields],
            [value for name, value in pairs if name in fields],
        )
        for name, value in pairs:
            if name not in fields:
                setattr(instance, name, value)
        return instance
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding = False
    state.db = using
    instance.__dict__.update(zip(names, values, strict=True))
    return instance


@cache
def attnames(model: type[Model]) -> tuple[str, ...]:
    """The attribute names of `model`'s concrete fields, in order: the columns a row of it is
    read as, for `values_list` and `from_row`."""
    return tuple(field.attname for field in model._meta.concrete_fields)
