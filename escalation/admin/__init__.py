"""The admin where Escalation managers keep the escalation document current.

Split by topic like the models; importing the modules registers their admins.
"""

from . import availability, delivery, directory, logins, pagerduty, people, rotations

__all__ = ["availability", "delivery", "directory", "logins", "pagerduty", "people", "rotations"]
