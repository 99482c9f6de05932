"""The admin index's "Needs attention" box: TBD roles and people who are hard to reach."""

from django import template
from django.urls import reverse
from django.utils import timezone

from escalation.admin.people import people_missing_message, tbd_roles_message
from escalation.selectors.completeness import attention_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def escalation_attention(context: template.Context) -> list[dict[str, str]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return []
    counts = attention_counts(at=timezone.now())
    items = []
    if counts["tbd_roles"]:
        items.append(
            {
                "message": tbd_roles_message(counts["tbd_roles"]),
                "url": reverse("admin:escalation_role_changelist") + "?tbd=yes",
            }
        )
    if counts["people_missing"]:
        items.append(
            {
                "message": people_missing_message(counts["people_missing"]),
                "url": reverse("admin:escalation_person_changelist")
                + "?missing=any&is_active__exact=1",
            }
        )
    return items
