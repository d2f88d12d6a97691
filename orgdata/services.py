"""Organisation imports and exports: one path for the command, the upload page, the API and the demo.

    orgbatch_check          store the file and its checksum, check it, record the differences (a dry run)
    orgbatch_store          store what a checked batch would change, in one transaction
    orgbatch_confirm_missing  mark the people a full export no longer lists as left, when the planner says so
    org_import              check, then store unless it is a dry run or the file is refused
    org_export              write the county back in the same layouts (CSV files or one workbook)

Every change a batch makes is kept on the batch (what was added, what changed rows were before) and in
the audit trail; a person who moved gets a new assignment through personnel.services.assignment_start
with the batch's effective date, so the history is appended to, never rewritten.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from orgdata.files import read_sheets, write_csv, write_xlsx
from orgdata.layouts import KINDS
from orgdata.mapping import SHIPPED_DIR, MappingError, OrgMapping, load_org_mapping_file, parse_org_mapping
from orgdata.models import OrgBatch, OrgBatchMode, OrgBatchStatus
from orgdata.models import OrgMapping as SavedMapping
from orgdata.plan import Key, Options, Plan, Record, plan_import, standard_unit_kinds
from orgdata.selectors import org_snapshot
from personnel.models import Assignment, Leave, Person, PersonStatus, Qualification
from personnel.services import assignment_start
from stations.models import Community, County, PoliceArea, Station, Unit, UnitKind
from workload.importer import named_mapping_resolve
from workload.reader import FileProblem

MAX_ERRORS_KEPT = 1_000
MAX_DIFFERENCES_SHOWN = 2_000


class OrgImportRefused(Exception):
    """The request cannot go on: unknown mapping, wrong state, the county changed since the preview."""


# --- Mappings ------------------------------------------------------------------------------------


def org_mapping_resolve(name_or_path: str) -> tuple[str, OrgMapping]:
    """An org mapping by file path, saved name or shipped name, as incident mappings resolve."""
    return named_mapping_resolve(
        name_or_path,
        saved=SavedMapping.objects.all(),
        shipped_dir=SHIPPED_DIR,
        load_file=load_org_mapping_file,
        parse=parse_org_mapping,
        what="org mapping",
    )


def org_mapping_validate(text: str) -> None:
    """For the admin form: raise ValidationError listing every problem of a mapping text."""
    try:
        parse_org_mapping(text)
    except MappingError as exc:
        raise ValidationError(exc.problems) from None


# --- Checking ------------------------------------------------------------------------------------


def _read_upload(upload: IO[bytes] | Path, max_bytes: int | None) -> tuple[bytes, str]:
    """The bytes to keep and their suffix; a directory of CSV files is kept as one ZIP archive."""
    if isinstance(upload, Path) and upload.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in sorted(upload.iterdir()):
                if member.is_file() and member.suffix.lower() in (".csv", ".txt", ".xlsx"):
                    archive.write(member, member.name)
        return buffer.getvalue(), ".zip"
    if isinstance(upload, Path):
        return upload.read_bytes(), upload.suffix.lower()
    chunks, size = [], 0
    while block := upload.read(1 << 20):
        size += len(block)
        if max_bytes is not None and size > max_bytes:
            raise OrgImportRefused(
                _("The file is larger than the limit of %(mb)d MB.") % {"mb": max_bytes // (1 << 20)}
            )
        chunks.append(block)
    return b"".join(chunks), ""


def _plan(batch: OrgBatch, mapping: OrgMapping, as_of: dt.date) -> Plan:
    options = Options(
        as_of=as_of,
        effective_date=batch.effective_date,
        full=batch.full_export,
        update_existing=batch.update_existing,
    )
    sheets = read_sheets(Path(batch.file.path), mapping, name=batch.file_name)
    return plan_import(sheets, mapping, org_snapshot(), options)


def _fingerprint(differences: dict[str, Any], counts: dict[str, Any]) -> str:
    text = json.dumps({"d": differences, "c": counts}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _limited(differences: dict[str, Any]) -> dict[str, Any]:
    """Differences as kept on the batch: every missing person, the other lists up to a bound each."""
    kept: dict[str, Any] = {}
    for kind, value in differences.items():
        if kind == "missing":
            kept[kind] = value
        else:
            kept[kind] = {part: items[:MAX_DIFFERENCES_SHOWN] for part, items in value.items()}
    return kept


def orgbatch_check(
    *,
    upload: IO[bytes] | Path,
    file_name: str,
    mapping_name: str = "jingli",
    mode: str = OrgBatchMode.ALL_OR_NOTHING,
    update_existing: bool = True,
    full_export: bool = False,
    effective_date: dt.date | None = None,
    as_of: dt.date | None = None,
    by: Any = None,
    max_bytes: int | None = None,
    store: bool = False,
) -> OrgBatch:
    """Keep the file, check it against the stored county and record what storing it would change.

    Nothing of the county is written (the dry run, the preview the planner confirms) unless `store`:
    then a file that passes is stored at once from the same check.
    """
    if mode not in OrgBatchMode.values:
        raise OrgImportRefused(_("Unknown mode %(mode)s.") % {"mode": mode})
    resolved_name, mapping = org_mapping_resolve(mapping_name)
    content, suffix = _read_upload(upload, max_bytes)
    if not content:
        raise OrgImportRefused(_("The file is empty."))
    today = timezone.localdate()
    batch = OrgBatch(
        file_name=Path(file_name).name[:255],
        checksum=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        mapping_name=resolved_name,
        mapping_text=mapping.text,
        mode=mode,
        update_existing=update_existing,
        full_export=full_export,
        effective_date=effective_date or today,
        status=OrgBatchStatus.CHECKED,
        created_by=by if getattr(by, "pk", None) else None,
    )
    suffix = suffix or Path(file_name).suffix.lower()[:8]
    batch.file.save(f"{batch.checksum}{suffix}", ContentFile(content), save=False)
    try:
        plan = _plan(batch, mapping, as_of or today)
    except FileProblem as exc:
        batch.status = OrgBatchStatus.REJECTED
        batch.message = str(exc)[:500]
        batch.save()
        audit_record(action="org.import.check", obj=batch, by=by, after=_summary_for_audit(batch), outcome="failure")
        return batch
    _record_plan(batch, plan)
    stored_valid = mode == OrgBatchMode.VALID_ROWS and _has_changes(plan)
    if plan.has_errors and not stored_valid:
        batch.status = OrgBatchStatus.REJECTED
        batch.message = _("%(n)d errors; nothing will be stored.") % {"n": len(plan.errors)}
    elif plan.has_errors:
        batch.message = _("%(n)d errors; the valid rows can be stored.") % {"n": len(plan.errors)}
    else:
        batch.message = _("Checked: no errors.")
    batch.save()
    if plan.errors:
        _write_error_file(batch, plan)
    audit_record(action="org.import.check", obj=batch, by=by, after=_summary_for_audit(batch))
    if store and batch.status == OrgBatchStatus.CHECKED:
        with transaction.atomic():
            locked = OrgBatch.objects.select_for_update().get(pk=batch.pk)
            _store_plan(locked, plan, by)
        batch.refresh_from_db()
    return batch


def _has_changes(plan: Plan) -> bool:
    return any(k.added or k.changed for k in plan.kinds.values())


def _record_plan(batch: OrgBatch, plan: Plan) -> None:
    differences = plan.differences()
    batch.counts = plan.counts()
    batch.differences = _limited(differences)
    batch.fingerprint = _fingerprint(differences, batch.counts)
    batch.errors = [e.as_dict() for e in plan.errors[:MAX_ERRORS_KEPT]]
    batch.error_count = len(plan.errors)


def _summary_for_audit(batch: OrgBatch) -> dict[str, Any]:
    return {
        "file": batch.file_name,
        "checksum": batch.checksum,
        "mapping": batch.mapping_name,
        "mode": batch.mode,
        "status": batch.status,
        "effective_date": batch.effective_date,
        "counts": batch.counts,
        "errors": batch.error_count,
        "message": batch.message,
    }


def _write_error_file(batch: OrgBatch, plan: Plan) -> None:
    """Every error, one line each, with the reason in words: what a planner fixes the file from."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([_("file"), _("sheet"), _("row"), _("column"), _("value"), _("reason"), _("reason code")])
    for error in plan.errors:
        value = "'" + error.value if error.value.startswith(("=", "+", "-", "@")) else error.value
        writer.writerow([error.file, error.sheet, error.row, error.column, value, error.message, error.reason])
    content = ContentFile(("\ufeff" + output.getvalue()).encode("utf-8"))  # BOM: Excel opens it as UTF-8
    batch.rejected_file.save(f"org-batch-{batch.pk}-errors.csv", content, save=True)


