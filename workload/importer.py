"""The incident import pipeline: one path for the command, the upload page and the API.

    batch_create  store the file and its checksum, record who brought it with which mapping
    batch_check   stream the file through the mapping into a staging table (COPY on PostgreSQL),
                  find duplicates set-wise, count every outcome, then decide by the batch's mode
    batch_decide  for batches waiting on the planner: store the valid rows, or reject the file
    batch_rollback  remove what a stored batch added

Nothing reaches the incident table except in one transaction per batch, so a batch is stored whole
or not at all, and a re-imported file finds its rows already there and stores nothing new.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import repeat
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from config.spreadsheet import cell_safe
from stations.models import Community, Station, StationAlias
from workload.mapping import SHIPPED_DIR, Mapping, MappingError, load_mapping_file, parse_mapping
from workload.models import (
    BatchMode,
    BatchStatus,
    ImportBatch,
    ImportMapping,
    Incident,
    IncidentCategory,
    StagedIncident,
)
from workload.reader import FileProblem, read_chunks
from workload.transform import OUTPUT_COLUMNS, REASONS, Catalogue, transform

MappingT = TypeVar("MappingT")

log = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 1_000
STAGED_TABLE = StagedIncident._meta.db_table
INCIDENT_TABLE = Incident._meta.db_table
INCIDENT_UNIQUE_KEY = "incident_external_id_unique_per_source"


class ImportRefused(Exception):
    """The request cannot start: unknown mapping, wrong state, file too large."""


# --- Mappings ------------------------------------------------------------------------------------


def named_mapping_resolve(
    name_or_path: str,
    *,
    saved: QuerySet[Any],
    shipped_dir: Path,
    load_file: Callable[[Path], MappingT],
    parse: Callable[..., MappingT],
    what: str = "mapping",
) -> tuple[str, MappingT]:
    """A mapping file path, a mapping saved in the database (`saved`: rows with name and definition),
    or one shipped in `shipped_dir`, in that order. Incident and organisation imports both resolve so."""
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        return str(path), load_file(path)
    row = saved.filter(name=name_or_path).first()
    if row is not None:
        return row.name, parse(row.definition, default_name=row.name)
    shipped = sorted(p.stem for p in shipped_dir.glob("*.toml"))
    if name_or_path in shipped:
        return name_or_path, load_file(shipped_dir / f"{name_or_path}.toml")
    known = sorted({*shipped, *saved.values_list("name", flat=True)})
    raise MappingError([f"no {what} named {name_or_path!r}; known mappings: {', '.join(known)}"])


def mapping_resolve(name_or_path: str) -> tuple[str, Mapping]:
    """An incident mapping by file path, saved name or shipped name (named_mapping_resolve)."""
    return named_mapping_resolve(
        name_or_path,
        saved=ImportMapping.objects.all(),
        shipped_dir=SHIPPED_DIR,
        load_file=load_mapping_file,
        parse=parse_mapping,
    )


def catalogue_build() -> Catalogue:
    """Every spelling by which a file may name a station, a category or a community."""
    catalogue = Catalogue()
    stations = list(Station.objects.values_list("id", "code", "name", "name_en"))
    catalogue.stations = {
        "code": {code: pk for pk, code, _n, _e in stations},
        "name": {**{en: pk for pk, _c, _n, en in stations if en}, **{name: pk for pk, _c, name, _e in stations}},
        "alias": dict(StationAlias.objects.values_list("alias", "station_id")),
    }
    categories = list(IncidentCategory.objects.values_list("id", "code", "name_zh", "name_en"))
    catalogue.categories = {
        "code": {code: pk for pk, code, _z, _e in categories},
        "name": {**{en: pk for pk, _c, _z, en in categories}, **{zh: pk for pk, _c, zh, _e in categories}},
        "alias": {},
    }
    communities = list(Community.objects.values_list("id", "code", "name", "station_id"))
    catalogue.communities = {"code": {code: pk for pk, code, _n, _s in communities}}
    catalogue.community_station = {pk: station for pk, _c, _n, station in communities}
    catalogue.community_by_name = {(station, name): pk for pk, _c, name, station in communities}
    return catalogue


# --- Creating a batch ----------------------------------------------------------------------------


def batch_create(
    *, upload: IO[bytes], file_name: str, mapping_name: str, mode: str, by: Any = None, max_bytes: int | None = None
) -> ImportBatch:
    """Store the uploaded file and record the batch; the checking happens in batch_check (a task)."""
    if mode not in BatchMode.values:
        raise ImportRefused(_("Unknown mode %(mode)s.") % {"mode": mode})
    resolved_name, mapping = mapping_resolve(mapping_name)
    digest = hashlib.sha256()
    size = 0
    buffer = io.BytesIO()
    while block := upload.read(1 << 20):
        digest.update(block)
        size += len(block)
        if max_bytes is not None and size > max_bytes:
            raise ImportRefused(_("The file is larger than the limit of %(mb)d MB.") % {"mb": max_bytes // (1 << 20)})
        buffer.write(block)
    if size == 0:
        raise ImportRefused(_("The file is empty."))
    batch = ImportBatch(
        file_name=Path(file_name).name[:255],
        checksum=digest.hexdigest(),
        size_bytes=size,
        mapping_name=resolved_name,
        mapping_text=mapping.text,
        source=mapping.source,
        mode=mode,
        created_by=by if getattr(by, "pk", None) else None,
    )
    buffer.seek(0)
    suffix = Path(file_name).suffix.lower()[:8]
    batch.file.save(f"{batch.checksum}{suffix}", File(buffer), save=False)
    batch.save()
    audit_record(
        action="import.submit",
        obj=batch,
        by=by,
        after={
            "file": batch.file_name,
            "checksum": batch.checksum,
            "bytes": size,
            "mapping": resolved_name,
            "mode": mode,
        },
    )
    return batch


def batch_submit(*, upload: IO[bytes], file_name: str, mapping_name: str, mode: str, by: Any = None) -> ImportBatch:
    """Create a batch, within the configured size limit, and have a worker check it once committed."""
    from workload.tasks import import_batch

    max_bytes = settings.JINGLI_IMPORT_MAX_MB * 1024 * 1024
    with transaction.atomic():
        batch = batch_create(
            upload=upload, file_name=file_name, mapping_name=mapping_name, mode=mode, by=by, max_bytes=max_bytes
        )
        import_batch.delay_on_commit(batch.pk)  # type: ignore[attr-defined]  # DjangoTask (config/celery.py)
    return batch


# --- Checking and storing ------------------------------------------------------------------------


def _claim(batch_id: int) -> ImportBatch | None:
    """Move a queued (or redelivered, still running) batch to running; None if it is already decided."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING]).update(
        status=BatchStatus.RUNNING, started_at=timezone.now(), progress=0, message=""
    )
    return ImportBatch.objects.get(pk=batch_id) if claimed else None


