"""The import's change set: the rows it creates, changes and deletes, checked and written at once.

Independent of the document's sections. The planners (`planners.py`) `record` each row they
match or create, with the values the document gives it and the line and column those come
from; the change set keeps what differs from the database. Then:
- `validate`: every new row, and the fields the document changes on an existing one, against
  the model's own validation (`full_clean()`);
  a value the model refuses (too long, a bad Slack channel...) becomes `DocumentError`
  `PATH:LINE: Column "value": problem`, pointing at the document's cell;
- `write`: deletions first, then the rows model by model, what a row points to first (one
  INSERT per model for new rows and their history; rows that did not change are not saved);
- `report`: the counts per model and each change, as an `ImportReport`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from phonenumber_field.phonenumber import PhoneNumber
from simple_history.utils import bulk_create_with_history

from escalation.models import (
    Channel,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingRule,
    Person,
    Role,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    Team,
)

from . import errors
from .errors import DocumentError, DocumentWarning

IMPORT_REASON = "Imported from {source}"

#: The order rows are saved in: what a row points to is saved before it.
MODEL_ORDER: tuple[type[models.Model], ...] = (
    Person,
    Team,
    Role,
    Channel,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingRule,
)


@dataclass
class ModelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    source: str
    dry_run: bool = False
    counts: dict[str, ModelCounts] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    warnings: list[DocumentWarning] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.counts.values())

    def summary_lines(self) -> list[str]:
        """The counts per model as a small aligned table."""
        width = max([len(name) for name in self.counts] + [5])
        lines = [f"{'Model':<{width}}  created  updated  unchanged  deleted"]
        for name, c in self.counts.items():
            lines.append(
                f"{name:<{width}}  {c.created:>7}  {c.updated:>7}  {c.unchanged:>9}  {c.deleted:>7}"
            )
        return lines


@dataclass
class Row:
    """One row the import creates or looks at, and where in the document it comes from."""

    obj: models.Model
    line: int
    display: str
    column: str
    created: bool
    changes: list[str] = field(default_factory=list)
    #: The fields the document changes on an existing row: only those are validated, so a
    #: value stored before a rule existed does not stop an import that leaves it alone.
    changed_fields: set[str] = field(default_factory=set)
    #: Model field → the document's column, for validation messages.
    columns: dict[str, str] = field(default_factory=dict)


class ChangeSet:
    """The rows an import means to create, change or delete, for the document read from `source`."""

    def __init__(self, source: str, warnings: Iterable[DocumentWarning] = ()) -> None:
        self.source = source
        self.rows: dict[type[models.Model], dict[int, Row]] = {m: {} for m in MODEL_ORDER}
        self.deletions: list[tuple[models.Model, str]] = []
        self.many_to_many: list[tuple[models.Model, str, Sequence[models.Model]]] = []
        self.warnings: list[DocumentWarning] = list(warnings)
        self._by_pk: dict[tuple[type[models.Model], Any], models.Model] = {}

    def error(self, line: int, message: str) -> DocumentError:
        return DocumentError(self.source, line, message)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(DocumentWarning(self.source, line, message))

    def know(self, objs: Iterable[models.Model]) -> None:
        """Rows as loaded from the database, so that a changed foreign key names its old row."""
        for obj in objs:
            self._by_pk[(type(obj), obj.pk)] = obj

    # Recording ---------------------------------------------------------------------------

    def _display_value(self, value: Any, fk_model: type[models.Model] | None = None) -> str:
        if fk_model is not None:
            obj = self._by_pk.get((fk_model, value)) if value is not None else None
            return "—" if value is None else str(obj if obj is not None else value)
        if value is None or value == "":
            return "—"
        if isinstance(value, PhoneNumber):
            return value.as_international
        return str(value)

    def record(
        self,
        obj: models.Model,
        *,
        line: int,
        display: str,
        column: str,
        values: dict[str, Any] | None = None,
        columns: dict[str, str] | None = None,
    ) -> models.Model:
        """Set `values` on `obj` (new when it has no pk) and remember what changed."""
        model = type(obj)
        row = self.rows[model].get(id(obj))
        if row is None:
            row = Row(obj, line, display, column, created=obj.pk is None)
            self.rows[model][id(obj)] = row
        row.columns.update(columns or {})
        for name, new in (values or {}).items():
            model_field = obj._meta.get_field(name)
            if model_field.many_to_one:
                assert isinstance(model_field, models.ForeignKey)
                old_id = getattr(obj, model_field.attname)
                differs = (
                    (old_id is not None) if new is None else (new.pk is None or new.pk != old_id)
                )
                if differs:
                    row.changed_fields.add(name)
                    if not row.created:
                        old = self._display_value(old_id, model_field.related_model)  # type: ignore[arg-type]
                        row.changes.append(f"{name}: {old} → {self._display_value(new)}")
                    setattr(obj, name, new)
                continue
            old_value = getattr(obj, name)
            if isinstance(new, PhoneNumber) or isinstance(old_value, PhoneNumber):
                differs = e164(old_value) != e164(new)
            else:
                differs = old_value != new
            if differs:
                row.changed_fields.add(name)
                if not row.created:
                    row.changes.append(
                        f"{name}: {self._display_value(old_value)} → {self._display_value(new)}"
                    )
                setattr(obj, name, new)
        return obj

    def delete(self, obj: models.Model, display: str) -> None:
        self.deletions.append((obj, display))

    def row(self, obj: models.Model) -> Row:
        """The row recorded for `obj`."""
        return self.rows[type(obj)][id(obj)]

    def record_many(
        self,
        obj: models.Model,
        name: str,
        related: Sequence[models.Model],
        *,
        current: set[Any],
        empty: str,
    ) -> None:
        """On writing, set the many-to-many `name` of `obj` (recorded) to `related`, unless it
        holds those rows already (`current`: their pks). `empty` names no rows in the report."""
        if {r.pk for r in related} == current and all(r.pk is not None for r in related):
            return
        row = self.row(obj)
        if not row.created:
            related_model = obj._meta.get_field(name).related_model
            assert isinstance(related_model, type)
            old = (
                ", ".join(sorted(str(self._by_pk.get((related_model, pk), pk)) for pk in current))
                or empty
            )
            new = ", ".join(str(r) for r in related) or empty
            row.changes.append(f"{name}: {old} → {new}")
        self.many_to_many.append((obj, name, related))

    # Validation and writing --------------------------------------------------------------

    def _invalid(self, row: Row, exc: ValidationError) -> DocumentError:
        if hasattr(exc, "error_dict"):
            name, problems = next(iter(exc.error_dict.items()))
            messages = [message for error in problems for message in error.messages]
        else:
            name, messages = NON_FIELD_ERRORS, exc.messages
        if name == NON_FIELD_ERRORS:
            column, value = row.column, row.display
        else:
            column = row.columns.get(name, row.column)
            value = self._display_value(getattr(row.obj, name, ""))
        return self.error(
            row.line,
            errors.INVALID_VALUE.format(column=column, value=value, problem=" ".join(messages)),
        )

    def validate(self) -> None:
        """Every new or changed row's own fields, before anything is written."""
        for model in MODEL_ORDER:
            relations = [f.name for f in model._meta.get_fields() if f.is_relation]
            for row in self.rows[model].values():
                if row.created or row.changes:
                    try:
                        row.obj.full_clean(
                            exclude=relations + _unchanged(model, row),
                            validate_unique=False,
                            validate_constraints=False,
                        )
                    except ValidationError as exc:
                        raise self._invalid(row, exc) from None

    def write(self) -> None:
        reason = IMPORT_REASON.format(source=self.source)[:100]
        for obj, _display in reversed(self.deletions):
            obj._change_reason = reason  # type: ignore[attr-defined]
            obj.delete()
        self._free_positions()
        for model in MODEL_ORDER:
            new = [row for row in self.rows[model].values() if row.created]
            changed = [row for row in self.rows[model].values() if row.changes and not row.created]
            for row in new + changed:
                self._clean(model, row)
            if new:
                # One INSERT for the rows and one for their history, however many there are.
                with self._database_errors(new[0]):
                    bulk_create_with_history(
                        [row.obj for row in new], model, default_change_reason=reason
                    )
            for row in changed:
                row.obj._change_reason = reason  # type: ignore[attr-defined]
                with self._database_errors(row):
                    row.obj.save()
        for obj, name, related in self.many_to_many:
            getattr(obj, name).set(related)

    def _clean(self, model: type[models.Model], row: Row) -> None:
        _point_at_saved(row.obj)
        try:
            # Foreign keys point at rows in hand, just loaded or saved: no query to check that
            # they exist. Uniqueness holds by construction (rows are matched by natural key
            # against all existing ones), and the database enforces it and the check
            # constraints anyway (IntegrityError): a query per check and row would make a
            # 400-service import take seconds on PostgreSQL.
            row.obj.full_clean(
                exclude=_foreign_keys(model) + _unchanged(model, row),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            raise self._invalid(row, exc) from None

    @contextmanager
    def _database_errors(self, row: Row) -> Iterator[None]:
        try:
            yield
        except IntegrityError as exc:
            problem = " ".join(str(exc).split())
            raise self.error(
                row.line,
                errors.INVALID_VALUE.format(column=row.column, value=row.display, problem=problem),
            ) from None

    def _free_positions(self) -> None:
        """Unique positions that move: out of the way first, so two rows can trade places."""
        for model, name in ((Role, "contact_position"), (Channel, "position")):
            moving = [
                row.obj.pk
                for row in self.rows[model].values()
                if not row.created and any(c.startswith(f"{name}:") for c in row.changes)
            ]
            if moving:
                model._default_manager.filter(pk__in=moving).update(**{name: None})
        slots = [
            row.obj.pk
            for row in self.rows[RotationSlot].values()
            if not row.created and any(c.startswith("position:") for c in row.changes)
        ]
        for offset, pk in enumerate(slots):
            RotationSlot.objects.filter(pk=pk).update(position=30000 + offset)

    def report(self, dry_run: bool) -> ImportReport:
        report = ImportReport(source=self.source, dry_run=dry_run, warnings=self.warnings)
        deleted: dict[type[models.Model], int] = defaultdict(int)
        for obj, _display in self.deletions:
            deleted[type(obj)] += 1
        for model in MODEL_ORDER:
            counts = ModelCounts(deleted=deleted[model])
            for row in self.rows[model].values():
                if row.created:
                    counts.created += 1
                    report.changes.append(f'created {model.__name__} "{row.display}"')
                elif row.changes:
                    counts.updated += 1
                    report.changes.append(
                        f'updated {model.__name__} "{row.display}": ' + "; ".join(row.changes)
                    )
                else:
                    counts.unchanged += 1
            report.counts[model.__name__] = counts
        for obj, display in self.deletions:
            report.changes.append(f'deleted {type(obj).__name__} "{display}"')
        return report


def _unchanged(model: type[models.Model], row: Row) -> list[str]:
    """The fields of an existing row the document leaves as they are (none of a new row's)."""
    if row.created:
        return []
    return [f.name for f in model._meta.concrete_fields if f.name not in row.changed_fields]


def _foreign_keys(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.many_to_one]


def _point_at_saved(obj: models.Model) -> None:
    """Foreign keys set to rows saved since: their ids, so that full_clean() sees them."""
    for model_field in obj._meta.concrete_fields:
        if isinstance(model_field, models.ForeignKey) and model_field.is_cached(obj):
            related = model_field.get_cached_value(obj)
            if related is not None and getattr(obj, model_field.attname) is None:
                setattr(obj, model_field.attname, related.pk)


def e164(value: Any) -> str:
    """A phone number as the change set compares it: E.164, or "" for none."""
    if isinstance(value, PhoneNumber) and value:
        return value.as_e164
    return ""
