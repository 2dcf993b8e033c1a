import calendar
import re
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import TokenScope
from accounts.services import token_create
from config.errors import BadRequest

DURATION = re.compile(r"^(\d+)([dwmy])$")


def add_months(when: datetime, months: int) -> datetime:
    year, month = divmod(when.month - 1 + months, 12)
    year, month = when.year + year, month + 1
    return when.replace(year=year, month=month,
                        day=min(when.day, calendar.monthrange(year, month)[1]))


def expiry(raw: str, now: datetime) -> datetime:
    """90d, 12w, 6m, 1y from now; a date (valid through that day, Beijing time) or a
    date and time."""
    found = DURATION.match(raw.strip().lower())
    if found:
        n, unit = int(found.group(1)), found.group(2)
        if unit in "dw":
            return now + timedelta(days=n * (7 if unit == "w" else 1))
        return add_months(now, n * (12 if unit == "y" else 1))
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None:
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--expires {raw!r}: expected a date (2027-06-30), a date and "
                           "time, or a duration such as 90d, 12w, 6m or 1y") from None
    return when if timezone.is_aware(when) else timezone.make_aware(when)


class Command(BaseCommand):
    help = "Create an API token for a user and print it once (only its digest is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api", help="what the token is for")
        parser.add_argument("--expires", help="a date (valid through it), a date and time, or "
                            "a duration from now: 90d, 12w, 6m, 1y (default: "
                            f"{settings.API_TOKEN_LIFETIME_DAYS} days, API_TOKEN_LIFETIME_DAYS)")
        parser.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ_WRITE,
                            help="read: GET only; read-write: every method (default)")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no user {opts['username']!r}")
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is inactive: a token would not work")
        expires_at = expiry(opts["expires"], timezone.now()) if opts["expires"] else None
        try:
            token, plain = token_create(user=user, name=opts["name"], expires_at=expires_at,
                                        scope=opts["scope"])
        except BadRequest as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(plain)
        self.stderr.write(f"token {token.prefix}… for {user.username}, scope {token.scope}, "
                          f"expires {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z}")
