"""Mark the people a stored full export did not list as left (the planner's confirmation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgdata.models import OrgBatch
from orgdata.services import OrgImportRefused, orgbatch_confirm_missing


class Command(BaseCommand):
    help = "Confirm the departures an org import reported: the people missing from a full export are marked left."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch", type=int)
        parser.add_argument("numbers", nargs="*", help="Only these police or auxiliary numbers (default: all missing).")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = OrgBatch.objects.filter(pk=options["batch"]).first()
        if batch is None:
            raise CommandError(f"no org import {options['batch']}")
        try:
            count = orgbatch_confirm_missing(batch=batch, numbers=options["numbers"] or None)
        except OrgImportRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count} people marked as left from {batch.effective_date}.")
