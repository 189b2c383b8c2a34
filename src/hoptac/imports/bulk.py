"""Inserting many rows at once, with their history, inside the caller's transaction.

On PostgreSQL the rows go through COPY, with primary keys drawn from the table's sequence first so
that the objects know their ids (status changes point at the new organisations). Django's
bulk_create costs about 100 µs per organisation (it prepares every value of every field in Python,
then psycopg adapts arrays of them): 10 s for 100,000 organisations, as much again for their history,
which alone keeps an import under 5,000 rows per second. COPY does the same in about a fifth of the
time. Elsewhere (SQLite) the ordinary bulk_create and simple_history's bulk_create_with_history are
used.

The historical rows are the ones simple_history's `bulk_history_create` writes: every tracked field,
with history_date, history_user, history_change_reason and history_type "+".
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from operator import itemgetter

from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from simple_history.utils import bulk_create_with_history

BATCH = 2000
_DEFAULTS: dict[type[Model], dict] = {}


def new(model: type[Model], **values) -> Model:
    """An unsaved instance built without Model.__init__'s per-field work (it costs 10 µs a row).

    Every concrete field gets its default, then the given attributes (by attname): all that an
    insert needs.
    """
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}
        defaults[model._meta.pk.attname] = None
        _DEFAULTS[model] = defaults
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    return obj


def filter_in(qs: QuerySet, field: str, values: Sequence[str]) -> QuerySet:
    """`qs.filter(field__in=values)` for many values: one array parameter on PostgreSQL.

    A list of 100,000 placeholders costs seconds to build and parse; `= ANY(array)` costs nothing.
    Other databases get chunks of the ordinary IN, which the caller iterates (see `chunks_in`).
    """
    # One text parameter split by the server: adapting a Python list of 100,000 strings costs more.
    joined = "\n".join(values)
    return qs.filter(Q(**{f"{field}__in": RawSQL("SELECT unnest(string_to_array(%s, E'\\n'))", (joined,))}))


def select_in(qs: QuerySet, field: str, values: Sequence[str]):
    """Every object of `qs` whose `field` is one of `values`, in as few queries as the database allows."""
    values = list(values)
    if not values:
        return
    if uses_copy() and not any("\n" in v for v in values):
        yield from filter_in(qs, field, values)
        return
    for start in range(0, len(values), BATCH):
        yield from qs.filter(**{f"{field}__in": values[start : start + BATCH]})


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def _columns(model: type[Model], *, with_id: bool):
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    return fields, ", ".join(connection.ops.quote_name(f.column) for f in fields)


def _copy(model: type[Model], fields, columns: str, rows) -> None:
    """COPY in binary: no text to format on our side nor to parse on the server's."""
    table = connection.ops.quote_name(model._meta.db_table)
    types = [f.db_type(connection).split("(")[0].strip() for f in fields]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys from the table's sequence (PostgreSQL)."""
    if not count:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(
    model: type[Model], objs: Sequence[Model], *, now: datetime.datetime, need_ids: bool = True
) -> None:
    """Insert unsaved objects and give them their ids; `now` fills auto_now and auto_now_add fields."""
    if not objs:
        return
    auto = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for name in auto:
            setattr(obj, name, now)
    if not uses_copy():
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    pk_name = model._meta.pk.attname
    if need_ids:
        for obj, pk in zip(objs, reserve_ids(model, len(objs)), strict=True):
            obj.__dict__[pk_name] = pk
    fields, columns = _columns(model, with_id=need_ids)
    # Straight from each instance's __dict__: foreign-key attributes are descriptors, read slowly.
    get = itemgetter(*[f.attname for f in fields])
    _copy(model, fields, columns, (get(obj.__dict__) for obj in objs))
    alias = connection.alias
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


def insert_rows(model: type[Model], names: Sequence[str], rows) -> None:
    """Insert plain tuples of the fields `names` (attnames), without building model instances."""
    if not uses_copy():
        model._default_manager.bulk_create(
            [new(model, **dict(zip(names, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    _copy(model, fields, columns, rows)


def insert_with_history(
    model: type[Model],
    objs: Sequence[Model],
    *,
    now: datetime.datetime,
    user: Model | None,
    reason: str,
) -> None:
    """Insert objects and their "+" historical records, as bulk_create_with_history does."""
    if not objs:
        return
    # simple_history's history_change_reason holds 100 characters.
    reason = reason[:100]
    if not uses_copy():
        for obj in objs:
            for f in model._meta.concrete_fields:
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    setattr(obj, f.attname, now)
        bulk_create_with_history(
            list(objs),
            model,
            batch_size=BATCH,
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
        return
    insert(model, objs, now=now)
    history = model.history.model
    tracked = [f.attname for f in history.tracked_fields]
    extra = {
        "history_date": now,
        "history_user_id": user.pk if user is not None else None,
        "history_change_reason": reason,
        "history_type": "+",
    }
    # COPY takes its columns in any order: the tracked fields first, then the history's own.
    by_name = {f.attname: f for f in history._meta.concrete_fields}
    if set(tracked) | set(extra) != {f.attname for f in history._meta.concrete_fields if not f.primary_key}:
        raise RuntimeError("The historical model has columns this insert does not fill.")
    fields = [by_name[name] for name in (*tracked, *extra)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    tracked_get = itemgetter(*tracked)
    constants = tuple(extra.values())

    def rows():
        for obj in objs:
            yield tracked_get(obj.__dict__) + constants

    _copy(history, fields, columns, rows())