# --- Storing -------------------------------------------------------------------------------------


def orgbatch_store(*, batch: OrgBatch, by: Any = None, as_of: dt.date | None = None) -> OrgBatch:
    """Store what a checked batch changes, all of it in one transaction.

    The file is checked again against the county as it is now; if that gives other differences than
    the preview the planner saw, nothing is stored and the batch shows the new ones.
    """
    mapping = parse_org_mapping(batch.mapping_text, default_name=batch.mapping_name)
    with transaction.atomic():
        locked = OrgBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != OrgBatchStatus.CHECKED:
            raise OrgImportRefused(
                _("This import is %(status)s; only a checked import can be stored.")
                % {"status": locked.get_status_display()}
            )
        plan = _plan(locked, mapping, as_of or timezone.localdate())
        fingerprint = _fingerprint(plan.differences(), plan.counts())
        if fingerprint != locked.fingerprint:
            _record_plan(locked, plan)
            locked.message = _("The county changed since this preview; review the new differences.")[:500]
            locked.save()
            refused = True
        else:
            refused = False
            _store_plan(locked, plan, by)
    if refused:
        raise OrgImportRefused(locked.message)
    batch.refresh_from_db()
    return batch


def _store_plan(locked: OrgBatch, plan: Plan, by: Any) -> None:
    """Write a checked plan and record it on the (locked) batch, in the caller's transaction."""
    applied = _Applier(plan, locked, by).run()
    locked.applied = applied
    locked.status = OrgBatchStatus.STORED
    locked.stored_at = timezone.now()
    locked.stored_by = by if getattr(by, "pk", None) else None
    locked.message = _("Stored: %(summary)s.") % {"summary": _applied_summary(applied)}
    locked.save()
    audit_record(
        action="org.import.store", obj=locked, by=by, after={**_summary_for_audit(locked), "stored": applied["counts"]}
    )


