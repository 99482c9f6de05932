from .views import oncall, published, swaps

app_name = "escalation"

urlpatterns = [*oncall.urlpatterns, *published.urlpatterns, *swaps.urlpatterns]
