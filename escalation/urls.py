from .views import (
    fairness,
    handoff_notes,
    incident,
    oncall,
    pagerduty,
    published,
    slack,
    swaps,
    wall,
)

app_name = "escalation"

urlpatterns = [
    *oncall.urlpatterns,
    *fairness.urlpatterns,
    *handoff_notes.urlpatterns,
    *published.urlpatterns,
    *incident.urlpatterns,
    *wall.urlpatterns,
    *swaps.urlpatterns,
    *pagerduty.urlpatterns,
    *slack.urlpatterns,
]