def _progress(batch: ImportBatch, percent: float, message: str = "") -> None:
    batch.progress = max(0, min(100, int(percent)))
    batch.message = message[:500]
    ImportBatch.objects.filter(pk=batch.pk).update(progress=batch.progress, message=batch.message)


def batch_check(batch_id: int, *, on_progress: Callable[[ImportBatch], None] | None = None) -> ImportBatch | None:
    """Check a batch end to end and, unless the planner must decide, store or reject it."""
    batch = _claim(batch_id)
    if batch is None:
        return None
    try:
        mapping = parse_mapping(batch.mapping_text, default_name=batch.mapping_name)
        with _timed(batch, "stage"):
            ids_may_repeat = _stage(batch, mapping, on_progress)
        with _timed(batch, "check"):
            _check_set_wise(batch, mapping, ids_may_repeat=ids_may_repeat)
    except (FileProblem, MappingError) as exc:
        _finish(batch, BatchStatus.REJECTED, str(exc))
        return batch
    except Exception as exc:
        log.exception("import batch %s failed", batch.pk)
        _finish(batch, BatchStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    _progress(batch, 90, _("Checked."))
    if on_progress:
        on_progress(batch)
    if batch.rows_rejected and batch.mode == BatchMode.ALL_OR_NOTHING:
        _reject(batch, _("%(n)d rows are wrong; nothing was stored.") % {"n": batch.rows_rejected})
    elif batch.rows_rejected and batch.mode == BatchMode.ASK:
        _write_rejected_file(batch, mapping)
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.AWAITING_DECISION, progress=100)
        batch.status = BatchStatus.AWAITING_DECISION
    else:
        with _timed(batch, "store"):
            _store(batch, mapping)
    return batch


