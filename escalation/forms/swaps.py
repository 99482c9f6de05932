"""The swap request form (cover or swap, a whole shift or part of one) and the managers' choice
of whom a request is for. The rules live in the service (`escalation.services.swaps`)."""

import uuid
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.http import QueryDict
from django.utils import timezone

from ..models import OnCallTier, Person, SwapKind
from ..selectors.swaps import ShiftOption, SwapFormOptions
from ..services.swaps import RETURN_NOT_COLLEAGUES, RETURN_REQUIRED, SwapError
from ..time_zones import zone_or_utc

SHIFT_UNAVAILABLE = (
    "That shift is no longer on offer (it may have ended, or changed hands): pick another one."
)
RETURN_UNAVAILABLE = "That shift is no longer on offer: pick another one."
PART_OUTSIDE_SHIFT = "Keep it inside the chosen shift: {start} to {end}."
PART_END_NOT_AFTER_START = "The end must be after the start."
RETURN_OTHER_ROTATION = "The return shift must be in the same rotation as the shift given away."
SUBMISSION_KEY_MISSING = (
    "The form arrived incomplete, perhaps from an old page: check it and send it again."
)
REQUESTER_UNKNOWN = "Pick the person this request is for."
COLLEAGUE_UNKNOWN = "Pick an active colleague from the list."
NOT_OFFERED = (
    "Only people on your rotation who can log in to the portal are listed. Not listed: {people}. "
    "An Escalation manager can give them a login."
)
LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def when(value: datetime, zone: ZoneInfo, *, year: bool = False) -> str:
    local = value.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}{f' {local.year}' if year else ''} {local:%H:%M}"


