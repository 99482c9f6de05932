from .views import oncall, published, slack, swaps

app_name = "escalation"

urlpatterns = [
    *oncall.urlpatterns,
    *published.urlpatterns,
    *swaps.urlpatterns,
    *slack.urlpatterns,
]