def _applied_summary(applied: dict[str, Any]) -> str:
    parts = [
        f"{kind} +{c['added']} ~{c['changed']}" for kind, c in applied["counts"].items() if c["added"] or c["changed"]
    ]
    parts.append(f"moves {applied['counts_moves']}")
    return ", ".join(parts)


class _Applier:
    """Writes one plan: set-wise inserts for new rows, a save per changed row (they are few)."""

    def __init__(self, plan: Plan, batch: OrgBatch, by: Any) -> None:
        self.plan = plan
        self.batch = batch
        self.by = by if getattr(by, "pk", None) else None
        self.update = batch.update_existing
        self.applied: dict[str, Any] = {"added": {}, "changed": {}, "moves": [], "left": [], "counts": {}}

    def changed(self, kind: str) -> dict[Key, dict[str, tuple[Any, Any]]]:
        return self.plan.kinds[kind].changed if self.update else {}

    def note(self, kind: str, added: list[Key], changed: dict[Key, dict[str, tuple[Any, Any]]]) -> None:
        self.applied["added"][kind] = [list(k) for k in added]
        self.applied["changed"][kind] = [
            {"key": list(k), "fields": {f: [old, new] for f, (old, new) in c.items()}} for k, c in changed.items()
        ]
        self.applied["counts"][kind] = {"added": len(added), "changed": len(changed)}

    def run(self) -> dict[str, Any]:
        self.counties()
        self.stations()
        self.units()
        self.communities()
        self.people()
        self.leaves()
        self.applied["counts_moves"] = len(self.applied["moves"])
        return json.loads(json.dumps(self.applied, default=str))

    def counties(self) -> None:
        County.objects.bulk_create([County(code=c, name=n) for c, n in self.plan.new_counties.items()])
        self.applied["added"]["counties"] = sorted(self.plan.new_counties)

    def stations(self) -> None:
        plan = self.plan.kinds["stations"]
        county_ids = dict(
            County.objects.filter(code__in={r["county"] for r in plan.rows.values()}).values_list("code", "id")
        )
        fields = [
            "name",
            "name_en",
            "kind",
            "address",
            "latitude",
            "longitude",
            "establishment_quota",
            "auxiliary_quota",
        ]
        Station.objects.bulk_create(
            [
                Station(county_id=county_ids[plan.rows[k]["county"]], code=k[0], **{f: plan.rows[k][f] for f in fields})
                for k in plan.added
            ]
        )
        changed = self.changed("stations")
        for key, changes in changed.items():
            station = Station.objects.get(code=key[0])
            for name in changes:
                setattr(station, name, plan.rows[key][name])
            station.save(update_fields=[*changes, "updated_at"])
        self.note("stations", plan.added, changed)

    def units(self) -> None:
        plan = self.plan.kinds["units"]
        stations = self.plan.kinds["stations"]
        station_ids = dict(Station.objects.filter(code__in=[k[0] for k in stations.added]).values_list("code", "id"))
        in_file = set(plan.rows)
        standard = [
            Unit(station_id=station_ids[code], kind=kind, name=str(UnitKind(kind).label))
            for (code,) in stations.added
            for kind in standard_unit_kinds(stations.rows[(code,)]["kind"])
            if (code, kind) not in in_file
        ]
        codes = {k[0] for k in plan.rows}
        station_ids.update(Station.objects.filter(code__in=codes).values_list("code", "id"))
        Unit.objects.bulk_create(
            [*standard, *(Unit(station_id=station_ids[k[0]], kind=k[1], name=plan.rows[k]["name"]) for k in plan.added)]
        )
        changed = self.changed("units")
        for (station, kind), _changes in changed.items():
            Unit.objects.filter(station__code=station, kind=kind).update(
                name=plan.rows[(station, kind)]["name"], updated_at=timezone.now()
            )
        self.note("units", plan.added, changed)

    def communities(self) -> None:
        plan = self.plan.kinds["communities"]
        changed = self.changed("communities")
        touched = [*plan.added, *changed]
        codes = {plan.rows[k]["station"] for k in touched}
        station_ids = dict(Station.objects.filter(code__in=codes).values_list("code", "id"))
        areas = {
            (s, c): (pk, name)
            for s, c, pk, name in PoliceArea.objects.filter(station__code__in=codes).values_list(
                "station__code", "code", "id", "name"
            )
        }
        wanted: dict[tuple[str, str], str] = {}
        for key in touched:
            row = plan.rows[key]
            if row.get("police_area"):
                area = (row["station"], row["police_area"])
                wanted[area] = (
                    row.get("police_area_name") or wanted.get(area) or areas.get(area, ("", row["police_area"]))[1]
                )
        new_areas = [(s, c) for (s, c) in wanted if (s, c) not in areas]
        PoliceArea.objects.bulk_create(
            [PoliceArea(station_id=station_ids[s], code=c, name=wanted[(s, c)]) for (s, c) in new_areas]
        )
        self.applied["police_areas_added"] = [list(a) for a in new_areas]
        for (s, c), name in wanted.items():
            if (s, c) in areas and areas[(s, c)][1] != name and self.update:
                PoliceArea.objects.filter(pk=areas[(s, c)][0]).update(name=name, updated_at=timezone.now())
        area_ids = {
            (s, c): pk
            for s, c, pk in PoliceArea.objects.filter(station__code__in=codes).values_list(
                "station__code", "code", "id"
            )
        }

        def values(row: Record) -> dict[str, Any]:
            return {
                "station_id": station_ids[row["station"]],
                "police_area_id": area_ids.get((row["station"], row.get("police_area") or "")),
                "name": row["name"],
                "kind": row["kind"],
                "resident_population": row["resident_population"],
                "households": row["households"],
                "area_km2": row["area_km2"],
            }

        Community.objects.bulk_create([Community(code=k[0], **values(plan.rows[k])) for k in plan.added])
        for key in changed:
            Community.objects.filter(code=key[0]).update(**values(plan.rows[key]), updated_at=timezone.now())
        self.note("communities", plan.added, changed)

    def people(self) -> None:
        plan = self.plan.kinds["people"]
        history = self.plan.kinds["history"]
        direct = [
            "name", "kind", "sex", "birth_date", "rank", "post", "law_enforcement_level", "status", "seconded_to",
            "hire_date", "post_since", "movable",
        ]  # fmt: skip
        Person.objects.bulk_create(
            [
                Person(
                    number=k[0], is_investigator=plan.rows[k]["investigator"], **{f: plan.rows[k][f] for f in direct}
                )
                for k in plan.added
            ],
            batch_size=2_000,
        )
        stations_used = {r["station"] for r in plan.rows.values() if r.get("station")}
        stations_used |= {r["station"] for r in history.rows.values()}
        unit_ids = {
            (s, k): pk
            for s, k, pk in Unit.objects.filter(station__code__in=stations_used).values_list(
                "station__code", "kind", "id"
            )
        }
        numbers = [k[0] for k in plan.added]
        person_ids = dict(Person.objects.filter(number__in=numbers).values_list("number", "id"))
        self._qualifications(person_ids, {k[0]: plan.rows[k]["qualifications"] for k in plan.added}, replace=False)
        assignments = [
            Assignment(
                person_id=person_ids[row["number"]],
                unit_id=unit_ids[(row["station"], row["unit"])],
                start_date=row["start_date"],
                end_date=row["end_date"],
                reason=row.get("reason") or "",
                source=Assignment.Source.INITIAL,
                created_by=self.by,
            )
            for row in history.rows.values()
        ]
        for key in plan.added:
            row = plan.rows[key]
            if row.get("station"):
                assignments.append(
                    Assignment(
                        person_id=person_ids[key[0]],
                        unit_id=unit_ids[(row["station"], row["unit"])],
                        start_date=row.get("assigned_since") or row["hire_date"],
                        source=Assignment.Source.INITIAL,
                        created_by=self.by,
                    )
                )
        Assignment.objects.bulk_create(assignments, batch_size=2_000)
        self.applied["counts"]["history"] = {"added": len(history.rows), "changed": 0}
        self.applied["assignments_created"] = len(assignments)
        changed = self.changed("people")
        self._update_people(plan.rows, changed, direct, unit_ids)
        self.note("people", plan.added, changed)

    def _qualifications(self, person_ids: dict[str, int], codes: dict[str, tuple[str, ...]], *, replace: bool) -> None:
        from personnel.models import Qualification

        through = Person.qualifications.through
        qualification_ids = dict(Qualification.objects.values_list("code", "id"))
        if replace:
            through.objects.filter(person_id__in=[person_ids[n] for n in codes]).delete()
        through.objects.bulk_create(
            [
                through(person_id=person_ids[n], qualification_id=qualification_ids[q])
                for n, qs in codes.items()
                for q in qs
            ],
            batch_size=5_000,
        )

    def _update_people(
        self,
        rows: dict[Key, Record],
        changed: dict[Key, dict[str, tuple[Any, Any]]],
        direct: list[str],
        unit_ids: dict[tuple[str, str], int],
    ) -> None:
        if not changed:
            return
        people = {p.number: p for p in Person.objects.filter(number__in=[k[0] for k in changed])}
        reason = _("Organisation import %(file)s") % {"file": self.batch.file_name}
        new_qualifications: dict[str, tuple[str, ...]] = {}
        for key, changes in changed.items():
            row, person = rows[key], people[key[0]]
            fields = [f for f in changes if f in direct]
            for name in fields:
                setattr(person, name, row[name])
            if "investigator" in changes:
                person.is_investigator = row["investigator"]
                fields.append("is_investigator")
            if fields:
                person.save(update_fields=[*fields, "updated_at"])
            if "qualifications" in changes:
                new_qualifications[key[0]] = row["qualifications"]
            if "station" in changes or "unit" in changes:
                if row.get("station"):
                    unit = Unit.objects.select_related("station").get(pk=unit_ids[(row["station"], row["unit"])])
                    assignment_start(
                        person=person,
                        unit=unit,
                        start_date=self.batch.effective_date,
                        source=Assignment.Source.IMPORT,
                        reason=reason[:200],
                        by=self.by,
                    )
                    self.applied["moves"].append(
                        {"number": key[0], "from": [changes.get("station", (row["station"],))[0],
                                                    changes.get("unit", (row["unit"],))[0]],
                         "to": [row["station"], row["unit"]]}
                    )  # fmt: skip
                else:
                    _close_placement(person, self.batch.effective_date)
                    self.applied["left"].append(key[0])
        if new_qualifications:
            self._qualifications({n: people[n].pk for n in new_qualifications}, new_qualifications, replace=True)

    def leaves(self) -> None:
        plan = self.plan.kinds["leaves"]
        numbers = {k[0] for k in plan.rows}
        person_ids = dict(Person.objects.filter(number__in=numbers).values_list("number", "id"))
        Leave.objects.bulk_create(
            [
                Leave(
                    person_id=person_ids[k[0]],
                    kind=k[1],
                    start_date=k[2],
                    end_date=plan.rows[k]["end_date"],
                    status=plan.rows[k]["status"],
                    reason=plan.rows[k]["reason"],
                )
                for k in plan.added
            ],
            batch_size=2_000,
        )
        changed = self.changed("leaves")
        for key in changed:
            row = plan.rows[key]
            Leave.objects.filter(person_id=person_ids[key[0]], kind=key[1], start_date=key[2]).update(
                end_date=row["end_date"], status=row["status"], reason=row["reason"], updated_at=timezone.now()
            )
        self.note("leaves", plan.added, changed)