def shift_label(option: ShiftOption, zone: ZoneInfo, *, now: datetime, rotation: bool) -> str:
    """`Primary · Mon 5 Jan 09:00 → Mon 12 Jan 09:00 · Odd weeks (week 2)`, in the reader's zone."""
    year = option.end.astimezone(zone).year != now.astimezone(zone).year
    parts = [
        option.rotation.name if rotation else "",
        option.tier_label,
        f"{when(option.start, zone, year=year)} → {when(option.end, zone, year=year)}",
        f"{option.slot_label} (week {option.iso_week})",
    ]
    label = " · ".join(part for part in parts if part)
    if option.start <= now:
        label += " · in progress"
    return label


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SwapRequestForm(forms.Form):
    """A swap or cover request. Choices come from `swap_form_options`; times typed in are in the
    viewer's time zone. The rules themselves live in the service (`escalation.services.swaps`):
    its errors land on the matching field (`add_swap_error`)."""

    # Only carries the manager's choice back: the view picks the requester, `clean` checks it.
    requester = forms.Field(widget=forms.HiddenInput, required=False)
    shift = forms.ChoiceField(
        label="Shift",
        error_messages={"invalid_choice": SHIFT_UNAVAILABLE},
    )
    start = forms.DateTimeField(
        label="From",
        required=False,
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
        help_text="Only part of the shift? Leave empty for the whole shift (or from now on).",
    )
    end = forms.DateTimeField(
        label="Until",
        required=False,
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
        help_text="Leave empty for the end of the shift.",
    )
    kind = forms.ChoiceField(
        label="Kind of request",
        choices=SwapKind.choices,
        initial=SwapKind.COVER,
        widget=forms.RadioSelect,
    )
    colleague = forms.ChoiceField(
        label="Colleague", error_messages={"invalid_choice": COLLEAGUE_UNKNOWN}
    )
    return_shift = forms.ChoiceField(
        label="Their shift you take in return",
        required=False,
        help_text="For a swap only: one of the colleague's shifts, in the same rotation and tier.",
        error_messages={"invalid_choice": RETURN_UNAVAILABLE},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few words for your colleague and the manager: “family event”, “conference”.",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        options: SwapFormOptions,
        time_zone: str,
        now: datetime,
        on_behalf: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("submission_key", uuid.uuid4())
        if options.requester is not None:
            kwargs["initial"].setdefault("requester", str(options.requester.pk))
        super().__init__(*args, **kwargs)
        self.options = options
        self.time_zone = time_zone
        self.zone = zone_or_utc(time_zone)
        self.now = now
        several = options.several_rotations
        self._own = {option.value: option for option in options.own_shifts}
        self._others = {
            option.value: option for shifts in options.others_shifts.values() for option in shifts
        }
        self._people = {str(person.pk): person for person in options.people}
        self._colleagues = {str(person.pk): person for person in options.colleagues}

        self._choice_field("shift").choices = [("", "Choose a shift…")] + [
            (option.value, shift_label(option, self.zone, now=now, rotation=several))
            for option in options.own_shifts
        ]
        if on_behalf and options.requester is not None:
            self.fields["shift"].label = f"{options.requester}'s shift"
        else:
            self.fields["shift"].label = "Your shift"
        self._choice_field("colleague").choices = [("", "Choose a colleague…")] + [
            (str(person.pk), person.display_name) for person in options.colleagues
        ]
        if options.not_offered:
            self.fields["colleague"].help_text = NOT_OFFERED.format(
                people="; ".join(f"{person} ({why})" for person, why in options.not_offered)
            )
        # Once a colleague is chosen, only their shifts (the page's script does the same before
        # the form is sent).
        chosen = str(self.data.get("colleague") or self.initial.get("colleague") or "")
        self._choice_field("return_shift").choices = [("", "—")] + [
            (
                person.display_name,
                [
                    (option.value, shift_label(option, self.zone, now=now, rotation=several))
                    for option in shifts
                ],
            )
            for person, shifts in options.others_shifts.items()
            if chosen not in self._colleagues or str(person.pk) == chosen
        ]
        for name in ("start", "end"):
            self.fields[name].help_text += f" Times in {time_zone}."
            self.fields[name].widget.attrs["step"] = 60

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "requester",
            "submission_key",
            Fieldset(
                "What to hand over",
                Field("shift", css_class="form-select"),
                Row(Column("start", css_class="col-sm-6"), Column("end", css_class="col-sm-6")),
            ),
            Fieldset(
                "To whom",
                "kind",
                Field("colleague", css_class="form-select"),
                Field("return_shift", css_class="form-select"),
            ),
            Fieldset("Why", "reason"),
        )

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def full_clean(self) -> None:
        # Datetimes typed into datetime-local inputs are wall-clock times in the viewer's zone
        # (Django rejects one skipped or repeated by a clock change, with a message).
        with timezone.override(self.zone):
            super().full_clean()
        if self.is_bound and "submission_key" in self.errors:
            # A hidden field's error would show nowhere: say it above the form, and give the form
            # a fresh key so that sending it again works.
            del self.errors["submission_key"]
            data = cast(QueryDict, self.data).copy()
            data["submission_key"] = str(uuid.uuid4())
            self.data = data
            self.add_error(None, SUBMISSION_KEY_MISSING)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        requester = self._people.get(data.get("requester") or "")
        if requester is None or requester != self.options.requester:
            requester = self.options.requester
        if requester is None:
            raise forms.ValidationError(REQUESTER_UNKNOWN)
        data["requester_person"] = requester
        data["colleague_person"] = self._colleagues.get(data.get("colleague") or "")

        option = self._own.get(data.get("shift") or "")
        if option is None:
            return data
        data["rotation"] = option.rotation
        data["tier"] = option.tier
        floor = self.now.replace(second=0, microsecond=0)
        start = data.get("start") or max(option.start, floor)
        end = data.get("end") or option.end
        for name, value in (("start", data.get("start")), ("end", data.get("end"))):
            if value is not None and not option.start <= value <= option.end:
                self.add_error(
                    name,
                    PART_OUTSIDE_SHIFT.format(
                        start=when(option.start, self.zone), end=when(option.end, self.zone)
                    ),
                )
        if data.get("end") is not None and end <= start:
            self.add_error("end", PART_END_NOT_AFTER_START)
        data["interval"] = (start, end)

        data["return_interval"] = (None, None)
        if data.get("kind") == SwapKind.SWAP:
            # Another person's shift is no longer a choice once a colleague is chosen: say why.
            returned = self._others.get(
                data.get("return_shift") or self.data.get("return_shift") or ""
            )
            if returned is not None:
                self.errors.pop("return_shift", None)
            if returned is None:
                if "return_shift" not in self.errors:
                    self.add_error("return_shift", RETURN_REQUIRED)
            elif returned.rotation.pk != option.rotation.pk:
                self.add_error("return_shift", RETURN_OTHER_ROTATION)
            elif data["colleague_person"] is not None and (
                returned.person != data["colleague_person"] or returned.tier != option.tier
            ):
                self.add_error(
                    "return_shift",
                    RETURN_NOT_COLLEAGUES.format(
                        colleague=data["colleague_person"], tier=OnCallTier(option.tier).in_sentence
                    ),
                )
            else:
                data["return_interval"] = (max(returned.start, floor), returned.end)
        return data

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of `swap_request_create` (but `filed_by`)."""
        data = self.cleaned_data
        start, end = data["interval"]
        return_start, return_end = data["return_interval"]
        return {
            "rotation": data["rotation"],
            "tier": data["tier"],
            "kind": data["kind"],
            "requester": data["requester_person"],
            "colleague": data["colleague_person"],
            "start": start,
            "end": end,
            "return_start": return_start,
            "return_end": return_end,
            "reason": data["reason"],
            "submission_key": data["submission_key"],
        }

    def add_swap_error(self, error: SwapError) -> None:
        """Show a rule's message next to the field it is about."""
        field_name: str | None
        if error.field == "interval":
            typed = self.cleaned_data.get("start") or self.cleaned_data.get("end")
            field_name = "start" if typed else "shift"
        elif error.field == "return":
            field_name = "return_shift"
        elif error.field == "colleague":
            field_name = "colleague"
        else:
            field_name = None
        self.add_error(field_name, error.message)


class RequesterChoiceForm(forms.Form):
    """For managers: whose shifts the request form offers (a GET form: works without JavaScript)."""

    requester = forms.ChoiceField(label="Filing for")

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["requester"]).choices = [("", "Choose a person…")] + [
            (str(person.pk), person.display_name) for person in people
        ]
