from django.core.management.base import BaseCommand, CommandError

from coupons.models import PosCredential
from coupons.services.sites import SetupError, pos_credential_upsert
from ecrs_hub.machine_secrets import secret_generate


class Command(BaseCommand):
    help = (
        "Create or update the HTTP Basic credential a POS (Transaction Server) uses; the password is stored "
        "hashed. Without --password a new credential gets a strong generated password, printed once as the "
        "last line (--generate-password gives an existing one a new password; otherwise it keeps its own). "
        "--site is repeated for several sites; without it the credential may act for every site."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The POS username setting.")
        parser.add_argument("--password", help="The POS password setting (at least 8 characters).")
        parser.add_argument(
            "--generate-password",
            action="store_true",
            help="Give the credential a new generated password (the default for a new credential).",
        )
        parser.add_argument(
            "--site", action="append", dest="sites", default=[], metavar="SITE_ID", help="A site it may act for."
        )

    def handle(self, *args, username, password, generate_password, sites, **options):
        if password is not None and generate_password:
            raise CommandError("Give either --password or --generate-password, not both.")
        exists = PosCredential.objects.filter(username=(username or "").strip()).exists()
        generated = None
        if password is None and (generate_password or not exists):
            password = generated = secret_generate()
        try:
            result = pos_credential_upsert(username=username, password=password, site_ids=sites)
        except SetupError as exc:
            raise CommandError(f"Cannot set up POS credential {username!r}: {exc}.") from None
        credential = result.credential
        scope = "every site" if credential.all_sites else "sites " + ", ".join(sorted(sites))
        self.stdout.write(
            f"{'Created' if result.created else 'Updated'} POS credential {credential.username} for {scope}."
        )
        if generated is not None:
            self.stdout.write("Password (shown once; only its hash is kept), for the POS password setting:")
            self.stdout.write(generated)
