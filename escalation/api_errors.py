"""Errors under /api/ are JSON, like the API's answers: `{"error": "…"}` with the right status.

Programs read the API; an HTML error page (Django's, or the portal's 404 and 500) means nothing
to them. The view answers its own errors (a bad `at`, a missing token); the rest is answered
here: an exception anywhere on the way by `server_error` (the URL conf's `handler500`): 503 when
the database is out of reach, a neighbour failing rather than a bug, else 500; and any other
error page under /api/ (an unknown address, a wrong method) by `ApiErrorMiddleware`, which puts
JSON in its place. Like the portal's error pages, the message never carries the exception's own
words (they can name hosts, SQL or settings); Django logs those.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"

DATABASE_UNAVAILABLE = "The portal cannot reach its database just now. Try again in a minute."
SERVER_ERROR = "Something went wrong on the portal's side. The error is logged."
NOT_FOUND = "There is nothing at this address. The on-call API is /api/oncall/."
MESSAGES = {404: NOT_FOUND, 500: SERVER_ERROR, 503: DATABASE_UNAVAILABLE}


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _message(status: int) -> str:
    if status in MESSAGES:
        return MESSAGES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return SERVER_ERROR if status >= 500 else "The request was refused."


def server_error(request: HttpRequest) -> HttpResponse:
    """The portal's 500 page, or under /api/ a JSON error: 503 when the database is down.

    Django calls it while it handles the exception (in a view or in a middleware, such as the
    session's load), so the exception is the one being handled."""
    if not _is_api(request):
        return defaults.server_error(request)
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return JsonResponse({"error": DATABASE_UNAVAILABLE}, status=503)
    return JsonResponse({"error": SERVER_ERROR}, status=500)


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            _is_api(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
            and not response.streaming
        ):
            # The error page an inner layer answered, replaced in place so that its headers
            # (Allow, cookies, Vary) stay.
            response.content = json.dumps({"error": _message(response.status_code)})
            response["Content-Type"] = "application/json"
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
