from argparse import ArgumentTypeError
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ecrs_hub.services import api_token_create


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ArgumentTypeError(f"must be a whole number of days, at least 1, not {text!r}")
    return value


class Command(BaseCommand):
    help = (
        "Issue a staff API token for USERNAME (send it as 'Authorization: Token <key>'). "
        "The key is printed once and stored only hashed; the bare key is the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="script", help="What the token is for (default: script).")
        parser.add_argument(
            "--expires-days", type=positive_int, default=None, help="Days until it expires (default: never)."
        )

    def handle(self, *args, username, name, expires_days, **options):
        user = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive: an inactive user's tokens are refused.")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        issued = api_token_create(user=user, name=name, expires_at=expires_at)
        if not user.is_staff:
            self.stderr.write(f"Warning: {username!r} is not staff; the staff API refuses (403) a non-staff user.")
        until = f"expires {timezone.localtime(expires_at):%Y-%m-%d %H:%M %Z}" if expires_at else "does not expire"
        self.stdout.write(
            f"Created API token {name!r} for {username!r} (prefix {issued.token.key_prefix}, {until}). "
            "The key is shown only now."
        )
        self.stdout.write(f"HEADER: {issued.header_string}")
        self.stdout.write(issued.key)
