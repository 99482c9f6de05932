"""Log-in everywhere, a feed token never carried into the log-in page's `next=`, and the
views open without log-in answered without reading the session's user.

A feed link pasted into a browser without a session, or a token added to a page's address,
would otherwise travel on in the log-in page's address (`?next=/…?token=…`): into its access
log line, the browser's history and the Referer of whatever that page loads.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url

from .services.feed_tokens import without_token


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        # A view open without log-in (the feeds and the API check their token; Slack its
        # signature) is answered without reading the session's user: Django's check reads it
        # first, two queries for a browser that sends its cookie with a feed link.
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(
        self, request: HttpRequest, view_func: Callable[..., Any]
    ) -> HttpResponseRedirect:
        next_path = without_token(request.path, dict(request.GET.lists()))
        return redirect_to_login(
            next_path,
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
