"""Writing a shift's handoff note: a page of its own (linked from the dashboard during the
shift's last day), so the dashboard's cached parts hold no form."""

from datetime import UTC, datetime
from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..forms.handoff_notes import HandoffNoteForm
from ..models import HandoffNote, Rotation
from ..permissions import is_manager
from ..services.handoff_notes import HandoffNoteError, handoff_note_save, shift_starting
from ..viewer import PortalRequest

NOTE_SAVED = "Handoff note saved: the incoming pair will see it."
NOTE_REMOVED = "Handoff note removed."


def _asked(request: PortalRequest, at: datetime) -> tuple[Rotation, datetime]:
    """The rotation and shift asked about; by default the first rotation and its shift now."""
    source = request.POST if request.method == "POST" else request.GET
    slug, stamp = source.get("rotation", ""), source.get("shift_start", "")
    rotations = Rotation.objects.order_by("position", "name")
    rotation = rotations.filter(slug=slug[:120]).first() if slug else rotations.first()
    if rotation is None or (stamp and (not stamp.isdigit() or len(stamp) > 11)):
        raise Http404("No such shift.")
    if not stamp:
        return rotation, at
    return rotation, datetime.fromtimestamp(int(stamp), tz=UTC)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def handoff_note_view(request: PortalRequest) -> HttpResponse:
    now = timezone.now()
    rotation, start = _asked(request, now)
    try:
        shift = shift_starting(rotation, start, any_instant=start == now)
    except HandoffNoteError as error:
        raise Http404(str(error)) from error
    note = HandoffNote.objects.filter(rotation=rotation, shift_start=shift.start).first()
    status = 200
    if request.method == "POST":
        form = HandoffNoteForm(request.POST)
        if form.is_valid():
            try:
                saved = handoff_note_save(
                    rotation=rotation,
                    shift_start=shift.start,
                    text=form.cleaned_data["text"],
                    by=cast(User, request.user),
                    person=request.viewer.person,
                    manager=is_manager(request.user),
                    at=now,
                )
            except HandoffNoteError as error:
                form.add_error(None, str(error))
                status = 403
            else:
                messages.success(request, NOTE_SAVED if saved is not None else NOTE_REMOVED)
                return HttpResponseRedirect(reverse("escalation:dashboard"))
    else:
        form = HandoffNoteForm(
            initial=HandoffNoteForm.initial_for(
                rotation_slug=rotation.slug,
                shift_start=shift.start,
                text=note.text if note is not None else "",
            )
        )
    return render(
        request,
        "escalation/handoff_note.html",
        {"form": form, "rotation": rotation, "shift": shift, "note": note},
        status=status,
    )


urlpatterns = [path("oncall/handoff-note/", handoff_note_view, name="handoff_note")]
