"""Slack's requests: the `/oncall` command and the swap buttons.

No log-in and no CSRF token (Slack cannot have either): a request acts only when its signature
verifies against the app's signing secret and its timestamp is within five minutes; anything
else gets 401 and nothing is done. Without `SLACK_SIGNING_SECRET` both answer 503.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..integrations.slack import commands, interactions
from ..integrations.slack.client import NOT_CONFIGURED, commands_enabled, is_signed_by_slack

BAD_SIGNATURE = "This request is not signed by Slack, or is too old: nothing was done."


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """The answer to a request that must not be acted on, or None."""
    if not commands_enabled():
        return HttpResponse(NOT_CONFIGURED, status=503, content_type="text/plain; charset=utf-8")
    if not is_signed_by_slack(request.body, request.headers):
        return HttpResponse(BAD_SIGNATURE, status=401, content_type="text/plain; charset=utf-8")
    return None


@csrf_exempt
@login_not_required
@require_POST
def command_view(request: HttpRequest) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    # Read-only: a retried delivery (X-Slack-Retry-Num) gets the same answer again.
    return JsonResponse(
        commands.answer(
            text=request.POST.get("text", ""),
            slack_user_id=request.POST.get("user_id", ""),
            at=timezone.now(),
        )
    )


@csrf_exempt
@login_not_required
@require_POST
def interaction_view(request: HttpRequest) -> HttpResponse:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    outcome = interactions.handle(
        body=request.body, payload=request.POST.get("payload", ""), at=timezone.now()
    )
    if outcome.error:
        return HttpResponse(outcome.error, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(status=200)


urlpatterns = [
    path("slack/commands/", command_view, name="slack_commands"),
    path("slack/interactions/", interaction_view, name="slack_interactions"),
]
