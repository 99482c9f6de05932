import pytest
from django.core.exceptions import ValidationError

from escalation.models.validators import (
    validate_pagerduty_handle,
    validate_slack_channel,
    validate_slack_handle,
)


@pytest.mark.parametrize(
    ("validate", "good"),
    [
        (validate_slack_handle, "@jane.doe"),
        (validate_pagerduty_handle, "@backend-lead"),
        (validate_slack_channel, "#incidents"),
    ],
)
def test_a_handle_followed_by_a_line_break_is_refused(validate, good):
    validate(good)
    # `$` would let one trailing newline through; the value would then break a Markdown row.
    with pytest.raises(ValidationError):
        validate(good + "\n")
