"""The admin where Escalation managers keep the escalation document current.

Split by topic like the models; importing the modules registers their admins.
"""

from . import delivery, directory, logins, pagerduty, people, rotations

__all__ = ["delivery", "directory", "logins", "pagerduty", "people", "rotations"]
