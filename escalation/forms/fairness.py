"""The fairness report's question: which rotation, over which period (a GET form)."""

from datetime import date, timedelta

from django import forms

from ..fairness import Period, period_dates

PERIOD_LABELS = {
    Period.THIS_QUARTER: "This quarter",
    Period.LAST_QUARTER: "Last quarter",
    Period.THIS_YEAR: "This year",
    Period.LAST_YEAR: "Last year",
    Period.CUSTOM: "Custom dates",
}
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2199, 12, 31)
MAX_PERIOD_DAYS = 3 * 366

ROTATION_UNKNOWN = "There is no rotation “{value}”: choose one from the list."
PERIOD_INVALID = "Choose a period from the list."
DATE_INVALID = "Enter a date as YYYY-MM-DD."
DATE_OUT_OF_RANGE = "Pick a date between 1970 and 2199."
CUSTOM_NEEDS_DATE = "A custom period needs this date."
END_BEFORE_START = "The last day must not be before the first."
PERIOD_TOO_LONG = f"Pick at most {MAX_PERIOD_DAYS // 366} years."


class FairnessForm(forms.Form):
    rotation = forms.SlugField(required=False, max_length=120)
    period = forms.ChoiceField(
        required=False,
        choices=[(period.value, label) for period, label in PERIOD_LABELS.items()],
        error_messages={"invalid_choice": PERIOD_INVALID},
    )
    start = forms.DateField(
        required=False,
        label="From",
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_INVALID},
    )
    end = forms.DateField(
        required=False,
        label="To",
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_INVALID},
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today

    def clean_period(self) -> Period:
        return Period(self.cleaned_data.get("period") or Period.THIS_QUARTER)

    def _clean_day(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
            raise forms.ValidationError(DATE_OUT_OF_RANGE)
        return value

    def clean_start(self) -> date | None:
        return self._clean_day("start")

    def clean_end(self) -> date | None:
        return self._clean_day("end")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        period = data.get("period")
        if period is not Period.CUSTOM:
            if isinstance(period, Period):
                data["first_day"], data["last_day"] = period_dates(period, self.today)
            return data
        first, last = data.get("start"), data.get("end")
        for name, value in (("start", first), ("end", last)):
            if value is None and name not in self.errors:
                self.add_error(name, CUSTOM_NEEDS_DATE)
        if isinstance(first, date) and isinstance(last, date):
            if last < first:
                self.add_error("end", END_BEFORE_START)
            elif last - first >= timedelta(days=MAX_PERIOD_DAYS):
                self.add_error("end", PERIOD_TOO_LONG)
            else:
                data["first_day"], data["last_day"] = first, last
        return data

    def days(self) -> tuple[date, date]:
        """The period's first and last day; call after `is_valid()` answered True."""
        return self.cleaned_data["first_day"], self.cleaned_data["last_day"]
