import dataclasses

from health_check import checks
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView

# Anyone may read /healthz/: the driver's own message names hosts and ports, so the page says
# only what is down; the full error goes to the log.
DATABASE_DOWN = "the database does not answer"
CACHE_DOWN = "the cache does not answer"


@dataclasses.dataclass
class Database(checks.Database):
    def run(self) -> None:
        try:
            super().run()
        except HealthCheckException as error:
            raise ServiceUnavailable(DATABASE_DOWN) from error


@dataclasses.dataclass
class Cache(checks.Cache):
    async def run(self) -> None:
        try:
            await super().run()
        except HealthCheckException as error:
            raise ServiceUnavailable(CACHE_DOWN) from error


class HealthView(HealthCheckView):
    """Database and cache; 503 when either is down, so a load balancer takes the node out."""

    checks = (Database, Cache)

    async def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response
