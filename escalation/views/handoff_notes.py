"""Writing a shift's handoff note from the dashboard (POST, then back to the page it came from)."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..forms.handoff_notes import HandoffNoteForm
from ..models import Rotation
from ..permissions import is_manager
from ..services.handoff_notes import HandoffNoteError, handoff_note_save
from ..viewer import PortalRequest

NOTE_SAVED = "Handoff note saved: the incoming pair will see it."
NOTE_REMOVED = "Handoff note removed."


def _back(request: PortalRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("escalation:dashboard")


@require_POST
def handoff_note_view(request: PortalRequest) -> HttpResponse:
    form = HandoffNoteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(_back(request))
    rotation = Rotation.objects.filter(slug=form.cleaned_data["rotation"]).first()
    if rotation is None:
        return HttpResponse(status=404)
    try:
        note = handoff_note_save(
            rotation=rotation,
            shift_start=form.shift_start_at(),
            text=form.cleaned_data["text"],
            by=cast(User, request.user),
            person=request.viewer.person,
            manager=is_manager(request.user),
            at=timezone.now(),
        )
    except HandoffNoteError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, NOTE_SAVED if note is not None else NOTE_REMOVED)
    return HttpResponseRedirect(_back(request))


urlpatterns = [path("oncall/handoff-note/", handoff_note_view, name="handoff_note")]
