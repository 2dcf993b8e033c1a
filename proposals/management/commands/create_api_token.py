from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from proposals.auth import token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it once (only its digest is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api", help="what the token is for")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no user {opts['username']!r}")
        token, plain = token_create(user=user, name=opts["name"])
        self.stdout.write(plain)