def _close_placement(person: Person, day: dt.date) -> None:
    """End the assignment in force on `day` (exclusive end), if it started before."""
    Assignment.objects.filter(person=person, end_date__isnull=True, start_date__lt=day).update(end_date=day)


# --- Confirming departures -----------------------------------------------------------------------


@transaction.atomic
def orgbatch_confirm_missing(*, batch: OrgBatch, by: Any = None, numbers: list[str] | None = None) -> int:
    """Mark the people a stored full export did not list as left, from the batch's effective date.

    Only the people the batch reported as missing; `numbers` narrows them further. Returns how many.
    """
    locked = OrgBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != OrgBatchStatus.STORED or not locked.full_export:
        raise OrgImportRefused(_("Departures are confirmed on a stored full export only."))
    if locked.missing_confirmed_at is not None:
        raise OrgImportRefused(_("The departures of this import were already confirmed."))
    reported = [m["key"] for m in locked.missing_people]
    wanted = reported if numbers is None else [n for n in reported if n in set(numbers)]
    people = list(Person.objects.select_for_update().filter(number__in=wanted).exclude(status=PersonStatus.LEFT))
    before = {p.number: p.status for p in people}
    for person in people:
        person.status = PersonStatus.LEFT
        person.seconded_to = ""
        person.save(update_fields=["status", "seconded_to", "updated_at"])
        _close_placement(person, locked.effective_date)
    locked.missing_confirmed_at = timezone.now()
    locked.missing_confirmed_by = by if getattr(by, "pk", None) else None
    locked.save(update_fields=["missing_confirmed_at", "missing_confirmed_by", "updated_at"])
    audit_record(
        action="org.import.confirm_missing",
        obj=locked,
        by=by,
        before=before,
        after={"left": sorted(before), "effective_date": locked.effective_date},
    )
    batch.refresh_from_db()
    return len(people)


