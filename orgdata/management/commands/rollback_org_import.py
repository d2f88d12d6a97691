"""Undo a stored organisation import (refused if what it wrote has changed since)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgdata.models import OrgBatch
from orgdata.services import OrgImportRefused, orgbatch_rollback


class Command(BaseCommand):
    help = "Roll back org import BATCH: remove what it added, restore what it changed, reverse its moves."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        batch = OrgBatch.objects.filter(pk=options["batch"]).first()
        if batch is None:
            raise CommandError(f"no org import {options['batch']}")
        try:
            orgbatch_rollback(batch=batch)
        except OrgImportRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"org import {batch.pk} rolled back.")
