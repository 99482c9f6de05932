from .views import fairness, oncall, pagerduty, published, slack, swaps

app_name = "escalation"

urlpatterns = [
    *oncall.urlpatterns,
    *fairness.urlpatterns,
    *published.urlpatterns,
    *swaps.urlpatterns,
    *pagerduty.urlpatterns,
    *slack.urlpatterns,
]