# --- Undoing --------------------------------------------------------------------------------------


def _key(raw: list[Any]) -> Key:
    return tuple(raw)


def _stale(batch: OrgBatch, snapshot: Any) -> list[str]:
    """What changed since the batch was stored, among the rows it wrote (nothing: it can be undone)."""
    applied, problems = batch.applied, []
    for kind, keys in applied["added"].items():
        if kind in ("counties", "history"):
            continue
        problems += [f"{kind} {'/'.join(map(str, k))}" for k in keys if _typed_key(kind, k) not in snapshot.of(kind)]
    for kind, rows in applied["changed"].items():
        stored = snapshot.of(kind)
        for change in rows:
            row = stored.get(_typed_key(kind, change["key"]), {})
            if any(_text(row.get(f)) != _text(new) for f, (_old, new) in change["fields"].items()):
                problems.append(f"{kind} {'/'.join(map(str, change['key']))}")
    for move in applied["moves"]:
        person = snapshot.people.get((move["number"],), {})
        if [person.get("station"), person.get("unit")] != move["to"] or person.get(
            "assigned_since"
        ) != batch.effective_date:
            problems.append(f"people {move['number']}")
    return sorted(set(problems))


def _typed_key(kind: str, raw: list[Any]) -> Key:
    # Leave keys hold a date, stored in the batch as text.
    if kind == "leaves":
        return (raw[0], raw[1], dt.date.fromisoformat(str(raw[2])))
    return _key(raw)


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ";".join(map(str, value))
    return "" if value is None else str(value)


