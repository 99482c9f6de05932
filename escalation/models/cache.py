"""The number every cached page is keyed by (`escalation.cache`)."""

from django.db import models

#: The primary key of the one row.
VERSION_ROW = 1


class DataVersion(models.Model):
    """One row whose value changes with every write to escalation data.

    Cached values are stored under the value current when they were computed; a write moves it,
    so every process (each with its own cache, or sharing Redis) stops finding the old entries.
    """

    value = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"Data version {self.value}"
