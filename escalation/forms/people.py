"""The viewer's own contact details, edited on `/profile/`."""

from django import forms

from ..models import Person


class ContactDetailsForm(forms.ModelForm):
    """The viewer's own phone, handles and time zone (`/profile/`), validated like the admin."""

    class Meta:
        model = Person
        fields = ["phone", "slack_handle", "pagerduty_handle", "time_zone"]
        labels = {
            "slack_handle": "Slack",
            "pagerduty_handle": "PagerDuty",
            "time_zone": "Time zone",
        }
