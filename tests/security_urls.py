"""Every URL the portal serves, filled in with real rows: for the access, header and CSP tests.

`endpoints()` walks the URL conf (admin included). `fill(endpoint, data)` turns one pattern into a
path to request, with ids and slugs from `security_data()`; a pattern it does not know how to
fill raises `UnknownEndpoint`, so a new page cannot slip past the tests unnoticed. Each filled
path is resolved back and must land on the same pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from escalation import models
from tests import factories


class UnknownEndpoint(Exception):
    """A URL pattern the access tests do not know how to fill or what to expect of."""


@dataclass(frozen=True)
class Endpoint:
    route: str  # the patterns' texts joined: "admin/escalation/person/<path:object_id>/change/"
    name: str | None  # "escalation:calendar", "admin:escalation_person_change", or None
    pieces: tuple[Any, ...] = field(repr=False, compare=False, hash=False, default=())
    callback: Any = field(repr=False, compare=False, hash=False, default=None)

    @property
    def namespace(self) -> str:
        return self.name.split(":")[0] if self.name and ":" in self.name else ""

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def endpoints() -> list[Endpoint]:
    """Every pattern of the root URL conf, depth first, in resolution order."""
    found: list[Endpoint] = []

    def walk(resolver: URLResolver, pieces: tuple[Any, ...], namespace: str) -> None:
        for pattern in resolver.url_patterns:
            here = (*pieces, pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, here, inner)
            else:
                assert isinstance(pattern, URLPattern)
                name = pattern.name and (
                    f"{namespace}:{pattern.name}" if namespace else pattern.name
                )
                route = "".join(str(piece) for piece in here)
                found.append(
                    Endpoint(route=route, name=name or None, pieces=here, callback=pattern.callback)
                )

    walk(get_resolver(), (), "")
    return found


# --- Data -------------------------------------------------------------------------------------


@dataclass
class SecurityData:
    """One saved row of every model the admin shows, and logins at every level of access."""

    viewer: User
    staff: User
    manager: User
    superuser: User
    service: models.Service
    path: models.EscalationPath
    swap: models.SwapRequest
    person: models.Person
    page: models.PagerDutyIncident


def security_data() -> SecurityData:
    """The bundled document, plus a swap request, override, feed token, message and axes rows."""
    from escalation.documents.importer import import_document
    from tests.conftest import SEED_DOCUMENT

    import_document(SEED_DOCUMENT.read_text(encoding="utf-8"), source=str(SEED_DOCUMENT))
    engineer_a = models.Person.objects.get(display_name="Engineer A")
    engineer_c = models.Person.objects.get(display_name="Engineer C")
    viewer = factories.UserFactory(username="viewer", email="engineer-a@example.com")
    engineer_a.user = viewer
    engineer_a.save()
    staff = factories.UserFactory(username="staff", is_staff=True)
    manager = factories.ManagerFactory(username="manager")
    superuser = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    rotation = models.Rotation.objects.get()
    start = timezone.now().replace(microsecond=0) + timedelta(days=30)
    swap = factories.SwapRequestFactory(
        rotation=rotation,
        requester=engineer_a,
        colleague=engineer_c,
        start=start,
        end=start + timedelta(days=7),
        filed_by=viewer,
    )
    models.SwapRequestEvent.objects.create(swap=swap, action="filed", actor=viewer, at=start)
    factories.OverrideFactory(rotation=rotation, person=engineer_c, start=start)
    factories.FeedTokenFactory(user=viewer)
    factories.OutgoingMessageFactory()
    models.PagerDutyCheck.objects.create(
        rotation=rotation, tier="primary", schedule_id="PSCHED1", attempted_at=start
    )
    models.PagerDutyDrift.objects.create(
        rotation=rotation,
        tier="primary",
        start=start,
        end=start + timedelta(hours=1),
        pagerduty_name="<b>Someone</b>",
        portal_person=engineer_c,
        found_at=start,
    )
    page = models.PagerDutyIncident.objects.create(
        requested_by=viewer,
        requested_by_name="<b>Engineer A</b>",
        assignee=engineer_c,
        assignee_name=engineer_c.display_name,
        assignee_user_id="PENGC01",
        service_name="<i>Service</i>",
        pagerduty_service_id="PSVC001",
        severity="SEV1",
        title="<script>alert(1)</script>",
        incident_key="escalation-portal-security",
        state=models.PageState.FAILED,
        error="<b>PagerDuty answered 503</b>",
    )
    AccessAttempt.objects.create(
        username="someone", ip_address="10.0.0.1", user_agent="test", failures_since_start=1
    )
    AccessLog.objects.create(username="viewer", ip_address="10.0.0.1", user_agent="test")
    AccessFailureLog.objects.create(username="someone", ip_address="10.0.0.1", user_agent="test")
    return SecurityData(
        viewer=viewer,
        staff=staff,
        manager=manager,
        superuser=superuser,
        service=models.Service.objects.order_by("position").first(),  # type: ignore[arg-type]
        path=models.EscalationPath.objects.order_by("position").first(),  # type: ignore[arg-type]
        swap=swap,
        person=engineer_a,
        page=page,
    )


# --- Filling patterns -------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")

# The portal's own pages: what fills each parameter.
PAGE_PARAMETERS: dict[str, dict[str, Any]] = {
    "escalation:service_detail": {"slug": lambda data: data.service.slug},
    "escalation:path_detail": {"slug": lambda data: data.path.slug},
    "escalation:swap_detail": {"pk": lambda data: data.swap.pk},
    "escalation:swap_accept": {"pk": lambda data: data.swap.pk},
    "escalation:swap_decline": {"pk": lambda data: data.swap.pk},
    "escalation:swap_approve": {"pk": lambda data: data.swap.pk},
    "escalation:swap_cancel": {"pk": lambda data: data.swap.pk},
    "escalation:swap_revert": {"pk": lambda data: data.swap.pk},
    "escalation:swap_pagerduty_retry": {"pk": lambda data: data.swap.pk},
    "escalation:pagerduty_page_new": {"person_id": lambda data: data.person.pk},
    "escalation:pagerduty_page": {"pk": lambda data: data.page.pk},
    "escalation:pagerduty_page_retry": {"pk": lambda data: data.page.pk},
}

# The admin's regular-expression patterns, spelled exactly as Django and simple-history write them.
ADMIN_REGEX_PIECES = {
    r"^([^/]+)/history/([^/]+)/$": "simple_history",
    r"^(?P<app_label>auth|axes|escalation)/$": "app_list",
    r"(?P<url>.*)$": "catch_all",
}


def admin_model(endpoint: Endpoint) -> type[Any] | None:
    match = _ADMIN_MODEL.match(endpoint.route)
    if not match:
        return None
    try:
        model = apps.get_model(match["app"], match["model"])
    except LookupError:
        return None
    return model if model in admin.site._registry else None


def _first(model: type[Any]) -> Any:
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        raise UnknownEndpoint(f"security_data() saves no {model.__name__}: add one")
    return obj


def _piece_text(piece: Any, endpoint: Endpoint, data: SecurityData) -> str:
    text = str(piece)
    if text in ADMIN_REGEX_PIECES:
        kind = ADMIN_REGEX_PIECES[text]
        if kind == "app_list":
            return "escalation/"
        if kind == "catch_all":
            return "no-such-admin-page/"
        model = admin_model(endpoint)
        if model is None:
            raise UnknownEndpoint(f"{endpoint.route}: a history pattern outside a model admin")
        obj = _first(model)
        record = obj.history.order_by("history_id").first()
        if record is None:
            raise UnknownEndpoint(f"{endpoint.route}: the {model.__name__} has no history row")
        return f"{obj.pk}/history/{record.history_id}/"
    if text.startswith("^") or text.endswith("$"):
        raise UnknownEndpoint(f"{endpoint.route}: a regular expression the tests cannot fill")

    def value(match: re.Match[str]) -> str:
        return str(_parameter(match["parameter"], endpoint, data))

    return _CONVERTER.sub(value, text)


def _parameter(parameter: str, endpoint: Endpoint, data: SecurityData) -> Any:
    if endpoint.name in PAGE_PARAMETERS and parameter in PAGE_PARAMETERS[endpoint.name]:
        return PAGE_PARAMETERS[endpoint.name][parameter](data)
    if endpoint.name == "admin:view_on_site":
        # The only model with a page of its own: the admin's "view on site" leads there.
        if parameter == "content_type_id":
            return ContentType.objects.get_for_model(models.SwapRequest).pk
        if parameter == "object_id":
            return data.swap.pk
    if endpoint.name == "admin:auth_user_password_change" and parameter == "id":
        return data.viewer.pk
    model = admin_model(endpoint)
    if model is not None and parameter == "object_id":
        return _first(model).pk
    raise UnknownEndpoint(f"{endpoint.route}: no value known for <{parameter}>")


def fill(endpoint: Endpoint, data: SecurityData) -> str:
    """The path to request for `endpoint`, filled with real rows; it resolves back to it."""
    path = "/" + "".join(_piece_text(piece, endpoint, data) for piece in endpoint.pieces)
    match = resolve(path)
    if match.func is not endpoint.callback:
        raise UnknownEndpoint(f"{path} resolves to {match.route}, not to {endpoint.route}")
    return path
