"""The address a request comes from, as the log-in lock (django-axes) keys it.

Reached directly, the socket's address is the client's, and an X-Forwarded-For header is
whatever the client chose to write: it is ignored, so a forged one can neither dodge a lock
nor lock someone else's address.

Behind the load balancer every request comes from the balancer's address, and a lock on it
would lock a user out for everyone. With `TRUSTED_PROXY_COUNT = N`, each of the N proxies in
front of the portal appends the address it saw to X-Forwarded-For, so the client's own address
is the N-th entry from the right; anything left of it came from the client and is ignored.
A request that carries fewer entries did not come through the proxies: its socket address is
used. (django-axes' own proxy settings, `AXES_IPWARE_*`, need django-ipware, which the portal
does not install; `AXES_CLIENT_IP_CALLABLE` points here instead.)
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    socket_address: str | None = request.META.get("REMOTE_ADDR")
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return socket_address
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return socket_address
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return socket_address
