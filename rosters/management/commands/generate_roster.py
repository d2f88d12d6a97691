"""Generate a station's duty roster for a period from the shell.

    python manage.py generate_roster --station DM01-S01 --start 2026-11-01 --days 30 [--pattern THREE8] [--json]
        [--time-limit 20] [--unless-exists]

Creates a draft (or regenerates the existing draft of that period) and solves it in this process; the
output says which shifts are short and by how many.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rosters.models import GenerationStatus, Roster, RosterShortfall, RosterStatus
from rosters.services import RosterRefused, patterns_for, roster_create, roster_generate_execute
from stations.models import Station


class Command(BaseCommand):
    help = "Generate a station's duty roster for a period (a draft, solved here)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--station", required=True, help="station code, e.g. DM01-S01")
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--days", type=int, default=30, help="number of days (1-62), default 30")
        parser.add_argument("--pattern", default="THREE8", help="shift pattern code, default THREE8")
        parser.add_argument("--time-limit", type=int, default=20, help="solver time budget in seconds")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
        parser.add_argument(
            "--unless-exists",
            action="store_true",
            help="do nothing if the station already has a roster of this pattern from this day (for make run)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(f"--start must be a date as YYYY-MM-DD (got {options['start']!r}).") from None
        station = Station.objects.filter(code=options["station"]).first()
        if station is None:
            raise CommandError(f"No station with code {options['station']!r}.")
        pattern = patterns_for(station).filter(code=options["pattern"]).order_by("station").first()
        if pattern is None:
            codes = ", ".join(patterns_for(station).values_list("code", flat=True))
            raise CommandError(f"No pattern {options['pattern']!r} at {station.code}; available: {codes}.")
        if options["time_limit"] < 1:
            raise CommandError("--time-limit must be at least 1 second.")
        if options["unless_exists"]:
            existing = (
                Roster.objects.filter(station=station, pattern=pattern, start_date=start).order_by("-version").first()
            )
            if existing is not None:
                self.stdout.write(
                    f"Roster #{existing.pk} already exists ({existing.get_status_display()}); nothing done."
                )
                return
        roster = (
            Roster.objects.filter(station=station, pattern=pattern, start_date=start, status=RosterStatus.DRAFT)
            .order_by("-version")
            .first()
        )
        try:
            if roster is None:
                roster = roster_create(
                    station=station,
                    pattern=pattern,
                    start_date=start,
                    days=options["days"],
                    time_limit=options["time_limit"],
                )
            elif roster.days != options["days"]:
                raise CommandError(
                    f"The draft of {start} covers {roster.days} days; use --days {roster.days} or remove it."
                )
        except RosterRefused as exc:
            raise CommandError(str(exc)) from None
        Roster.objects.filter(pk=roster.pk).update(generation=GenerationStatus.QUEUED)
        try:
            result = roster_generate_execute(roster.pk, time_limit=options["time_limit"])
        except Exception as exc:
            raise CommandError(f"Generation failed: {exc}") from None
        if result is None:  # only if someone else generated it at the same moment
            raise CommandError("The roster was claimed by another generation; run the command again.")
        short = list(
            RosterShortfall.objects.filter(roster=result).select_related("shift").order_by("day", "shift__order")
        )
        summary = {
            "roster": result.pk,
            "station": station.code,
            "pattern": pattern.code,
            "start": start.isoformat(),
            "days": result.days,
            "version": result.version,
            "status": result.status,
            "generation": result.generation,
            "people": result.members.count(),
            "cells": result.cells.count(),
            "objective": result.objective,
            "optimal": result.optimal,
            "seconds": round(result.solve_seconds or 0.0, 2),
            "penalties": result.penalties,
            "shortfalls": [
                {"day": s.day.isoformat(), "shift": s.shift.code, "kind": s.kind, "missing": s.missing} for s in short
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            f"Roster #{result.pk} {station.code} {pattern.code} {start} +{result.days} days v{result.version}: "
            f"{summary['people']} people, {summary['cells']} shifts, objective {result.objective:g} "
            f"({'optimal' if result.optimal else 'best found'}) in {summary['seconds']} s"
        )
        if not short:
            self.stdout.write("Every shift is covered.")
        for s in short:
            self.stdout.write(f"  short: {s.day} {s.shift.code} {s.kind} {s.required} needed, {s.assigned} assigned")
