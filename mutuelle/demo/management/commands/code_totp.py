"""Demo only: the code an authenticator app would show now for a staff or broker account, so that
the demo can be tried without a phone. Refused outside the demo."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Affiche le code TOTP courant d'un compte de démonstration (personnel, courtiers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="identifiant du compte, par exemple gestionnaire1")
        parser.add_argument("--cle", action="store_true", help="afficher la clé à saisir dans une application")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Cette commande n'existe que pour la démonstration.")
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user__username=options["username"], confirmed=True).first()
        if device is None:
            raise CommandError(f"Aucune application d'authentification n'est activée pour « {options['username']} ».")
        if options["cle"]:
            from base64 import b32encode

            self.stdout.write(b32encode(device.bin_key).decode().rstrip("="))
            return
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
