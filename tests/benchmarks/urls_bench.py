"""The portal's URLs plus the trivial view (`/bench/trivial/`) the benchmark compares with."""

from escalation.views import bench
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [*bench.urlpatterns, *portal_urlpatterns]
