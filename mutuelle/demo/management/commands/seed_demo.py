import logging
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from mutuelle.demo.seed import DEFAULT_LIGNES_PAR_MOIS, DEFAULT_MEMBERS, DEFAULT_SEED, DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = (
        "Crée les données de démonstration (mutuelle fictive, formules, adhérents et familles, "
        "contrats, cotisations, courtiers, personnel). Idempotent : relancer ne duplique rien."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Graine du générateur")
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            help=f"Nombre d'adhérents (défaut {DEFAULT_MEMBERS})",
        )
        parser.add_argument(
            "--lignes-par-mois",
            type=int,
            default=DEFAULT_LIGNES_PAR_MOIS,
            help=f"Lignes NOEMIE par mois, la dernière année (un tiers avant ; défaut {DEFAULT_LIGNES_PAR_MOIS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        # The demo runs its tasks inline: one « Task … succeeded » line each would bury the progress.
        for bavard in ("celery.app.trace", "pikepdf._core"):
            logging.getLogger(bavard).setLevel(logging.WARNING)
        # The demo's in-memory broker has no host name, as intended: kombu's warning says nothing useful.
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        terminal = sys.stdout.isatty() and options.get("verbosity", 1) >= 1

        def progres(rang: int, total: int, libelle: str) -> None:
            ligne = f"Données de démonstration : {rang}/{total}, {libelle}…"
            if terminal:  # one line, rewritten in place
                self.stdout.write(f"\r\033[K{ligne}", ending="")
                self.stdout.flush()
            elif options.get("verbosity", 1) >= 1:
                self.stdout.write(ligne)

        report = seed(
            seed_value=options["seed"],
            members=options["members"],
            lignes_par_mois=options["lignes_par_mois"],
            progres=progres,
        )
        if terminal:
            self.stdout.write("\r\033[K", ending="")
        elapsed = time.monotonic() - started
        if report.created:
            created = ", ".join(f"{n} {what}" for what, n in report.created.items())
            self.stdout.write(self.style.SUCCESS(f"Créé en {elapsed:.1f} s : {created}."))
        else:
            self.stdout.write(self.style.SUCCESS("Les données de démonstration sont déjà en place : rien à créer."))
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD})"))
        for role, username, name in report.logins:
            self.stdout.write(f"  {role:<24} {username:<15} {name}")
        self.stdout.write(
            "  Second facteur obligatoire pour ces comptes : le code du moment s'obtient par "
            "« uv run python manage.py code_totp IDENTIFIANT »"
        )
        self.stdout.write(
            "  (ou ajoutez dans une application d'authentification la clé affichée par "
            "« uv run python manage.py code_totp --cle IDENTIFIANT »)."
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Espace adhérent : {settings.MUTUELLE_BASE_URL}/connexion/"
                " (numéro d'adhérent ou NIR, et mot de passe ;"
                " avec « manage.py mutuelle_preset azur » : NIR et code d'accès à 6 chiffres)"
            )
        )
        for adherent, etat in report.adherent_logins:
            verification = (
                f"né(e) le {adherent.date_naissance:%d/%m/%Y}, NIR …{adherent.nir[-4:]}, CP {adherent.code_postal}"
            )
            nom = f"{adherent.prenom} {adherent.nom}"
            self.stdout.write(f"  n° {adherent.numero}  {nom:<24} {etat:<22} {verification}")
            if "code" in etat:
                self.stdout.write(f"  {'':<12}NIR {adherent.nir} (politique « NIR et code d'accès »)")
        self.stdout.write(
            "  Documents (carte de tiers payant, attestations, relevés) : « Documents » dans l'espace adhérent."
        )
        if report.code_document:
            self.stdout.write(
                f"  Vérifier un document sans compte : {settings.MUTUELLE_BASE_URL}/verifier/"
                f" (l'attestation du premier adhérent porte le code {report.code_document})"
            )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Back office : {settings.MUTUELLE_BASE_URL}/gestion/ (gestionnaire1, gestionnaire2 ; "
                "responsable et admin voient aussi le tableau de bord)"
            )
        )
        self.stdout.write(
            "  Files de travail (revue, signalements NOEMIE, demandes, messages, comptes verrouillés, courriers),"
            " fiche adhérent, recherche."
        )
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"Espace courtier : {settings.MUTUELLE_BASE_URL}/courtier/connexion/ (courtier1 administre son "
                "cabinet et voit aussi le portefeuille de courtier3 ; courtier2 est d'un autre cabinet)"
            )
        )
        self.stdout.write(
            "  Portefeuille, attestations et cartes des clients, affiliations, changements de contrat, commissions."
        )
        if report.affiliation_en_attente:
            self.stdout.write(
                f"  L'affiliation {report.affiliation_en_attente} attend un gestionnaire : file « Affiliations des "
                "courtiers » du back office."
            )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Quelques adhérents à chercher dans le back office"))
        for adherent in report.sample_members:
            self.stdout.write(f"  n° {adherent.numero}  {adherent.prenom} {adherent.nom}")
