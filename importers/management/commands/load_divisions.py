import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.services import system_actor
from importers import divisions
from importers.errors import ImporterError


class Command(BaseCommand):
    help = "Load a statistical division code edition (provinces/cities/areas/streets/villages.csv)."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
        parser.add_argument("--label", help="edition label (default: the directory name)")
        parser.add_argument("--effective-date", type=date.fromisoformat,
                            help="YYYY-MM-DD the changes of a later edition take effect")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, **opts):
        try:
            plan = divisions.run(opts["directory"], actor=system_actor(), commit=opts["commit"],
                                 label=opts["label"],
                                 effective_date=opts["effective_date"],
                                 progress=not opts["json"])
        except ImporterError as exc:
            raise CommandError(str(exc)) from exc
        summary = plan.summary() | {"committed": opts["commit"]}
        if opts["json"]:
            self.stdout.write(json.dumps(summary))
            return
        for key, value in summary.items():
            self.stdout.write(f"{key:>10}: {value}")
        if not opts["commit"]:
            self.stdout.write("dry run: nothing written (add --commit to write)")
