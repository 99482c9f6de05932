"""Log-in everywhere, and a feed token never carried into the log-in page's `next=`.

A feed link pasted into a browser without a session, or a token added to a page's address,
would otherwise travel on in the log-in page's address (`?next=/…?token=…`): into its access
log line, the browser's history and the Referer of whatever that page loads.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url

from .services.feed_tokens import without_token


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    def handle_no_permission(
        self, request: HttpRequest, view_func: Callable[..., Any]
    ) -> HttpResponseRedirect:
        next_path = without_token(request.path, dict(request.GET.lists()))
        return redirect_to_login(
            next_path,
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
