"""Build the demo county (or a city of ten counties) deterministically, with its demo accounts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stations.models import Station
from workload.aggregate import cells_refresh
from workload.demo.generate import county_code, generate_county
from workload.demo.load import SeedConflict, check_seed, ensure_demo_users, load_county, reset_county

SCALES = {"county": 1, "city": 10}


class Command(BaseCommand):
    help = "Build the deterministic demo county (--scale county) or a city of ten counties (--scale city)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--scale", choices=sorted(SCALES), default="county")
        parser.add_argument(
            "--incidents", type=int, default=150_000, help="Incidents per county over the 12 months (default 150000)."
        )
        parser.add_argument("--reset", action="store_true", help="Delete the demo counties first and rebuild them.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary instead of text.")

    def handle(self, *args: Any, **options: Any) -> None:
        seed: int = options["seed"]
        if seed < 0:
            raise CommandError("--seed must be zero or positive.")
        if options["incidents"] < 0:
            raise CommandError("--incidents must be zero or positive.")
        end_date: dt.date = settings.JINGLI_DEMO_END_DATE
        summary: dict[str, Any] = {"seed": seed, "scale": options["scale"], "counties": []}
        for number in range(1, SCALES[options["scale"]] + 1):
            if options["reset"]:
                reset_county(county_code(number))
            try:
                check_seed(number=number, seed=seed)
            except SeedConflict as exc:
                raise CommandError(str(exc)) from None
            county = generate_county(seed=seed, number=number, end_date=end_date, incidents=options["incidents"])
            stats = load_county(county)
            summary["counties"].append({"code": county.code, "name": county.name, **stats.__dict__})
            if not options["json"]:
                self.stdout.write(
                    f"{county.code} {county.name}: +{stats.stations} stations, +{stats.communities} communities, "
                    f"+{stats.people} people, +{stats.assignments} assignments, +{stats.leaves} leaves, "
                    f"+{stats.incidents} incidents"
                )
        cells = cells_refresh()
        summary["workload_cells"] = cells
        chief_stations = list(Station.objects.stations().filter(county__code=county_code(1)).order_by("code"))
        accounts = ensure_demo_users(chief_stations=chief_stations)
        summary["accounts"] = [a.__dict__ for a in accounts]
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        new = [a for a in accounts if a.password]
        if new:
            self.stdout.write("\nDemo accounts (passwords are shown this once; they are stored only as hashes):")
            for account in new:
                what = f"{account.title} ({account.station}) [{account.role}]" if account.station else account.role
                self.stdout.write(f"  {account.username:<22} {account.password}   {what}")
        else:
            self.stdout.write(
                "\nDemo accounts already exist and keep their passwords "
                "(`python manage.py changepassword planner` sets a new one)."
            )
