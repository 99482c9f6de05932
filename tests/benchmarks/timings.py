"""The importer and the rotation engine, timed in process.

The importer loads the large organisation's escalation document into an emptied database
(in a transaction rolled back); the engine computes 10 years of weekly shifts with 1,000
overrides.
"""

from __future__ import annotations

import cProfile
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time

from tests.benchmarks.profiling import summarise_profile


def time_importer() -> tuple[str, str]:
    """Import the large organisation's document into an emptied database, in a transaction
    rolled back each time. Returns the figures and a profile of one more run."""
    from django.db import transaction

    from escalation.orgdata.generate import flush_escalation_data

    try:
        from escalation.documents.importer import import_document
    except ImportError:
        return "importer: escalation.documents.importer.import_document is not there yet", ""
    document, how = escalation_document()
    services = document.split("## Service Ownership", 1)[-1].split("\n## ", 1)[0]
    service_rows = max(0, services.count("\n| ") - 1)
    times: list[float] = []
    profiler = cProfile.Profile()
    for run in range(4):
        try:
            with transaction.atomic():
                flush_escalation_data()
                began = time.perf_counter()
                if run == 3:
                    profiler.enable()
                import_document(document, source="generated.md")
                profiler.disable()
                if run < 3:
                    times.append((time.perf_counter() - began) * 1000)
                transaction.set_rollback(True)
        except Exception as failure:  # noqa: BLE001 - reported, not fatal
            profiler.disable()
            error = f"{type(failure).__name__}: {failure}"[:300]
            return f"importer: failed on the {how} document: {error}", ""
    return (
        f"importer: the {how} document of the large organisation ({len(document):,} characters,"
        f" {service_rows} services) into an empty database: min {min(times):.0f} ms, median"
        f" {statistics.median(times):.0f} ms of {len(times)} runs (target < 1000 ms)",
        summarise_profile(profiler, 1, unit="import"),
    )


def escalation_document() -> tuple[str, str]:
    """The generated organisation as the escalation document: the exporter's, or our own."""
    try:
        from escalation.documents.exporter import export_document
    except ImportError:
        return seed_format_document(), "generated Markdown"
    return export_document(), "exported"


def seed_format_document() -> str:
    """The seed document's format with every service, role and channel of the database."""
    from escalation.models import Channel, Role, Service

    rows = [
        "# Escalation Contacts",
        "",
        "## Contact Matrix by Severity",
        "",
        "| Severity | Primary Contact | Secondary Contact | Management | Communication |",
        "|----------|----------------|-------------------|------------|---------------|",
        "| **SEV1** | On-call engineer (PagerDuty) | Backend lead + Frontend lead"
        " | Engineering Manager + VP Eng | Status page + #incidents |",
        "| **SEV2** | On-call engineer (PagerDuty) | Relevant team lead | Engineering Manager"
        " | #incidents |",
        "| **SEV3** | On-call engineer (Slack) | Relevant team lead | _Not required_"
        " | #incidents-low |",
        "| **SEV4** | Team responsible for service | _Not required_ | _Not required_"
        " | Ticket only |",
        "",
        "## On-Call Rotation",
        "",
        "| Week | Primary | Secondary |",
        "|------|---------|-----------|",
        "| Odd weeks | Engineer A | Engineer B |",
        "| Even weeks | Engineer C | Engineer D |",
        "",
        "**On-call schedule:** Managed in PagerDuty",
        "**Rotation cadence:** Weekly, handoff on Monday 09:00 UTC",
        "**Override requests:** Post in #on-call-swap channel",
        "",
        "## Service Ownership",
        "",
        "| Service / Component | Team | Primary Contact | Slack Channel |",
        "|---------------------|------|-----------------|---------------|",
    ]
    for service in Service.objects.select_related("team", "primary_contact").order_by("position"):
        contact = service.primary_contact.name if service.primary_contact else "TBD"
        rows.append(
            f"| {service.name} | {service.team.name} | {contact} | {service.slack_channel} |"
        )
    rows += ["", "## Communication Channels", "", "| Channel | Purpose | Who Posts |"]
    rows.append("|---------|---------|----------|")
    for channel in Channel.objects.exclude(position=None).order_by("position"):
        name = f"`{channel.name}`" if channel.name.startswith("#") else channel.name
        rows.append(f"| {name} | {channel.purpose} | {channel.who_posts} |")
    rows += ["", "## Contact Information", ""]
    rows.append("| Role | Name | Slack | PagerDuty | Phone (emergency) |")
    rows.append("|------|------|-------|-----------|-------------------|")
    for role in Role.objects.select_related("holder").exclude(contact_position=None):
        holder = role.holder
        rows.append(
            f"| {role.name} | {holder.display_name if holder else 'TBD'} |"
            f" {role.slack_alias or 'TBD'} | {role.pagerduty_alias or 'TBD'} |"
            f" {holder.phone if holder and holder.phone else 'TBD'} |"
        )
    return "\n".join(rows) + "\n"


def time_engine() -> list[str]:
    from escalation import rotation as engine

    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    end = start + timedelta(days=3653)
    step = (end - start) / 1000
    specs = [
        engine.OverrideSpec(
            tier=engine.Tier.PRIMARY if n % 2 else engine.Tier.SECONDARY,
            person=100 + n % 17,
            start=start + step * n + timedelta(hours=5),
            end=start + step * n + timedelta(hours=5 + 24 * (1 + n % 3)),
            key=n,
        )
        for n in range(1000)
    ]
    parity = engine.Schedule(
        handoff_weekday=0,
        handoff_time=wall_time(9, 0),
        time_zone="UTC",
        shift_days=7,
        rule=engine.SlotRule.ISO_WEEK_PARITY,
        slots=(
            engine.Slot("Odd weeks", 1, 2, engine.WeekParity.ODD),
            engine.Slot("Even weeks", 3, 4, engine.WeekParity.EVEN),
        ),
    )
    alternation = engine.Schedule(
        handoff_weekday=0,
        handoff_time=wall_time(9, 0),
        time_zone="Europe/Berlin",
        shift_days=7,
        rule=engine.SlotRule.ALTERNATION,
        anchor=date(2026, 1, 5),
        slots=tuple(engine.Slot(f"Slot {n}", 10 + n, 20 + n) for n in range(3)),
    )

    def timeline(schedule: engine.Schedule) -> Callable[[], int]:
        def work() -> int:
            index = engine.OverrideIndex(specs)
            pieces = 0
            for shift in engine.shifts_between(schedule, start, end):
                for tier in engine.Tier:
                    pieces += len(engine.segments(shift, tier, index))
            return pieces

        return work

    lines = []
    for label, work in (
        ("UTC ISO-week parity", timeline(parity)),
        ("Europe/Berlin 3-slot alternation", timeline(alternation)),
    ):
        times = []
        for _ in range(7):
            began = time.perf_counter()
            pieces = work()
            times.append((time.perf_counter() - began) * 1000)
        lines.append(
            f"engine: 10 years of weekly shifts, 1,000 overrides, {label}: {pieces} segments,"
            f" min {min(times):.1f} ms, median {statistics.median(times):.1f} ms"
            " (target well under 100 ms)"
        )
    return lines
