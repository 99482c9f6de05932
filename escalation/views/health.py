from health_check.views import HealthCheckView


class HealthView(HealthCheckView):
    """Database and cache; 503 when either is down, so a load balancer takes the node out."""

    checks = ("health_check.checks.Database", "health_check.checks.Cache")

    async def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response