@contextmanager
def _timed(batch: ImportBatch, phase: str) -> Iterator[None]:
    """Log how long each phase of a batch took (bench/import_incidents.py reads these)."""
    started = time.perf_counter()
    yield
    log.debug("import batch %s: %s took %.2f s", batch.pk, phase, time.perf_counter() - started)


def batch_decide(*, batch: ImportBatch, store_valid: bool, by: Any = None) -> ImportBatch:
    """The planner's choice for a batch awaiting decision: store the valid rows, or nothing."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.AWAITING_DECISION:
            raise ImportRefused(
                _("This batch is %(status)s; there is nothing to decide.") % {"status": locked.get_status_display()}
            )
    mapping = parse_mapping(locked.mapping_text, default_name=locked.mapping_name)
    audit_record(action="import.decide", obj=locked, by=by, after={"store_valid": store_valid})
    if store_valid:
        _store(locked, mapping)
    else:
        _reject(locked, _("Rejected by the planner; nothing was stored."), status=BatchStatus.CANCELLED)
    return locked


def batch_rollback(*, batch: ImportBatch, by: Any = None) -> int:
    """Remove the incidents a stored batch added. Returns how many were removed."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.STORED:
            raise ImportRefused(
                _("Only a stored batch can be rolled back; this one is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        _refresh_workload_on_commit(locked)  # the months are read before the rows go
        removed, _details = Incident.objects.filter(batch=locked).delete()
        locked.status = BatchStatus.ROLLED_BACK
        locked.rolled_back_at = timezone.now()
        locked.rolled_back_by = by if getattr(by, "pk", None) else None
        locked.message = _("%(n)d incidents removed.") % {"n": removed}
        locked.save(update_fields=["status", "rolled_back_at", "rolled_back_by", "message", "updated_at"])
        audit_record(action="import.rollback", obj=locked, by=by, after={"removed": removed})
    batch.refresh_from_db()
    return removed


def _stage(batch: ImportBatch, mapping: Mapping, on_progress: Callable[[ImportBatch], None] | None) -> bool:
    """Write the file's rows, transformed, to the staging table. Returns whether two valid rows may
    share an id: False when the ids' 64-bit hashes are all different, so no two ids are equal."""
    StagedIncident.objects.filter(batch_id=batch.pk).delete()  # a redelivered task starts clean
    catalogue = catalogue_build()
    path = Path(batch.file.path)
    read = blank = 0
    id_hashes: list[np.ndarray] = []
    with _staging_writer(batch.pk) as write:
        for chunk in read_chunks(path, columns=mapping.columns_used(), encoding=mapping.encoding, sheet=mapping.sheet):
            rows, skipped = transform(chunk.frame, mapping, catalogue, chunk.first_row)
            read += len(chunk.frame)
            blank += skipped
            write(rows)
            valid_ids = rows.loc[rows["error"].isna(), "external_id"].to_numpy(dtype=object)
            id_hashes.append(pd.util.hash_array(valid_ids, categorize=False))
            _progress(batch, 5 + 75 * chunk.progress, _("%(n)d rows read") % {"n": read})
            if on_progress:
                on_progress(batch)
    batch.rows_read, batch.rows_blank = read - blank, blank
    ImportBatch.objects.filter(pk=batch.pk).update(rows_read=batch.rows_read, rows_blank=blank)
    hashes = np.sort(np.concatenate(id_hashes)) if id_hashes else np.empty(0, dtype=np.uint64)
    return bool((hashes[1:] == hashes[:-1]).any())


STAGING_COLUMNS = ["batch_id", *OUTPUT_COLUMNS, "duplicate"]
# Chunks of COPY text waiting for the writer thread: one waits while one is written and the next is
# transformed, so at most three chunks are in memory at once.
COPY_QUEUE_SIZE = 1


@contextmanager
def _staging_writer(batch_id: int) -> Iterator[Callable[[pd.DataFrame], None]]:
    """A function that writes a chunk of transformed rows to the staging table.

    On PostgreSQL the COPY runs in a thread on its own connection, so the database stores chunk k
    while pandas transforms chunk k+1 (psycopg2 releases the GIL while it waits on the server). An
    error in the thread is raised in the caller at its next chunk or at the end, after the thread
    has stopped, so the caller's cleanup (_finish clears the batch's staged rows) runs last.
    Elsewhere, and inside a transaction (another connection would not share it), the chunk is
    written at once.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield lambda rows: _write_staging(batch_id, rows)
        return
    writer = _CopyThread()
    writer.start()
    try:
        yield lambda rows: writer.send(_copy_payload(batch_id, rows))
    finally:
        writer.finish()
    writer.raise_error()


class _CopyThread(threading.Thread):
    """Runs the staging COPYs it is sent, in order, on a database connection of its own."""

    def __init__(self) -> None:
        super().__init__(name="staging-copy", daemon=True)
        self.pending: queue.Queue[str | None] = queue.Queue(maxsize=COPY_QUEUE_SIZE)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while (text := self.pending.get()) is not None:
                if self.error is None:  # after a failure, only drain the queue so senders never block
                    try:
                        _copy_into_staging(connections[DEFAULT_DB_ALIAS], text)
                    except BaseException as exc:  # handed to the sending thread, raised there
                        self.error = exc
        finally:
            connections[DEFAULT_DB_ALIAS].close()  # this thread's own connection

    def send(self, text: str | None) -> None:
        self.raise_error()
        if text is not None:
            self.pending.put(text)

    def finish(self) -> None:
        self.pending.put(None)
        self.join()

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


def _write_staging(batch_id: int, rows: pd.DataFrame) -> None:
    if rows.empty:
        return
    if connection.vendor == "postgresql":
        _copy_into_staging(connection, _copy_payload(batch_id, rows))
        return
    frame = rows.assign(batch_id=batch_id, duplicate=False)[STAGING_COLUMNS]
    # SQLite: Django keeps datetimes as naive UTC text, so write them in that form.
    values = []
    for column in STAGING_COLUMNS:
        series = frame[column]
        if column in ("received_at", "arrived_at", "cleared_at"):
            text = series.dt.strftime("%Y-%m-%d %H:%M:%S")
            values.append(text.astype(object).where(series.notna(), None).tolist())
        else:
            values.append(series.astype(object).where(series.notna(), None).tolist())
    placeholders = ", ".join(["%s"] * len(STAGING_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {STAGED_TABLE} ({', '.join(STAGING_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
            list(zip(*values, strict=True)),
        )


def _copy_payload(batch_id: int, rows: pd.DataFrame) -> str | None:
    """The rows as COPY CSV text, None when there are none.

    COPY is the fastest way into PostgreSQL. The text is built column by column (numpy formats
    times in C, repeated values are formatted once): DataFrame.to_csv was the largest Python cost
    in a profile."""
    if rows.empty:
        return None
    constant = {"batch_id": str(batch_id), "duplicate": "f"}
    columns = [
        repeat(constant[column], len(rows)) if column in constant else _copy_text(rows[column])
        for column in STAGING_COLUMNS
    ]
    # The id is given rather than drawn from the identity sequence, one call per row that cost
    # PostgreSQL a fifth of the COPY (2.66-2.69 s against 2.15-2.17 per million). A row number is unique
    # within its batch and below 2**31 (the column's limit), so batch * 2**32 + row is an id no
    # other staged row has, for batch numbers below 2**31; the sequence's own ids stay far below.
    ids = (np.int64(batch_id) << 32) + rows["row"].to_numpy(dtype=np.int64)
    columns.append(list(map(str, ids.tolist())))
    return "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"


def _copy_into_staging(db: BaseDatabaseWrapper, text: str | None) -> None:
    if text is None:
        return
    with db.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {STAGED_TABLE} ({', '.join(STAGING_COLUMNS)}, id) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            io.StringIO(text),
            size=1 << 20,
        )


def _copy_text(series: pd.Series) -> Iterable[str]:
    """One column as COPY CSV fields: \\N for NULL, text quoted (so a literal \\N stays text)."""
    null = np.asarray(series.isna())
    if null.all():
        return repeat("\\N", len(series))  # e.g. the error columns of a file without errors
    kind = series.dtype.kind
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        # Naive ISO text in UTC, which the connection (time zone UTC under USE_TZ) reads as UTC.
        values = series.dt.tz_convert(None).to_numpy().astype("datetime64[s]")
        text = np.datetime_as_string(values, unit="s")
    elif kind == "b":
        text = np.where(series.to_numpy(dtype=bool, na_value=False), "t", "f")
    elif kind in "iu" and not null.any() and not isinstance(series.dtype, pd.Int64Dtype):
        return list(map(str, series.tolist()))  # row numbers: all different
    elif kind in "iuf":
        # Ids, crews and minutes take few distinct values: each is formatted once (str of a float
        # is its shortest round-trip form): per million, 0.02 s for ids and 0.06 s for minutes
        # against 0.29 and 0.33 s for numpy's astype(str) of every value.
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        texts = [str(value) for value in uniques.tolist()]
        texts.append("\\N")  # code -1, NULL
        return [texts[code] for code in codes.tolist()]
    else:
        return [
            "\\N" if missing else '"' + str(value).replace('"', '""') + '"'
            for value, missing in zip(series.tolist(), null, strict=True)
        ]
    return np.where(null, "\\N", text).tolist()


def _check_set_wise(batch: ImportBatch, mapping: Mapping, *, ids_may_repeat: bool = True) -> None:
    """Duplicates within the file and against stored incidents, found in SQL over the staged rows.

    `ids_may_repeat` False (from _stage: no two valid rows' id hashes are equal) skips looking for
    repeated ids, a GROUP BY over every staged row."""
    if connection.vendor == "postgresql":
        # The staging table holds a million rows more than its statistics knew a moment ago:
        # without a fresh look the planner expects one row and probes the incident index once per
        # staged row. Run on its own (autocommit), so its lock, which a concurrent batch's ANALYZE
        # waits for, is not held through the checks.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {STAGED_TABLE}")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem TO '64MB'")  # the counting groups fit in memory
        ranked = f"""
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (PARTITION BY external_id ORDER BY row) AS position
                FROM {STAGED_TABLE} WHERE batch_id = %s AND error IS NULL
            ) AS ranked WHERE position > 1
        """  # noqa: S608 - table names are ours
        # Most files have no repeated id: a cheap look first, the ranking only when needed.
        repeated = False
        if ids_may_repeat:
            cursor.execute(
                f"""SELECT 1 FROM {STAGED_TABLE} WHERE batch_id = %s AND error IS NULL
                    GROUP BY external_id HAVING COUNT(*) > 1 LIMIT 1""",  # noqa: S608
                [batch.pk],
            )
            repeated = cursor.fetchone() is not None
        if repeated and mapping.duplicates_in_file == "keep_first":
            cursor.execute(f"UPDATE {STAGED_TABLE} SET duplicate = TRUE WHERE id IN ({ranked})", [batch.pk])  # noqa: S608
        elif repeated:
            cursor.execute(
                f"UPDATE {STAGED_TABLE} SET error = 'duplicate_in_file', error_column = %s, "  # noqa: S608
                f"error_value = external_id WHERE id IN ({ranked})",
                [mapping.external_id[0], batch.pk],
            )
        # Rows already stored are counted now, in every mode: the planner decides on the numbers,
        # and the insert can then go without ON CONFLICT, which costs PostgreSQL more than this
        # anti-join (_insert_incidents; rows another import stores after this are caught there).
        cursor.execute(
            f"""UPDATE {STAGED_TABLE} SET duplicate = TRUE
                WHERE batch_id = %s AND error IS NULL AND NOT duplicate AND EXISTS (
                    SELECT 1 FROM {INCIDENT_TABLE} AS stored
                    WHERE stored.source = %s AND stored.external_id = {STAGED_TABLE}.external_id)""",  # noqa: S608
            [batch.pk, batch.source],
        )
        cursor.execute(
            f"""SELECT COALESCE(error, ''), duplicate, is_outlier, COUNT(*) FROM {STAGED_TABLE}
                WHERE batch_id = %s GROUP BY COALESCE(error, ''), duplicate, is_outlier""",  # noqa: S608
            [batch.pk],
        )
        outcome = cursor.fetchall()
        cursor.execute(
            f"""SELECT row, error, error_column, error_value FROM {STAGED_TABLE}
                WHERE batch_id = %s AND error IS NOT NULL ORDER BY row LIMIT %s""",  # noqa: S608
            [batch.pk, MAX_ERRORS_KEPT],
        )
        first_errors = cursor.fetchall()
    error_counts: dict[str, int] = {}
    batch.rows_valid = batch.rows_duplicate = batch.rows_outlier = 0
    for error, duplicate, outlier, count in outcome:
        if error:
            error_counts[error] = error_counts.get(error, 0) + count
        elif duplicate:
            batch.rows_duplicate += count
        else:
            batch.rows_valid += count
            batch.rows_outlier += count if outlier else 0
    batch.rows_rejected = sum(error_counts.values())
    batch.error_counts = error_counts
    batch.errors = [
        {"row": row, "column": column, "value": value, "reason": reason, "message": str(REASONS.get(reason, reason))}
        for row, reason, column, value in first_errors
    ]
    batch.save(
        update_fields=[
            "rows_valid",
            "rows_duplicate",
            "rows_outlier",
            "rows_rejected",
            "error_counts",
            "errors",
            "updated_at",
        ]
    )


def _store(batch: ImportBatch, mapping: Mapping) -> None:
    if batch.rows_rejected:
        _write_rejected_file(batch, mapping)
    now = timezone.now()
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in {BatchStatus.RUNNING, BatchStatus.AWAITING_DECISION}:
            return  # decided meanwhile by another worker or planner
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The batch row changes in this same transaction, so a crash right after commit loses
                # both together and the redelivered task redoes the batch: no need to wait for the disk.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            started = time.perf_counter()
            stored = _insert_incidents(cursor, batch=batch, now=now)
            log.debug("import batch %s: insert took %.2f s", batch.pk, time.perf_counter() - started)
        with _timed(batch, "months"):
            _refresh_workload_on_commit(batch)
        # Rows another import stored between the check and now were skipped by ON CONFLICT.
        raced = batch.rows_valid - stored
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.STORED,
            rows_stored=stored,
            rows_valid=stored,
            rows_duplicate=F("rows_duplicate") + raced,
            progress=100,
            finished_at=now,
            message=_("%(n)d incidents stored.") % {"n": stored},
        )
        audit_record(
            action="import.store",
            obj=locked,
            by=locked.created_by,
            after={"stored": stored, "rejected": batch.rows_rejected, "duplicates": batch.rows_duplicate + raced},
        )
    batch.refresh_from_db()
    _clear_staging(batch.pk)


def _insert_incidents(cursor: Any, *, batch: ImportBatch, now: dt.datetime) -> int:
    """Copy the batch's valid staged rows into the incident table; returns how many it stored."""
    insert = f"""INSERT INTO {INCIDENT_TABLE} (created_at, updated_at, source, external_id, station_id,
            community_id, category_id, received_at, arrived_at, cleared_at, handling_minutes,
            people_involved, is_outlier, batch_id)
        SELECT %s, %s, %s, external_id, station_id, community_id, category_id, received_at,
            arrived_at, cleared_at, handling_minutes, people_involved, is_outlier, batch_id
        FROM {STAGED_TABLE}
        WHERE batch_id = %s AND error IS NULL AND NOT duplicate"""  # noqa: S608 - table names are ours
    params = [now, now, batch.source, batch.pk]
    if connection.vendor == "postgresql":
        # The check marked the rows already stored, so a plain INSERT suffices: it costs PostgreSQL
        # a fifth to a quarter less than ON CONFLICT DO NOTHING (docs/benchmarks.md). Another import may
        # have stored some of the same ids since the check: then the insert fails on the unique key,
        # the savepoint takes it back, and ON CONFLICT skips those rows (_store counts them).
        try:
            with transaction.atomic():
                cursor.execute(insert, params)
                return int(cursor.rowcount)
        except IntegrityError as exc:
            if not _is_unique_violation(exc, INCIDENT_UNIQUE_KEY):
                raise
            log.info("import batch %s: ids stored meanwhile by another import; skipping them", batch.pk)
    # SQLite lets one writer at a time in: nothing to gain from the plain insert there.
    cursor.execute(insert + " ON CONFLICT DO NOTHING", params)
    return int(cursor.rowcount)


def _is_unique_violation(exc: IntegrityError, constraint: str) -> bool:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    return getattr(cause, "pgcode", None) == "23505" and getattr(diag, "constraint_name", None) == constraint


def _refresh_workload_on_commit(batch: ImportBatch) -> None:
    from workload.aggregate import station_months_of_batch
    from workload.tasks import refresh_cells

    pairs = [(station, month.isoformat()) for station, month in station_months_of_batch(batch)]
    if pairs:
        refresh_cells.delay_on_commit(pairs)  # type: ignore[attr-defined]  # DjangoTask (config/celery.py)


def _reject(batch: ImportBatch, message: str, status: str = BatchStatus.REJECTED) -> None:
    parsed = parse_mapping(batch.mapping_text, default_name=batch.mapping_name)
    if batch.rows_rejected and not batch.rejected_file:
        _write_rejected_file(batch, parsed)
    _finish(batch, status, message)


def _finish(batch: ImportBatch, status: str, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status, progress=100, finished_at=timezone.now(), message=message[:500]
    )
    batch.refresh_from_db()
    _clear_staging(batch.pk)


def _clear_staging(batch_id: int) -> None:
    StagedIncident.objects.filter(batch_id=batch_id).delete()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    # Every batch stages up to millions of rows and deletes them: the dead rows would be scanned by
    # every later batch until a vacuum. When the table holds no row of any batch, empty it outright.
    # A batch in the middle of writing holds a lock (NOWAIT then leaves the table to the vacuum);
    # a batch with rows staged keeps them, since the table is then not empty.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {STAGED_TABLE} IN ACCESS EXCLUSIVE MODE NOWAIT")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {STAGED_TABLE})")  # noqa: S608 - our table
            (staged,) = cursor.fetchone() or (True,)
            if not staged:
                cursor.execute(f"TRUNCATE {STAGED_TABLE}")
    except OperationalError:
        pass  # another batch is at work on the table


def _write_rejected_file(batch: ImportBatch, mapping: Mapping) -> None:
    """The rejected rows as they were in the file, with the row number and the reason in front."""
    reasons = {
        row: (str(REASONS.get(error or "", error)), column or "", value or "")
        for row, error, column, value in StagedIncident.objects.filter(
            batch_id=batch.pk, error__isnull=False
        ).values_list("row", "error", "error_column", "error_value")
    }
    if not reasons:
        return
    output = io.StringIO()
    writer = csv.writer(output)
    header_written = False
    for chunk in read_chunks(Path(batch.file.path), columns=None, encoding=mapping.encoding, sheet=mapping.sheet):
        if not header_written:
            writer.writerow(
                [cell_safe(c) for c in [_("row"), _("reason"), _("column"), _("value"), *chunk.frame.columns]]
            )
            header_written = True
        numbers = range(chunk.first_row, chunk.first_row + len(chunk.frame))
        for number, values in zip(numbers, chunk.frame.itertuples(index=False, name=None), strict=True):
            if number in reasons:
                # The rejected cells are the importer's file, verbatim: a formula in it must stay text.
                writer.writerow([number, *(cell_safe(v) for v in (*reasons[number], *values))])
    content = ContentFile(("\ufeff" + output.getvalue()).encode("utf-8"))  # BOM: Excel opens it as UTF-8
    batch.rejected_file.save(f"batch-{batch.pk}-rejected.csv", content, save=False)
    ImportBatch.objects.filter(pk=batch.pk).update(rejected_file=batch.rejected_file.name)


def batches_fail_stale(*, older_than: dt.timedelta) -> int:
    """Mark failed the batches still `running` long after any worker could still be on them, and drop
    their staged rows. Incidents are only ever stored in one transaction, so none of a lost batch's are."""
    cutoff = timezone.now() - older_than
    stale = list(
        ImportBatch.objects.filter(status=BatchStatus.RUNNING, started_at__lt=cutoff).values_list("pk", flat=True)
    )
    failed = 0
    for batch_id in stale:
        with transaction.atomic():
            changed = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.RUNNING, started_at__lt=cutoff).update(
                status=BatchStatus.FAILED,
                finished_at=timezone.now(),
                progress=100,
                message=_("The worker checking this file was lost; nothing was stored. Import the file again."),
            )
            if changed:
                _clear_staging(batch_id)
                batch = ImportBatch.objects.get(pk=batch_id)
                audit_record(action="import.fail_stale", obj=batch, outcome="failure", detail=batch.message)
                failed += 1
    # A worker lost between storing a batch and emptying its staging leaves scratch rows of a decided
    # batch behind (nothing would ever read them); drop them too.
    leftover = set(StagedIncident.objects.values_list("batch_id", flat=True).distinct())
    decided = ImportBatch.objects.filter(pk__in=leftover).exclude(
        status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.AWAITING_DECISION]
    )
    for batch_id in decided.values_list("pk", flat=True):
        _clear_staging(batch_id)
    return failed


def batch_summary(batch: ImportBatch) -> dict[str, Any]:
    """What the command's --json and the API return about a batch."""
    return {
        "batch": batch.pk,
        "file": batch.file_name,
        "checksum": batch.checksum,
        "mapping": batch.mapping_name,
        "source": batch.source,
        "mode": batch.mode,
        "status": batch.status,
        "message": batch.message,
        "rows_read": batch.rows_read,
        "stored": batch.rows_stored,
        "duplicates": batch.rows_duplicate,
        "rejected": batch.rows_rejected,
        "outliers": batch.rows_outlier,
        "blank": batch.rows_blank,
        "errors_by_reason": batch.error_counts,
        "errors": batch.errors,
    }


def mapping_validate(text: str) -> None:
    """For forms: raise ValidationError listing every problem of a mapping text."""
    try:
        parse_mapping(text)
    except MappingError as exc:
        raise ValidationError(exc.problems) from None
