from .views import fairness, incident, oncall, published, slack, swaps

app_name = "escalation"

urlpatterns = [
    *oncall.urlpatterns,
    *fairness.urlpatterns,
    *published.urlpatterns,
    *incident.urlpatterns,
    *swaps.urlpatterns,
    *slack.urlpatterns,
]
