from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore_run


class Command(BaseCommand):
    help = ("Restore a dump made by `backup` into a new UTF-8 / C.UTF-8 database, in one "
            "transaction.")

    def add_arguments(self, parser):
        parser.add_argument("dump", help="the file written by manage.py backup")
        parser.add_argument("--database", required=True,
                            help="database to create and fill (refused if it exists)")
        parser.add_argument("--replace", action="store_true",
                            help="drop the database first if it exists")

    def handle(self, *args, **opts):
        try:
            name = restore_run(path=opts["dump"], database=opts["database"],
                               replace=opts["replace"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored into database {name}")
