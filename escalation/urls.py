from .views import fairness, incident, oncall, pagerduty, published, slack, swaps, wall

app_name = "escalation"

urlpatterns = [
    *oncall.urlpatterns,
    *fairness.urlpatterns,
    *published.urlpatterns,
    *incident.urlpatterns,
    *wall.urlpatterns,
    *swaps.urlpatterns,
    *pagerduty.urlpatterns,
    *slack.urlpatterns,
]
