"""Run the allocation engine for a county and print the proposal."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allocation.explain import reasons_text
from allocation.models import AllocationRun, Proposal
from allocation.services import proposal_tradeoff, run_create, run_execute
from stations.models import County


class Command(BaseCommand):
    help = "Propose the moves that bring a county's stations closest to their need."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="County code, e.g. DM01.")
        parser.add_argument("--max-moves", type=int, default=30)
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--unless-exists",
            action="store_true",
            help="Do nothing if the county already has a successful run (used by `make run`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        county = County.objects.filter(code=options["county"]).first()
        if county is None:
            raise CommandError(f"no county with code {options['county']!r}")
        if options["max_moves"] < 0:
            raise CommandError("--max-moves must be zero or more")
        latest = AllocationRun.objects.filter(county=county, status=AllocationRun.Status.SUCCEEDED).first()
        if options["unless_exists"] and latest is not None:
            self.stdout.write(f"run #{latest.pk} of {county.name} exists; not running another.")
            return
        run = run_create(county=county, max_moves=options["max_moves"])
        # With workers the task may already have run; otherwise run it here. Either way once.
        run_execute(run.pk)
        run = AllocationRun.objects.get(pk=run.pk)
        if run.status != AllocationRun.Status.SUCCEEDED:
            raise CommandError(f"run #{run.pk} {run.status}: {run.error or run.message}")
        # The curve follows in its own task; compute it here if no worker has yet (it is stored once).
        proposal = proposal_tradeoff(Proposal.objects.get(run=run).pk) or Proposal.objects.get(run=run)
        summary = _summary(run, proposal)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, default=str))
            return
        before, after = proposal.before, proposal.after
        self.stdout.write(
            f"run #{run.pk} {county.name}: {len(summary['moves'])} moves, optimal={run.optimal}, "
            f"{run.solve_seconds:.2f} s; shortfall {before['shortfall']} → {after['shortfall']}, "
            f"workload per person CV {before['workload_per_person_cv']} → {after['workload_per_person_cv']}"
        )
        for move in summary["moves"]:
            self.stdout.write(f"  {move['person']} {move['name']}: {move['from']} → {move['to']} ({move['team']})")
        for point in proposal.tradeoff:
            self.stdout.write(
                f"  {point['moves']:>3} moves remove {100 * point['shortfall_removed']:.0f} % of the shortfall"
            )


def _summary(run: AllocationRun, proposal: Proposal) -> dict[str, Any]:
    before = {s["code"]: s for s in proposal.before["stations"]}
    return {
        "run": run.pk,
        "county": run.county.code,
        "optimal": run.optimal,
        "solve_seconds": run.solve_seconds,
        "stations": [
            {
                "code": code,
                "need": state["need"],
                "officer_need": state["officer_need"],
                "people_before": before[code]["people"],
                "people_after": state["people"],
                "officers_before": before[code]["officers"],
                "officers_after": state["officers"],
                "gap_before": before[code]["gap"],
                "gap_after": state["gap"],
            }
            for code, state in ((s["code"], s) for s in proposal.after["stations"])
        ],
        "before": {k: v for k, v in proposal.before.items() if k != "stations"},
        "after": {k: v for k, v in proposal.after.items() if k != "stations"},
        "tradeoff": proposal.tradeoff,
        "moves": [
            {
                "person": move.person.number,
                "name": move.person.name,
                "from": move.origin.code,
                "to": move.destination.code,
                "team": move.destination_team,
                "from_name": move.origin.name,
                "to_name": move.destination.name,
                "kind": move.person.kind,
                "status": move.status,
                "reasons": reasons_text(move.explanation),
            }
            for move in proposal.moves.select_related("person", "origin", "destination")
        ],
    }