@transaction.atomic
def orgbatch_rollback(*, batch: OrgBatch, by: Any = None) -> OrgBatch:
    """Undo a stored batch: remove what it added, put back what it changed, reverse its moves.

    Refused when anything it wrote has changed since (a later import, an edit, an approved move), or
    when the departures it reported were confirmed: undoing then would lose someone else's change.
    """
    locked = OrgBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != OrgBatchStatus.STORED:
        raise OrgImportRefused(
            _("Only a stored import can be rolled back; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    if locked.missing_confirmed_at is not None:
        raise OrgImportRefused(_("The departures of this import were confirmed; it can no longer be rolled back."))
    stale = _stale(locked, org_snapshot())
    if stale:
        raise OrgImportRefused(
            _("Changed since this import, so it cannot be rolled back: %(rows)s.") % {"rows": ", ".join(stale[:10])}
        )
    applied, day = locked.applied, locked.effective_date
    for number, kind, start in applied["added"].get("leaves", []):
        Leave.objects.filter(person__number=number, kind=kind, start_date=start).delete()
    for change in applied["changed"].get("leaves", []):
        number, kind, start = change["key"]
        Leave.objects.filter(person__number=number, kind=kind, start_date=start).update(
            **{f: old for f, (old, _new) in change["fields"].items()}
        )
    for move in applied["moves"]:
        Assignment.objects.filter(
            person__number=move["number"], start_date=day, source=Assignment.Source.IMPORT
        ).delete()
    for number in [m["number"] for m in applied["moves"]] + applied.get("left", []):
        Assignment.objects.filter(person__number=number, end_date=day).update(end_date=None)
    for change in applied["changed"].get("people", []):
        person = Person.objects.get(number=change["key"][0])
        fields = {f: old for f, (old, _new) in change["fields"].items() if f not in ("station", "unit")}
        if "qualifications" in fields:
            codes = list(fields.pop("qualifications") or [])
            person.qualifications.set(Qualification.objects.filter(code__in=codes))
        if "investigator" in fields:
            fields["is_investigator"] = fields.pop("investigator")
        for name, value in fields.items():
            setattr(person, name, value)
        if fields:
            person.full_clean(exclude=["qualifications"], validate_unique=False, validate_constraints=False)
            person.save(update_fields=[*fields, "updated_at"])
    Person.objects.filter(number__in=[k[0] for k in applied["added"].get("people", [])]).delete()
    Community.objects.filter(code__in=[k[0] for k in applied["added"].get("communities", [])]).delete()
    for change in applied["changed"].get("communities", []):
        community = Community.objects.select_related("station").get(code=change["key"][0])
        old = {f: o for f, (o, _new) in change["fields"].items()}
        station = Station.objects.get(code=old.pop("station")) if "station" in old else community.station
        if "police_area" in old:
            community.police_area = PoliceArea.objects.filter(station=station, code=old.pop("police_area")).first()
        community.station = station
        for name, value in old.items():
            setattr(community, name, value)
        community.full_clean(validate_unique=False, validate_constraints=False)
        community.save()
    for station_code, area_code in applied.get("police_areas_added", []):
        PoliceArea.objects.filter(station__code=station_code, code=area_code, communities__isnull=True).delete()
    for station_code, unit_kind in applied["added"].get("units", []):
        Unit.objects.filter(station__code=station_code, kind=unit_kind, assignments__isnull=True).delete()
    for change in applied["changed"].get("units", []):
        station_code, unit_kind = change["key"]
        Unit.objects.filter(station__code=station_code, kind=unit_kind).update(name=change["fields"]["name"][0])
    Station.objects.filter(code__in=[k[0] for k in applied["added"].get("stations", [])]).delete()
    for change in applied["changed"].get("stations", []):
        station = Station.objects.get(code=change["key"][0])
        for name, (old, _new) in change["fields"].items():
            setattr(station, name, old)
        station.full_clean(validate_unique=False, validate_constraints=False)
        station.save()
    County.objects.filter(code__in=applied["added"].get("counties", []), stations__isnull=True).delete()
    locked.status = OrgBatchStatus.ROLLED_BACK
    locked.rolled_back_at = timezone.now()
    locked.rolled_back_by = by if getattr(by, "pk", None) else None
    locked.message = _("Rolled back.")
    locked.save(update_fields=["status", "rolled_back_at", "rolled_back_by", "message", "updated_at"])
    audit_record(action="org.import.rollback", obj=locked, by=by, before=applied["counts"])
    batch.refresh_from_db()
    return batch


# --- One call for commands and the demo ----------------------------------------------------------


def org_import(
    *,
    path: Path,
    mapping_name: str = "jingli",
    mode: str = OrgBatchMode.ALL_OR_NOTHING,
    dry_run: bool = False,
    update_existing: bool = True,
    full_export: bool = False,
    effective_date: dt.date | None = None,
    as_of: dt.date | None = None,
    by: Any = None,
) -> OrgBatch:
    """Check a file or directory and, unless it is a dry run or refused, store it from the same check.

    One transaction: nobody can change the county between the check and the store.
    """
    with transaction.atomic():
        return orgbatch_check(
            upload=path,
            file_name=path.name,
            mapping_name=mapping_name,
            mode=mode,
            update_existing=update_existing,
            full_export=full_export,
            effective_date=effective_date,
            as_of=as_of,
            by=by,
            store=not dry_run,
        )


def orgbatch_summary(batch: OrgBatch) -> dict[str, Any]:
    """What the command's --json and the API return about a batch."""
    return {
        "batch": batch.pk,
        "file": batch.file_name,
        "checksum": batch.checksum,
        "mapping": batch.mapping_name,
        "mode": batch.mode,
        "update_existing": batch.update_existing,
        "full_export": batch.full_export,
        "effective_date": batch.effective_date.isoformat(),
        "status": batch.status,
        "message": batch.message,
        "counts": batch.counts,
        "differences": batch.differences,
        "error_count": batch.error_count,
        "errors": batch.errors,
        "stored": batch.applied.get("counts", {}),
        "moves": batch.applied.get("moves", []),
    }


# --- Export --------------------------------------------------------------------------------------

HEADERS = {kind.name: kind.names for kind in KINDS}


def org_tables(*, counties: list[str] | None = None) -> dict[str, tuple[list[str], list[list[object]]]]:
    """The stored organisation as rows of Jingli's own layout, kind by kind, sorted by key."""
    snapshot = org_snapshot(counties=counties)
    tables: dict[str, tuple[list[str], list[list[object]]]] = {}
    for kind in KINDS:
        rows = snapshot.of(kind.name)
        tables[kind.name] = (
            kind.names,
            [[rows[key].get(f) for f in kind.names] for key in sorted(rows, key=lambda k: tuple(map(str, k)))],
        )
    return tables


def org_export(*, fmt: str, out: Path, counties: list[str] | None = None, by: Any = None) -> list[Path]:
    """Write the organisation: one CSV per kind into a directory, or one workbook with a sheet per kind."""
    if fmt not in ("csv", "xlsx"):
        raise OrgImportRefused(_("Unknown format %(fmt)s.") % {"fmt": fmt})
    tables = org_tables(counties=counties)
    if fmt == "xlsx":
        target = out / "organisation.xlsx" if out.is_dir() else out
        target.parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(target, tables)
        written = [target]
    else:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for kind, (header, rows) in tables.items():
            write_csv(out / f"{kind}.csv", header, rows)
            written.append(out / f"{kind}.csv")
    audit_record(
        action="org.export",
        by=by,
        after={"format": fmt, "counties": counties, "rows": {k: len(r) for k, (_h, r) in tables.items()}},
    )
    return written


def org_export_bytes(*, fmt: str, counties: list[str] | None = None, by: Any = None) -> tuple[bytes, str]:
    """The export as one download: the workbook, or a ZIP of the CSV files."""
    with tempfile.TemporaryDirectory(prefix="jingli-export-") as tmp:
        directory = Path(tmp)
        if fmt == "xlsx":
            (path,) = org_export(fmt=fmt, out=directory / "organisation.xlsx", counties=counties, by=by)
            return path.read_bytes(), "organisation.xlsx"
        files = org_export(fmt="csv", out=directory / "csv", counties=counties, by=by)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in files:
                archive.write(file, file.name)
        return buffer.getvalue(), "organisation-csv.zip"


def import_max_bytes() -> int:
    return int(settings.JINGLI_IMPORT_MAX_MB) * 1024 * 1024
