from .views import fairness, handoff_notes, oncall, published, slack, swaps

app_name = "escalation"

urlpatterns = [
    *oncall.urlpatterns,
    *fairness.urlpatterns,
    *handoff_notes.urlpatterns,
    *published.urlpatterns,
    *swaps.urlpatterns,
    *slack.urlpatterns,
]
