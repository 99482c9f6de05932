"""Phone numbers as the database gives them: parsed, validated and formatted once per process.

Parsing a number (`phonenumbers.parse`) and formatting it cost tens of microseconds each, and a
page that names a few hundred people did both for every row, on every request. `PhoneField`
reads the same column as `PhoneNumberField`, but hands out one shared `StoredPhoneNumber` per
distinct stored text (kept in a bounded memo), which formats itself once per format. Nothing in
the portal changes a number in place: a form or the admin assigns a new value, which the model's
descriptor parses as usual.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumber_field.modelfields import PhoneNumberDescriptor, PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

#: Distinct numbers kept parsed per process (a company's directory fits many times over).
MEMO_SIZE = 20_000


class StoredPhoneNumber(PhoneNumber):
    """A number read from the database, shared by every row that has it: validated and
    formatted once. (A number is true when its text is not empty, which asks whether it is
    valid: every `{% if person.phone %}` did, at about 55 µs a number.)"""

    def is_valid(self) -> bool:
        valid: bool | None = self.__dict__.get("_valid")
        if valid is None:
            valid = self.__dict__["_valid"] = super().is_valid()
        return valid

    def format_as(self, format: int) -> str:  # noqa: A002 - the parent's name
        formats: dict[int, str] | None = self.__dict__.get("_formats")
        if formats is None:
            formats = self.__dict__["_formats"] = {}
        if format not in formats:
            formats[format] = super().format_as(format)
        return formats[format]


@lru_cache(maxsize=MEMO_SIZE)
def stored_number(text: str) -> PhoneNumber:
    """The number stored as `text`, parsed as `PhoneNumberField` parses it (once per text)."""
    try:
        return StoredPhoneNumber.from_string(text)
    except phonenumbers.NumberParseException:
        return PhoneNumber(raw_input=text)


class StoredPhoneDescriptor(PhoneNumberDescriptor):
    """Keeps a `StoredPhoneNumber` as it is. The parent's conversion first asks whether the
    value is one of Django's empty values, which compares the number with "" and so parses and
    validates it again, for every row read."""

    def __set__(self, instance: Any, value: Any) -> None:
        if type(value) is StoredPhoneNumber:
            instance.__dict__[self.field.name] = value
        else:
            super().__set__(instance, value)


class PhoneField(PhoneNumberField):
    """`PhoneNumberField` whose values read from the database come from `stored_number`."""

    descriptor_class = StoredPhoneDescriptor

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        return stored_number(value)

    def deconstruct(self) -> Any:
        # The same column as the parent: migrations see the parent, so none is needed.
        name, _path, args, kwargs = super().deconstruct()
        return name, "phonenumber_field.modelfields.PhoneNumberField", args, kwargs
