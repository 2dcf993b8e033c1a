import json

from django.core.management.base import BaseCommand, CommandError

from archives import fixity


class Command(BaseCommand):
    help = ("Read every archive file back and compare its SHA-256 with the recorded one; "
            "exits non-zero when a file is missing or altered (nothing is changed).")

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **opts):
        report = fixity.run(progress=not opts["no_progress"] and opts["verbosity"] >= 1)
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        if report["missing"] or report["altered"]:
            raise CommandError(f"{len(report['missing'])} missing, {len(report['altered'])} "
                               f"altered of {report['checked'] + len(report['missing'])} files")
