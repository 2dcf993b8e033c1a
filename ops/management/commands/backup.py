from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_run


class Command(BaseCommand):
    help = "Dump the registry's database (pg_dump -Fc) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default .local/backups/"
                            "registry-<time>.dump)")
        parser.add_argument("--database", help="database to dump (default: the registry's)")

    def handle(self, *args, **opts):
        try:
            path = backup_run(path=opts["output"], database=opts["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written: {path} ({path.stat().st_size:,} bytes)")
