from django.core.management.base import BaseCommand, CommandError

from coupons.services.sites import SetupError, pos_credential_upsert


class Command(BaseCommand):
    help = (
        "Create or update the HTTP Basic credential a POS (Transaction Server) uses; the password is stored "
        "hashed. --site is repeated for several sites; without it the credential may act for every site."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The POS username setting.")
        parser.add_argument("--password", required=True, help="The POS password setting (at least 8 characters).")
        parser.add_argument(
            "--site", action="append", dest="sites", default=[], metavar="SITE_ID", help="A site it may act for."
        )

    def handle(self, *args, username, password, sites, **options):
        try:
            result = pos_credential_upsert(username=username, password=password, site_ids=sites)
        except SetupError as exc:
            raise CommandError(f"Cannot set up POS credential {username!r}: {exc}.") from None
        credential = result.credential
        scope = "every site" if credential.all_sites else "sites " + ", ".join(sorted(sites))
        self.stdout.write(
            f"{'Created' if result.created else 'Updated'} POS credential {credential.username} for {scope}."
        )
