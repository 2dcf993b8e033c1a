import json

from django.core.management.base import BaseCommand
from django.db import transaction

from boundaries import synthetic


class Command(BaseCommand):
    help = ("Draw synthetic township polygons inside the county polygons and village points "
            "inside the townships (deterministic; geometry_source 'synthetic').")

    def add_arguments(self, parser):
        parser.add_argument("--counties", nargs="+", metavar="CODE",
                            help="only these counties (6-digit codes; default: all with a polygon)")
        parser.add_argument("--commit", action="store_true", help="write (default: dry run)")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, **opts):
        progress = not opts["json"] and opts["verbosity"] >= 1
        scope = {"county_codes": opts["counties"], "progress": progress}
        with transaction.atomic():
            townships = synthetic.synthesize_townships(**scope)
            villages = synthetic.synthesize_villages(**scope)
            # A dry run does all the work, then rolls it back: the figures are real.
            transaction.set_rollback(not opts["commit"])
        summary = {"townships": townships, "villages": villages, "committed": opts["commit"]}
        if opts["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(f"townships: {townships['townships']} in {townships['counties']} "
                          f"counties ({townships['seconds']}s)")
        self.stdout.write(f"villages: {villages['villages']} in {villages['townships']} "
                          f"townships ({villages['seconds']}s)")
        if not opts["commit"]:
            self.stdout.write("dry run: nothing written (add --commit to write)")
