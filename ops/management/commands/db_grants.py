from django.core.management.base import BaseCommand, CommandError

from ops.roles import apply_grants


class Command(BaseCommand):
    help = ("Grant the app's database role its rights: read-write on ordinary tables, "
            "SELECT and INSERT only on history tables. Run as the owner after migrate.")

    def handle(self, *args, **opts):
        try:
            done = apply_grants()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{done['role']}: rights on {done['tables']} tables, append-only on "
                          f"{len(done['history'])}: {', '.join(done['history'])}")
