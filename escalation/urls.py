from .views import directory, oncall, swaps

app_name = "escalation"

urlpatterns = [*oncall.urlpatterns, *directory.urlpatterns, *swaps.urlpatterns]
