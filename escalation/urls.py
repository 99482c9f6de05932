from .views import fairness, oncall, published, slack, swaps

app_name = "escalation"

urlpatterns = [
    *oncall.urlpatterns,
    *fairness.urlpatterns,
    *published.urlpatterns,
    *swaps.urlpatterns,
    *slack.urlpatterns,
]
