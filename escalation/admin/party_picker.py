"""Editing a party: one "Who" choice instead of five columns (kind, role, person, channel,
rotation), so a severity's responders and a step's parties fit on one row each."""

import copy
from typing import Any

from django import forms
from django.http import HttpRequest

from escalation.models import Channel, PartyKind, Person, Role, Rotation

from .base import EscalationForm

PARTY_WHO_HELP = "A role, a person, an on-call position, the affected service's team, a channel…"
PARTY_LABEL_HELP = "The words the document uses (“VP Eng”). Empty: the name of who it is."
PARTY_TARGET_GONE = "That choice no longer exists: pick again."

TARGET_FIELDS = {
    PartyKind.ROLE: "role",
    PartyKind.PERSON: "person",
    PartyKind.CHANNEL: "channel",
    PartyKind.ONCALL_PRIMARY: "rotation",
    PartyKind.ONCALL_SECONDARY: "rotation",
}
TARGET_MODELS: dict[str, Any] = {
    "role": Role,
    "person": Person,
    "channel": Channel,
    "rotation": Rotation,
}


def who_value(kind: str, target_pk: int | None = None) -> str:
    return f"{kind}:{target_pk or ''}"


def who_choices() -> list[tuple[str, Any]]:
    on_call: list[tuple[str, str]] = [
        (who_value(PartyKind.ONCALL_PRIMARY), "On-call primary (of the affected service)"),
        (who_value(PartyKind.ONCALL_SECONDARY), "On-call secondary (of the affected service)"),
    ]
    for rotation in Rotation.objects.only("pk", "name"):
        on_call += [
            (who_value(PartyKind.ONCALL_PRIMARY, rotation.pk), f"On-call primary: {rotation}"),
            (who_value(PartyKind.ONCALL_SECONDARY, rotation.pk), f"On-call secondary: {rotation}"),
        ]
    roles = [
        (who_value(PartyKind.ROLE, role.pk), f"{role}{' (TBD)' if role.is_tbd else ''}")
        for role in Role.objects.only("pk", "name", "holder")
    ]
    people = [
        (who_value(PartyKind.PERSON, person.pk), str(person))
        for person in Person.objects.only("pk", "display_name")
    ]
    channels = [
        (who_value(PartyKind.CHANNEL, channel.pk), str(channel))
        for channel in Channel.objects.only("pk", "name")
    ]
    return [
        ("", "---------"),
        ("On call", on_call),
        (
            "The affected service",
            [
                (who_value(PartyKind.SERVICE_TEAM), str(PartyKind.SERVICE_TEAM.label)),
                (who_value(PartyKind.SERVICE_TEAM_LEAD), str(PartyKind.SERVICE_TEAM_LEAD.label)),
            ],
        ),
        ("Roles", roles),
        ("People", people),
        ("Channels", channels),
        ("Outside the company", [(who_value(PartyKind.EXTERNAL), str(PartyKind.EXTERNAL.label))]),
    ]


class PartyForm(EscalationForm):
    who = forms.ChoiceField(label="Who", choices=who_choices, help_text=PARTY_WHO_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.kind:
            field = TARGET_FIELDS.get(self.instance.kind)
            target_pk = getattr(self.instance, f"{field}_id") if field else None
            self.initial.setdefault("who", who_value(self.instance.kind, target_pk))
        if "label" in self.fields:
            self.fields["label"].required = False
            self.fields["label"].help_text = PARTY_LABEL_HELP

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        who = cleaned.get("who")
        if not who:
            return cleaned
        kind, _, pk = who.partition(":")
        field = TARGET_FIELDS.get(PartyKind(kind))
        target = None
        if field and pk:
            target = TARGET_MODELS[field]._default_manager.filter(pk=pk).first()
            if target is None:
                self.add_error("who", PARTY_TARGET_GONE)
                return cleaned
        # kind and the targets are not form fields: set them here, before the model is checked.
        self.instance.kind = kind
        for name in TARGET_MODELS:
            setattr(self.instance, name, target if name == field else None)
        if not cleaned.get("label"):
            named = target is not None and field != "rotation"
            cleaned["label"] = str(target) if named else str(PartyKind(kind).label)
        return cleaned


def with_fresh_who_choices(form_class: Any) -> Any:
    """Load the choices once per page rather than once per row (each row would query again)."""
    field = copy.deepcopy(form_class.base_fields["who"])
    field.choices = who_choices()  # type: ignore[attr-defined]
    form_class.base_fields["who"] = field
    return form_class


class PartyChoicesInlineMixin:
    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        with_fresh_who_choices(formset.form)
        return formset


class PartyChoicesAdminMixin:
    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        if "who" in form.base_fields:
            with_fresh_who_choices(form)
        return form
