"""`bulk_insert()`: Django's `bulk_create()` for the hot paths, with arrays sent in binary.

On PostgreSQL Django 5.2 inserts many rows as `INSERT … SELECT * FROM UNNEST(%s::type[], …)`,
but through psycopg's client-side binding cursor: every array is quoted into the SQL text in
Python, one regex substitution per element (psycopg's C extension does not cover arrays). For
the reminder scan's notifications and outbox events (10,000 of each in a burst, JSON envelopes
full of characters to escape) that quoting was the largest single cost of the scan. Here the
same statement goes through a server-side binding cursor with every array in binary (`%b`), so
nothing is quoted and PostgreSQL parses no literals. Elsewhere (SQLite) it is `bulk_create()`.

Same contract as `bulk_create()` for what it supports: `pre_save` runs (`auto_now_add`,
defaults already set by the model's `__init__`), the primary keys come back on the objects, and
the statement is logged like any other when queries are logged.
"""

from collections.abc import Sequence
from typing import TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

M = TypeVar("M", bound=models.Model)


def bulk_insert(model: type[M], objs: Sequence[M], *, ignore_conflicts: bool = False) -> list[M]:
    """`ignore_conflicts` as in `bulk_create()`: rows that would break a unique constraint are
    skipped, and no primary key is set on any object."""
    objs = list(objs)
    # The connection itself, not the `django.db.connection` proxy: get_db_prep_save() reads
    # its attributes for every value, and each read through the proxy is a lookup.
    connection = connections[DEFAULT_DB_ALIAS]
    if len(objs) < 2 or connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
    meta = model._meta
    pk = meta.pk
    with_pk = sum(getattr(obj, pk.attname) is not None for obj in objs)
    if 0 < with_pk < len(objs):
        raise ValueError("bulk_insert() needs the primary key set on every object or on none")
    fields = [f for f in meta.concrete_fields if f is not pk or with_pk]
    columns = []
    for field in fields:
        values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs]
        columns.append(values)
    casts = ", ".join(f"%b::{f.db_type(connection).split('(')[0]}[]" for f in fields)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) "
        f"SELECT * FROM UNNEST({casts}) "
    )
    connection.ensure_connection()
    wrapper = CursorDebugWrapper if connection.queries_logged else CursorWrapper
    with wrapper(psycopg.Cursor(connection.connection), connection) as cursor:
        if ignore_conflicts:
            cursor.execute(sql + "ON CONFLICT DO NOTHING", columns)
            return objs
        cursor.execute(sql + f"RETURNING {connection.ops.quote_name(pk.column)}", columns)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
