"""The demo data: deterministic (one seed), idempotent (natural keys looked up before creating).

Every person, number and company here is invented. Demo NIRs have a valid format and key but a
birth commune code of 990–999, which no French commune has: they cannot be anyone's real NIR.
Later issues add sections (reimbursements, documents, requests…) as functions called by ``seed``.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum import luhn

from mutuelle.accounts.models import Courrier, Role, TypeCourrier, User
from mutuelle.accounts.services import GROUP_NAMES, roles_installer
from mutuelle.backoffice.models import ModificationProposee
from mutuelle.backoffice.modifications import CIBLES, formulaire, proposer
from mutuelle.brokers.models import Affiliation, Cabinet, Courtier, TauxCommission
from mutuelle.brokers.services import (
    affiliation_refuser,
    affiliation_soumettre,
    demande_courtier,
    prochain_anniversaire,
)
from mutuelle.claims.estimation import BASE_REQUISE, SOINS, EstimationImpossible, LigneDevis
from mutuelle.claims.estimation import estimer as estimer_ligne
from mutuelle.claims.models import FichierNoemie, LigneRemboursement, Statut
from mutuelle.claims.selectors import personnes_connues
from mutuelle.claims.services import ligne_transition, noemie_integrer
from mutuelle.core.models import Mutuelle
from mutuelle.core.pdf import pdf_depuis_html
from mutuelle.core.presets import DEFAULT_PRESET
from mutuelle.core.services import mutuelle_lire, mutuelle_preset_appliquer
from mutuelle.demo.formules import FORMULES, garanties_for_level
from mutuelle.documents import contenus
from mutuelle.documents.models import Document
from mutuelle.documents.services import CODE_ALPHABET, code_empreinte, code_lisible, document_emettre, lettre_bienvenue
from mutuelle.formules.models import Formule, Garantie
from mutuelle.members.comptes import courrier_creer
from mutuelle.members.models import (
    Adherent,
    Beneficiaire,
    Civilite,
    Contrat,
    CoordonneesBancaires,
    Cotisation,
    Employeur,
    ModePaiement,
    PreferenceCourrier,
    Qualite,
    Sexe,
    StatutRib,
    TypeContrat,
    TypeDroit,
)
from mutuelle.members.services import (
    adherent_creer,
    beneficiaire_ajouter,
    contrat_creer,
    contrat_formule_changer,
    contrat_resilier,
    droit_periode_ajouter,
)
from mutuelle.messaging.models import Fil, ModeleReponse
from mutuelle.messaging.services import fil_clore, fil_creer, reponse_ecrire
from mutuelle.payments import sepa
from mutuelle.payments.models import LotPaiement, Virement
from mutuelle.payments.services import paiements_executer, retour_integrer
from mutuelle.referentiel.models import (
    CategorieEtablissement,
    Etablissement,
    NaturePrestation,
    Praticien,
    Secteur,
    Specialite,
)
from mutuelle.referentiel.services import nature_prestation_charger
from mutuelle.requests.devis import devis_conserver
from mutuelle.requests.fichiers import assainir
from mutuelle.requests.models import (
    Circonstance,
    Decision,
    Demande,
    LigneDevisDemande,
    MotifContestation,
    ObjetDocument,
    StatutDemande,
    TypeDemande,
)
from mutuelle.requests.services import Envoi, demande_avancer, demande_creer, feuille_soins_demander, rib_demander
from regles.nir import nir_key

DEMO_PASSWORD = "demo-mutuelle-2026"  # noqa: S105 - printed on purpose: demo logins only
DEMO_CODE_ACCES = "739124"  # the access-code policy's demo member (printed too)
DEFAULT_SEED = 2026
DEFAULT_MEMBERS = 220
GARANTIES_DEPUIS = date(2019, 1, 1)
DEPARTEMENTS = [
    "01",
    "06",
    "13",
    "21",
    "29",
    "31",
    "33",
    "35",
    "38",
    "44",
    "59",
    "67",
    "69",
    "75",
    "76",
    "92",
    "93",
    "2A",
    "2B",
    "974",
]


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, username, name)
    adherent_logins: list[tuple[Adherent, str]] = field(default_factory=list)  # (member, account state)
    sample_members: list[Adherent] = field(default_factory=list)
    code_document: str = ""  # the verification code of the demo's attestation
    affiliation_en_attente: str = ""  # the number of the membership waiting for a handler

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.created[what] = self.created.get(what, 0) + n


@dataclass(frozen=True)
class _Personne:
    prenom: str
    sexe: str
    naissance: date
    nir: str


def demo_nir(rng: random.Random, *, sexe: str, naissance: date) -> str:
    dep = rng.choice(DEPARTEMENTS)
    # Overseas: 3-digit department and 2-digit commune; elsewhere a commune code no commune has.
    lieu = "974" + f"{rng.randint(90, 99):02d}" if dep == "974" else dep + f"{rng.randint(990, 999):03d}"
    body = f"{sexe}{naissance.year % 100:02d}{naissance.month:02d}{lieu}{rng.randint(1, 999):03d}"
    return body + nir_key(body)


def _luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    return body + str(luhn.calc_check_digit(body))


def _phone(rng: random.Random, mobile: bool) -> str:
    first = rng.choice(["06", "07"]) if mobile else rng.choice(["01", "02", "03", "04", "05"])
    return first + "".join(f" {rng.randint(0, 99):02d}" for _ in range(4))


def _birthday(rng: random.Random, age_min: int, age_max: int, today: date) -> date:
    start = date(today.year - age_max, 1, 1)
    end = min(date(today.year - age_min, 12, 31), today)
    return start + timedelta(days=rng.randint(0, (end - start).days))


def seed_mutuelle(report: SeedReport) -> Mutuelle:
    existing = Mutuelle.objects.filter(singleton=1).first()
    if existing is not None:
        return existing
    report.count("mutuelle")
    return mutuelle_preset_appliquer(preset=DEFAULT_PRESET)


def seed_formules(report: SeedReport) -> list[Formule]:
    formules = []
    for level, spec in enumerate(FORMULES):
        formule, created = Formule.objects.get_or_create(
            code=spec["code"],
            defaults={
                "libelle": spec["libelle"],
                "niveau": spec["niveau"],
                "responsable": True,
                "description": spec["description"],
                "cotisation_mensuelle_adulte": Decimal(spec["adulte"]),
                "cotisation_mensuelle_enfant": Decimal(spec["enfant"]),
                "date_lancement": GARANTIES_DEPUIS,
            },
        )
        report.count("formules", int(created))
        for row in garanties_for_level(level):
            lookup = {
                "formule": formule,
                "poste": row["poste"],
                "praticien": row["praticien"],
                "date_debut": GARANTIES_DEPUIS,
            }
            if not Garantie.objects.filter(**lookup).exists():
                garantie = Garantie(**lookup, **{k: v for k, v in row.items() if k not in lookup})
                garantie.full_clean()
                garantie.save()
                report.count("garanties")
        formules.append(formule)
    return formules


def seed_staff(report: SeedReport, fake: Faker) -> None:
    roles_installer()
    specs = [
        ("admin", Role.ADMINISTRATEUR, True),
        ("responsable", Role.RESPONSABLE, False),
        ("gestionnaire1", Role.GESTIONNAIRE, False),
        ("gestionnaire2", Role.GESTIONNAIRE, False),
    ]
    for username, role, superuser in specs:
        user = _demo_user(
            report,
            fake,
            username=username,
            role=role,
            domain="mutuelle.example",
            is_staff=True,
            is_superuser=superuser,
        )
        if role in GROUP_NAMES:
            user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
        report.logins.append((str(Role(role).label), username, str(user)))


def _demo_user(report: SeedReport, fake: Faker, *, username: str, role: str, domain: str, **flags: bool) -> User:
    """The named demo account, created with the demo password if missing (names drawn either way)."""
    first, last = fake.first_name(), fake.last_name()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            email=f"{username}@{domain}",
            **flags,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        report.count("comptes")
    if user.second_facteur_obligatoire:
        _demo_totp(report, user)
    return user


def demo_totp_cle(username: str) -> str:
    """The demo's authenticator secret for a staff or broker account: fixed, so it can be printed
    and typed into an app once (``manage.py code_totp USERNAME`` shows the current code)."""
    return hashlib.sha256(f"demo-totp-{username}".encode()).hexdigest()[:40]


def _demo_totp(report: SeedReport, user: User) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _, created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Démo", "key": demo_totp_cle(user.username)}
    )
    report.count("seconds facteurs (TOTP)", int(created))


def seed_courtiers(report: SeedReport, fake: Faker, rng: random.Random) -> list[Courtier]:
    cabinets = [
        ("Cabinet Horizon Courtage", "99999995", "courtier1"),
        ("Atlantique Assurances Conseil", "99999994", "courtier2"),
    ]
    courtiers = []
    for raison, siren_body, username in cabinets:
        siren = siren_body + str(luhn.calc_check_digit(siren_body))
        orias = f"{rng.randint(10_000_000, 99_999_999)}"
        telephone = _phone(rng, False)
        cabinet = Cabinet.objects.filter(siren=siren).first()
        if cabinet is None:
            cabinet = Cabinet(
                raison_sociale=raison,
                siren=siren,
                numero_orias=orias,
                email=f"contact@{username}.example",
                telephone=telephone,
            )
            cabinet.full_clean()
            cabinet.save()
            report.count("cabinets")
        user = _demo_user(report, fake, username=username, role=Role.COURTIER, domain="courtage.example")
        courtier, created = Courtier.objects.get_or_create(
            user=user, defaults={"cabinet": cabinet, "administrateur_cabinet": True}
        )
        report.count("courtiers", int(created))
        report.logins.append((str(Role.COURTIER.label), username, f"{user} — {cabinet}"))
        courtiers.append(courtier)
    return courtiers


def seed_employeurs(report: SeedReport, rng: random.Random) -> list[Employeur]:
    specs = [
        (
            "Ateliers Mécaniques du Rhône",
            "99999997",
            "Zone industrielle des Peupliers",
            "69200",
            "Vénissieux",
        ),
        ("Boulangeries Réunies de l'Ouest", "99999996", "8 rue du Fournil", "44000", "Nantes"),
    ]
    result = []
    for raison, body, adresse, cp, ville in specs:
        siren = body + str(luhn.calc_check_digit(body))
        employeur = Employeur.objects.filter(siren=siren).first()
        if employeur is None:
            employeur = Employeur(
                raison_sociale=raison,
                siren=siren,
                adresse=adresse,
                code_postal=cp,
                ville=ville,
                email_contact=f"rh@{body}.example",
            )
            employeur.full_clean()
            employeur.save()
            report.count("employeurs")
        result.append(employeur)
    return result


def seed_praticiens(report: SeedReport, fake: Faker, rng: random.Random) -> None:
    specialites = [
        (Specialite.MEDECINE_GENERALE, 14),
        (Specialite.PEDIATRIE, 3),
        (Specialite.OPHTALMOLOGIE, 3),
        (Specialite.GYNECOLOGIE_OBSTETRIQUE, 3),
        (Specialite.DERMATOLOGIE, 2),
        (Specialite.CARDIOLOGIE, 2),
        (Specialite.ORL, 2),
        (Specialite.RADIOLOGIE, 2),
        (Specialite.CHIRURGIEN_DENTISTE, 5),
        (Specialite.KINESITHERAPEUTE, 3),
        (Specialite.INFIRMIER, 3),
        (Specialite.OPTICIEN, 3),
        (Specialite.AUDIOPROTHESISTE, 2),
        (Specialite.PHARMACIEN, 4),
        (Specialite.LABORATOIRE, 2),
    ]
    medecins = {
        Specialite.MEDECINE_GENERALE,
        Specialite.PEDIATRIE,
        Specialite.OPHTALMOLOGIE,
        Specialite.GYNECOLOGIE_OBSTETRIQUE,
        Specialite.DERMATOLOGIE,
        Specialite.CARDIOLOGIE,
        Specialite.ORL,
        Specialite.RADIOLOGIE,
    }
    for specialite, count in specialites:
        for _ in range(count):
            rpps = _luhn_number(rng, "10", 11)
            nom, prenom = fake.last_name(), fake.first_name()
            if specialite in medecins:
                secteur = rng.choices(["1", "2"], weights=[6, 4])[0]
                optam = secteur == "2" and rng.random() < 0.5
            else:
                secteur, optam = Secteur.SECTEUR_1.value, False
            code_postal, ville = fake.postcode(), fake.city()
            if Praticien.objects.filter(rpps=rpps).exists():
                continue
            p = Praticien(
                rpps=rpps,
                nom=nom,
                prenom=prenom,
                specialite=specialite,
                civilite="Dr" if specialite in medecins else "",
                secteur=secteur,
                optam=optam,
                code_postal=code_postal,
                ville=ville,
            )
            p.full_clean()
            p.save()
            report.count("praticiens")
    etablissements = [
        ("Centre hospitalier des Tilleuls", CategorieEtablissement.PUBLIC),
        ("Clinique du Parc Fleuri", CategorieEtablissement.PRIVE),
        ("Hôpital Saint-Aubin", CategorieEtablissement.PRIVE_NON_LUCRATIF),
        ("Clinique de la Vallée Verte", CategorieEtablissement.PRIVE),
        ("Centre hospitalier de la Côte", CategorieEtablissement.PUBLIC),
    ]
    for raison, categorie in etablissements:
        finess = rng.choice(["69", "13", "44", "33", "75"]) + f"{rng.randint(0, 9_999_999):07d}"
        adresse, ville = fake.street_address(), fake.city()
        if Etablissement.objects.filter(raison_sociale=raison).exists():
            continue
        e = Etablissement(
            finess=finess,
            raison_sociale=raison,
            categorie=categorie,
            adresse=adresse,
            code_postal=finess[:2] + "000",
            ville=ville,
        )
        e.full_clean()
        e.save()
        report.count("etablissements")


def _month_starts(start: date, end: date) -> list[date]:
    months = []
    current = date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def seed_cotisations(report: SeedReport, contrat: Contrat, rng: random.Random, today: date, en_retard: bool) -> None:
    """Monthly premiums over the last 3 years (or since the contract began), mostly paid."""
    first = max(contrat.date_debut, date(today.year - 3, today.month, 1))
    last = min(contrat.date_fin or today, today)
    periods = list(contrat.formules.select_related("formule"))
    beneficiaires = list(contrat.beneficiaires.all())
    existing = set(contrat.cotisations.values_list("echeance", flat=True))
    mode = ModePaiement.PRECOMPTE if contrat.type_contrat == TypeContrat.COLLECTIF else ModePaiement.PRELEVEMENT
    rows = []
    months = _month_starts(first, last)
    for index, echeance in enumerate(months):
        if echeance in existing:
            continue
        formule = next(
            (p.formule for p in periods if p.date_debut <= echeance and (p.date_fin is None or p.date_fin >= echeance)),
            periods[0].formule,
        )
        montant = Decimal("0.00")
        for b in beneficiaires:
            if b.date_entree > echeance or (b.date_sortie and b.date_sortie < echeance):
                continue
            age = echeance.year - b.date_naissance.year
            montant += formule.cotisation_mensuelle_enfant if age < 18 else formule.cotisation_mensuelle_adulte
        unpaid = en_retard and index >= len(months) - 2
        paid_on = echeance + timedelta(days=4)
        if paid_on > today:
            unpaid = True
        rows.append(
            Cotisation(
                contrat=contrat,
                echeance=echeance,
                montant=montant,
                montant_paye=Decimal("0.00") if unpaid else montant,
                date_paiement=None if unpaid else paid_on,
                mode_paiement=mode,
            )
        )
    Cotisation.objects.bulk_create(rows)
    report.count("cotisations", len(rows))


def seed_famille(
    report: SeedReport,
    fake: Faker,
    rng: random.Random,
    today: date,
    index: int,
    formules: list[Formule],
    employeurs: list[Employeur],
    courtiers: list[Courtier],
) -> None:
    sexe = rng.choice([Sexe.HOMME, Sexe.FEMME])
    naissance = _birthday(rng, 22, 82, today)
    nir = demo_nir(rng, sexe=sexe, naissance=naissance)
    prenom = fake.first_name_male() if sexe == Sexe.HOMME else fake.first_name_female()
    nom = fake.last_name()
    marie = rng.random() < 0.55 and naissance.year < today.year - 24
    nom_naissance = fake.last_name() if sexe == Sexe.FEMME and marie and rng.random() < 0.5 else ""
    enfants = rng.choices([0, 1, 2, 3], weights=[4, 3, 3, 1])[0] if naissance.year > today.year - 60 else 0
    jumeaux = index % 37 == 5 and enfants >= 2
    # Everything random is drawn before the database is looked at, so a second run draws the same.
    conjoint_sexe = Sexe.FEMME if sexe == Sexe.HOMME else Sexe.HOMME
    conjoint_naissance = _birthday(
        rng, max(22, today.year - naissance.year - 8), today.year - naissance.year + 6, today
    )
    conjoint = _Personne(
        prenom=fake.first_name_female() if conjoint_sexe == Sexe.FEMME else fake.first_name_male(),
        sexe=conjoint_sexe,
        naissance=conjoint_naissance,
        nir=demo_nir(rng, sexe=conjoint_sexe, naissance=conjoint_naissance),
    )
    parent_age = today.year - naissance.year
    kids: list[_Personne] = []
    for k in range(enfants):
        kid_birth = _birthday(rng, 0, max(0, min(24, parent_age - 20)), today)
        if jumeaux and k == 1:
            kid_birth = kids[0].naissance
        kid_sexe = rng.choice([Sexe.HOMME, Sexe.FEMME])
        kid_prenom = fake.first_name_male() if kid_sexe == Sexe.HOMME else fake.first_name_female()
        kids.append(
            _Personne(
                prenom=kid_prenom,
                sexe=kid_sexe,
                naissance=kid_birth,
                nir=demo_nir(rng, sexe=kid_sexe, naissance=kid_birth),
            )
        )
    adresse = {
        "adresse_ligne1": fake.street_address(),
        "code_postal": fake.postcode(),
        "ville": fake.city(),
    }
    email = "" if index % 9 == 4 else f"{prenom}.{nom}.{index}@courriel.example".lower().replace(" ", "-")
    mobile = _phone(rng, True)
    start_year = rng.randint(2019, today.year - 1)
    date_debut = date(start_year, rng.choice([1, 1, 1, 4, 7, 9, 10]), 1)
    level = rng.choices([0, 1, 2], weights=[3, 5, 2])[0]
    collectif = index % 6 == 1
    employeur = employeurs[(index // 6) % 2] if collectif else None
    courtier = courtiers[(index // 4) % 2] if not collectif and index % 4 == 2 else None
    change = rng.random() < 0.12 and date_debut.year < today.year - 1
    change_year = rng.randint(date_debut.year + 1, today.year)
    resilie = index % 41 == 17 and not change
    en_retard = index % 29 == 3
    acs_css = index % 23 == 7

    if Adherent.objects.filter(nir=nir).exists():
        return
    email = unicodedata.normalize("NFKD", email).encode("ascii", "ignore").decode()
    adherent = adherent_creer(
        civilite=Civilite.MONSIEUR if sexe == Sexe.HOMME else Civilite.MADAME,
        nom=nom,
        nom_naissance=nom_naissance,
        prenom=prenom,
        date_naissance=naissance,
        sexe=sexe,
        nir=nir,
        email=email,
        telephone_mobile=mobile,
        preference_courrier=(PreferenceCourrier.PAPIER if not email else PreferenceCourrier.EMAIL),
        **adresse,
    )
    report.count("adherents")
    contrat = contrat_creer(
        adherent=adherent,
        formule=formules[level],
        date_debut=date_debut,
        type_contrat=TypeContrat.COLLECTIF if collectif else TypeContrat.INDIVIDUEL,
        employeur=employeur,
        courtier=courtier,
    )
    report.count("contrats")
    if marie:
        beneficiaire_ajouter(
            contrat=contrat,
            qualite=Qualite.CONJOINT,
            nom=nom,
            prenom=conjoint.prenom,
            date_naissance=conjoint.naissance,
            sexe=conjoint_sexe,
            nir=conjoint.nir,
            date_entree=date_debut,
        )
        report.count("beneficiaires")
    for rang, kid in enumerate(kids, start=1):
        age = (today - kid.naissance).days // 365
        own = age >= 16
        twin = jumeaux and rang in (1, 2)
        beneficiaire_ajouter(
            contrat=contrat,
            qualite=Qualite.ENFANT,
            nom=nom,
            prenom=kid.prenom,
            date_naissance=kid.naissance,
            sexe=kid.sexe,
            nir=kid.nir if own and not twin else nir,
            nir_personnel=own and not twin,
            rang_gemellaire=rang if twin else 1,
            date_entree=max(date_debut, kid.naissance),
        )
        report.count("beneficiaires")
    if change:
        new_level = min(2, level + 1) if level < 2 else 1
        contrat_formule_changer(contrat=contrat, formule=formules[new_level], date_effet=date(change_year, 1, 1))
        report.count("changements de formule")
    if acs_css:
        assure = contrat.beneficiaires.get(qualite=Qualite.ASSURE)
        if date_debut <= date(2019, 1, 1):
            droit_periode_ajouter(
                beneficiaire=assure,
                type_droit=TypeDroit.ACS,
                date_debut=date(2019, 1, 1),
                date_fin=date(2019, 10, 31),
                reference=f"ACS-{adherent.numero}",
            )
        css_start = max(date_debut, date(2019, 11, 1))
        for year in range(2):
            debut = css_start.replace(year=css_start.year + year)
            droit_periode_ajouter(
                beneficiaire=assure,
                type_droit=TypeDroit.CSS,
                date_debut=debut,
                date_fin=debut.replace(year=debut.year + 1) - timedelta(days=1),
                reference=f"CSS-{adherent.numero}-{year + 1}",
            )
        report.count("historiques ACS/CSS")
    if resilie:
        contrat_resilier(
            contrat=contrat,
            date_fin=date(today.year - 1, 12, 31),
            motif="Résiliation à l'échéance annuelle à la demande de l'adhérent",
        )
        report.count("contrats résiliés")
    seed_cotisations(report, contrat, rng, today, en_retard)
    if len(report.sample_members) < 3 and email and kids and not resilie and not collectif:
        report.sample_members.append(adherent)


DEFAULT_LIGNES_PAR_MOIS = 150
ANNEES_DE_REMBOURSEMENTS = 3
LIGNES_FAMILLES_DEMO = 8
SEQUENCE_FAMILLES_DEMO = 500


def adherents_demo(today: date) -> list[Adherent]:
    """The members whose logins the demo prints as active: the first two (by number) with an email
    and a contract older than the demo's history, so that every year of it is theirs."""
    debut = today.replace(day=1) - timedelta(days=365 * ANNEES_DE_REMBOURSEMENTS + 31)
    return list(
        Adherent.objects.filter(email__gt="", user__isnull=False, contrats__date_debut__lte=debut)
        .distinct()
        .order_by("numero")[:2]
    )


def _praticien_sans_compte() -> Praticien | None:
    """The demo's one professional without bank details: tiers payant owed to them waits."""
    return Praticien.objects.filter(specialite=Specialite.AUDIOPROTHESISTE).order_by("pk").first()


def _annuaire() -> dict[str, Any]:
    """The demo's directory for the NOEMIE generator: its practitioners by specialty and its
    establishments, so that tiers payant goes to professionals the mutuelle can pay."""
    praticiens: dict[str, list[str]] = {}
    for rpps, specialite in Praticien.objects.exclude(rpps=None).order_by("pk").values_list("rpps", "specialite"):
        if rpps:
            praticiens.setdefault(specialite, []).append(rpps)
    return {
        "annuaire": praticiens,
        "finess": list(Etablissement.objects.order_by("pk").values_list("finess", flat=True)),
    }


def seed_remboursements(report: SeedReport, rng: random.Random, today: date, lignes_par_mois: int) -> None:
    """Three years of monthly NOEMIE files (the last year fuller), generated for the demo's
    beneficiaries and ingested; then some lines are moved through the other statuses so that every
    status shows in the demo. Only the last weeks' payments notify members (in-app and email): older
    ones are history, replayed silently."""
    from noemie.generateur import Generateur
    from regles.money import arrondi

    if lignes_par_mois <= 0 or FichierNoemie.objects.exists():
        return
    folder = Path(settings.MEDIA_ROOT) / "noemie" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    mutuelle = Mutuelle.objects.get(singleton=1)
    annuaire = _annuaire()
    personnes = personnes_connues()
    first = date(today.year - ANNEES_DE_REMBOURSEMENTS, today.month, 1)
    un_an = date(today.year - 1, today.month, 1)
    contrats_demo = {c.pk for a in adherents_demo(today) for c in a.contrats.all()}
    familles_demo = [p for p in personnes if p.famille in contrats_demo]
    for index, debut in enumerate(_month_starts(first, today), start=1):
        fin = min(date(debut.year + (debut.month == 12), debut.month % 12 + 1, 1) - timedelta(days=1), today)
        path = folder / f"noemie-{debut:%Y-%m}.txt"
        with path.open("w", encoding="ascii", newline="\n") as handle:
            Generateur(
                personnes, seed=rng.randint(1, 10**9), part_inconnus=0.01, debut=debut, fin=fin, **annuaire
            ).ecrire(
                handle,
                lignes=lignes_par_mois if debut >= un_an else max(1, lignes_par_mois // 3),
                emetteur=691000001,
                amc=int(mutuelle.numero_amc),
                sequence=index,
                cree_le=fin,
            )
        # Each month's file as received then (the morning after its last day), so that old lines'
        # history carries their own dates, not the day the demo was loaded.
        recu_le = _le(fin + timedelta(days=1), heure=7)
        result = noemie_integrer(path=path, recu_le=recu_le)
        report.count("lignes de remboursement", result.lignes)
        report.count("signalements NOEMIE", result.rejets)
        # The families whose logins the demo prints see a full history: a file of their own each month.
        if familles_demo:
            path = folder / f"noemie-{debut:%Y-%m}-familles-demo.txt"
            with path.open("w", encoding="ascii", newline="\n") as handle:
                Generateur(
                    familles_demo, seed=rng.randint(1, 10**9), part_inconnus=0, debut=debut, fin=fin, **annuaire
                ).ecrire(
                    handle,
                    lignes=LIGNES_FAMILLES_DEMO,
                    emetteur=691000001,
                    amc=int(mutuelle.numero_amc),
                    sequence=SEQUENCE_FAMILLES_DEMO + index,
                    cree_le=fin,
                )
            report.count("lignes de remboursement", noemie_integrer(path=path, recu_le=recu_le).lignes)
    _sejour_demo(report, familles_demo, today, mutuelle)
    recent = today - timedelta(days=10)
    sans_rpps = getattr(_praticien_sans_compte(), "rpps", "")
    to_pay = (
        LigneRemboursement.objects.filter(statut=Statut.VALIDE, date_soins__lt=recent)
        .exclude(decompte__tiers_payant=True, praticien_identifiant=sans_rpps)
        .order_by("pk")
    )
    recents = today - timedelta(days=45)
    for ligne in to_pay.select_related("decompte__fichier"):
        ligne_transition(
            ligne=ligne,
            vers=Statut.PAYE,
            motif="Virement de démonstration",
            notifier=ligne.date_soins >= recents,
            le=_apres_reception(ligne, jours=3),
        )
        report.count("remboursements effectués")
    # Lines a handler looked at long ago were settled then; the recent ones show every status.
    en_revue = list(
        LigneRemboursement.objects.filter(statut=Statut.EN_COURS).select_related("decompte__fichier").order_by("pk")
    )
    anciennes = [ligne for ligne in en_revue if ligne.date_soins < recents]
    en_revue = [ligne for ligne in en_revue if ligne.date_soins >= recents]
    # A small demo has few recent lines in review: the latest older ones still wait, so that the
    # handlers' queue and every status show.
    while len(en_revue) < 3 and anciennes:
        en_revue.insert(0, anciennes.pop())
    rejetees = {ligne.pk for ligne in anciennes[::3]}
    for ligne in anciennes:
        if ligne.pk in rejetees:
            ligne_transition(
                ligne=ligne,
                vers=Statut.REJETE,
                motif="Acte déjà remboursé sur un précédent décompte.",
                notifier=False,
                le=_apres_reception(ligne, jours=2),
            )
            report.count("lignes rejetées")
            continue
        ligne = ligne_transition(
            ligne=ligne,
            vers=Statut.VALIDE,
            motif="Vérifié par un gestionnaire de démonstration",
            le=_apres_reception(ligne, jours=2),
        )
        if ligne.montant_amc > 0 and not (ligne.decompte.tiers_payant and ligne.praticien_identifiant == sans_rpps):
            ligne_transition(
                ligne=ligne,
                vers=Statut.PAYE,
                motif="Virement de démonstration",
                notifier=False,
                le=_apres_reception(ligne, jours=4),
            )
    for ligne in en_revue[::5]:
        ligne_transition(
            ligne=ligne, vers=Statut.COMPLEMENT, motif="Merci de nous transmettre la facture détaillée du praticien."
        )
        report.count("compléments demandés")
    gestionnaire = User.objects.filter(username="gestionnaire1").first()
    for ligne in en_revue[2::7]:
        ligne_transition(
            ligne=ligne, vers=Statut.REJETE, par=gestionnaire, motif="Acte déjà remboursé sur un précédent décompte."
        )
        report.count("lignes rejetées")
    # A handler lowers the share of a few lines to what the devis the mutuelle agreed to said: the
    # explanation ends with the adjustment and its motif, the member is told.
    en_cours = LigneRemboursement.objects.filter(pk__in=[ligne.pk for ligne in en_revue], statut=Statut.EN_COURS)
    # Some lines stay in the review queue for the demo's handlers.
    ajustables = en_cours.filter(pk__in=[ligne.pk for ligne in en_revue[1::9]], montant_amc__gte=10).order_by("pk")[
        : max(0, min(3, en_cours.count() - 2))
    ]
    for ligne in ajustables:
        ligne_transition(
            ligne=ligne,
            vers=Statut.VALIDE,
            par=gestionnaire,
            montant_amc=arrondi(ligne.montant_amc * Decimal("0.8")),
            motif="Prise en charge limitée au devis accepté par la mutuelle.",
        )
        report.count("montants ajustés")


def _le(jour: date, *, heure: int) -> Any:
    """A moment of a past day, in the installation's time zone, never later than now."""
    from datetime import datetime, time

    return min(timezone.make_aware(datetime.combine(jour, time(heure))), timezone.now())


def _apres_reception(ligne: Any, *, jours: int) -> Any:
    """When the demo's history says a line moved: some days after its file was received (a paper
    claim has no file: now)."""
    fichier = ligne.decompte.fichier
    return min(fichier.recu_le + timedelta(days=jours), timezone.now()) if fichier else timezone.now()


def _sejour_demo(report: SeedReport, familles_demo: list[Any], today: date, mutuelle: Mutuelle) -> None:
    """A hospital stay of the first demo family whose formula pays a private room a limited number of
    nights a year: « Mes dépenses » then shows how many nights are left, and the line explains it."""
    from noemie.fichier import ecrire
    from noemie.generateur import Generateur

    jour = today - timedelta(days=40)
    for personne in familles_demo:
        beneficiaire = Beneficiaire.objects.filter(nir=personne.nir, rang_gemellaire=personne.rang_gemellaire).first()
        if beneficiaire is None or beneficiaire.qualite != "assure":
            continue
        formule = beneficiaire.contrat.formules.filter(date_debut__lte=jour).order_by("-date_debut").first()
        if (
            formule is None
            or not formule.formule.garanties.filter(poste="chambre_particuliere", plafond_nombre__isnull=False).exists()
        ):
            continue
        path = Path(settings.MEDIA_ROOT) / "noemie" / "demo" / "noemie-sejour-familles-demo.txt"
        generateur = Generateur(familles_demo, seed=jour.toordinal(), **_annuaire())
        sequence = SEQUENCE_FAMILLES_DEMO + 900
        with path.open("w", encoding="ascii", newline="\n") as handle:
            entete = {
                "FLX_EMT_NUM": 691000001,
                "FLX_DST_NUM": int(mutuelle.numero_amc),
                "FLX_TRT_DTD": jour + timedelta(days=14),
                "FLX_EMT_ORD": sequence,
                "FLX_VER_NUM": "P1.0",
            }
            ecrire(handle, entete, [generateur.sejour(personne, jour, 6, sequence * 1_000_000 + 1)])
        recu_le = _le(jour + timedelta(days=15), heure=7)
        report.count("lignes de remboursement", noemie_integrer(path=path, recu_le=recu_le).lignes)
        return


@transaction.atomic
def seed(
    *,
    seed_value: int = DEFAULT_SEED,
    members: int = DEFAULT_MEMBERS,
    today: date | None = None,
    lignes_par_mois: int = DEFAULT_LIGNES_PAR_MOIS,
    progres: Callable[[int, int, str], None] | None = None,
) -> SeedReport:
    """Create the demo: everything missing is created, nothing present is duplicated. ``progres`` is
    told each step as it starts (its rank, the number of steps, what it creates)."""
    today = today or timezone.localdate()
    report = SeedReport()
    rng = random.Random(seed_value)
    fake = Faker("fr_FR")
    fake.seed_instance(seed_value)

    formules: list[Formule] = []
    courtiers: list[Courtier] = []
    employeurs: list[Employeur] = []

    def mutuelle_et_nomenclature() -> None:
        seed_mutuelle(report)
        _nomenclature(report)

    def quatre_yeux() -> None:
        seed_quatre_yeux(report)
        seed_modification_proposee(report)

    etapes: list[tuple[str, Callable[[], Any]]] = [
        ("la mutuelle et la nomenclature", mutuelle_et_nomenclature),
        ("les formules", lambda: formules.extend(seed_formules(report))),
        ("le personnel", lambda: seed_staff(report, fake)),
        ("les courtiers", lambda: courtiers.extend(seed_courtiers(report, fake, rng))),
        ("les employeurs", lambda: employeurs.extend(seed_employeurs(report, rng))),
        ("les professionnels de santé", lambda: seed_praticiens(report, fake, rng)),
        *(
            (
                f"les familles ({index + 1}/{members})",
                partial(seed_famille, report, fake, rng, today, index, formules, employeurs, courtiers),
            )
            for index in range(members)
        ),
        ("les remboursements (fichiers NOEMIE)", lambda: seed_remboursements(report, rng, today, lignes_par_mois)),
        ("les comptes des adhérents", lambda: seed_comptes_adherents(report, today)),
        ("les documents", lambda: seed_documents(report)),
        ("les demandes", lambda: seed_demandes(report)),
        ("la messagerie", lambda: seed_messagerie(report)),
        ("les paiements", lambda: seed_paiements(report)),
        ("les contrôles à quatre yeux", quatre_yeux),
        ("les devis", lambda: seed_devis(report, today)),
        ("le courtage", lambda: seed_courtage(report, fake, today)),
    ]
    for rang, (libelle, faire) in enumerate(etapes, start=1):
        if progres is not None:
            progres(rang, len(etapes), libelle)
        faire()
    if not report.sample_members:
        report.sample_members = list(Adherent.objects.filter(email__gt="").order_by("numero")[:3])
    return report


def _nomenclature(report: SeedReport) -> None:
    if not NaturePrestation.objects.exists():
        summary = nature_prestation_charger()
        report.count("natures de prestation", summary["crees"])


def seed_quatre_yeux(report: SeedReport) -> None:
    """Four-eyes in the demo: a family asked to be paid on an account that is another family's, in a
    company's name; « gestionnaire1 » validated it once, and it waits for a responsable (« responsable »
    confirms or refuses it from « Demandes »)."""

    if Demande.objects.filter(type_demande=TypeDemande.RIB).exists():
        return
    connectes = {a.pk for a, _ in report.adherent_logins}
    comptes = list(
        CoordonneesBancaires.objects.filter(statut=StatutRib.ACTIF)
        .exclude(adherent_id__in=connectes)
        .select_related("adherent")
        .order_by("adherent__numero")[:2]
    )
    gestionnaire = User.objects.filter(username="gestionnaire1").first()
    if len(comptes) < 2 or gestionnaire is None:
        return
    demandeur, autre = comptes[0].adherent, comptes[1]
    pdf = pdf_depuis_html("<html lang='fr'><title>RIB</title><h1>Relevé d'identité bancaire</h1></html>")
    demande = rib_demander(
        adherent=demandeur,
        titulaire="SARL Conseil Patrimoine",
        iban=autre.iban,
        bic=autre.bic,
        scan=Envoi(nom="rib.pdf", fichier=assainir(pdf.contenu)),
        par=demandeur.user,
    )
    demande_avancer(
        demande=demande,
        vers=StatutDemande.TRAITEE,
        par=gestionnaire,
        decision=Decision.RIB_VALIDE,
        message="RIB conforme au document joint.",
    )
    report.count("changements en attente d'un second valideur")


def seed_modification_proposee(report: SeedReport) -> None:
    """Four-eyes on staff changes in the demo: « gestionnaire1 » proposed a new mobile number and
    address for a family after a phone call; it waits in « Modifications à valider (quatre yeux) »
    for « responsable » (the proposer cannot approve it)."""

    gestionnaire = User.objects.filter(username="gestionnaire1").first()
    if gestionnaire is None or ModificationProposee.objects.exists():
        return
    connectes = {a.pk for a, _ in report.adherent_logins}
    adherent = Adherent.objects.exclude(pk__in=connectes).order_by("numero").first()
    if adherent is None:
        return
    cible = CIBLES["adherent"]
    initial = {nom: getattr(adherent, nom) for nom in cible.champs}
    form = formulaire(
        cible, adherent, {**initial, "telephone_mobile": "0612345678", "adresse_ligne1": "18 avenue des Platanes"}
    )
    if not form.is_valid():
        return
    proposer(
        cible=cible,
        objet=adherent,
        form=form,
        motif="Appel de l'adhérent : déménagement, justificatif de domicile reçu par courrier.",
        par=gestionnaire,
        request=None,
    )
    report.count("modifications de dossier en attente d'un second valideur")


def seed_devis(report: SeedReport, today: date) -> None:
    """A quote beside its payment: a demo family (the first that can) estimated a devis a few weeks
    before care that was then paid; the practitioner billed less than the devis said, so the line reads
    « estimé X € — payé Y € » and why."""

    if not report.adherent_logins or LigneDevisDemande.objects.filter(demande__isnull=True).exists():
        return
    codes = {code for _, _, code, _ in SOINS}
    familles = [a.pk for a, _ in report.adherent_logins]
    lignes = (
        LigneRemboursement.objects.filter(
            contrat__adherent__in=familles,
            statut=Statut.PAYE,
            date_soins__gte=today - timedelta(days=180),
            date_soins__lte=today - timedelta(days=10),
            montant_amc__gt=0,
        )
        .select_related("nature", "beneficiaire")
        # The first demo family first, its dearest care first: a devis is for costly care.
        .order_by("contrat__adherent__numero", "-montant_depense", "pk")
    )
    for ligne in lignes[:400]:
        soin = ligne.nature.code_b2.split("/")[0]  # « SC/SCA »: the first key is the devis' code
        if soin not in codes:
            continue
        try:
            estimation = estimer_ligne(
                LigneDevis(
                    beneficiaire=ligne.beneficiaire,
                    soin=soin,
                    date_soins=ligne.date_soins,
                    montant=(ligne.montant_depense * Decimal("1.15")).quantize(Decimal("1")),
                    base=ligne.base_remboursement if soin in BASE_REQUISE else None,
                    secteur=ligne.praticien_secteur or 1,
                    optam=ligne.praticien_optam,
                    quantite=ligne.quantite,
                )
            )
        except EstimationImpossible:
            continue
        if estimation.mutuelle == ligne.montant_amc:
            continue
        (devis,) = devis_conserver([estimation])
        devis.cree_le = _le(ligne.date_soins - timedelta(days=12), heure=18)
        devis.save(update_fields=["cree_le"])
        report.count("devis comparés à leur paiement")
        return


def seed_comptes_adherents(report: SeedReport, today: date) -> None:
    """Member accounts to try both ways in: two active (the demo password), one to activate by
    email, one to activate by letter (no email on file). Each is printed by ``seed_demo``."""
    actifs = adherents_demo(today)
    a_activer = (
        Adherent.objects.filter(email__gt="", user__isnull=False, user__is_active=False)
        .exclude(pk__in=[a.pk for a in actifs])
        .order_by("numero")
        .first()
    )
    sans_email = Adherent.objects.filter(email="", user__isnull=False).order_by("numero").first()
    for adherent in actifs:
        user = adherent.user
        assert user is not None
        if not user.is_active:
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        report.adherent_logins.append((adherent, "actif"))
    # The access-code policy (preset "azur"): NIR and a 6-digit code, an emailed code on a new browser.
    code = (
        Adherent.objects.filter(email__gt="", user__isnull=False, contrats__statut="actif")
        .exclude(pk__in=[a.pk for a in actifs] + ([a_activer.pk] if a_activer else []))
        .order_by("-numero")
        .first()
    )
    if code is not None and code.user is not None:
        if not code.user.is_active:
            code.user.set_password(DEMO_CODE_ACCES)
            code.user.is_active = True
            code.user.save(update_fields=["password", "is_active"])
        report.adherent_logins.append((code, f"actif, code {DEMO_CODE_ACCES}"))
    if a_activer is not None:
        report.adherent_logins.append((a_activer, "à activer (email)"))
    if sans_email is not None:
        report.adherent_logins.append((sans_email, "à activer (courrier)"))
    # One letter waits in the back office's "letters to print" queue: another member without email
    # asked to activate the space.

    demandeurs = Adherent.objects.filter(email="", user__isnull=False, user__is_active=False)
    if sans_email is not None:
        demandeurs = demandeurs.exclude(pk=sans_email.pk)
    demandeur = demandeurs.order_by("numero").first()
    if demandeur is not None and not Courrier.objects.exists():
        courrier_creer(adherent=demandeur, type_courrier=TypeCourrier.ACTIVATION)
        report.count("courriers à imprimer")


def seed_documents(report: SeedReport) -> None:
    """The first demo member's attestation de droits, so « Mes documents » has a history and the
    public verification page has a code to try (a fixed one, printed by ``seed_demo``)."""

    if not report.adherent_logins:
        return
    adherent = report.adherent_logins[0][0]
    empreinte = hashlib.sha256(f"demo-document-{adherent.numero}".encode()).digest()
    code = "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in empreinte[:12])
    if not Document.objects.filter(code_empreinte=code_empreinte(code)).exists():
        try:
            contenu = contenus.attestation_droits(adherent, mutuelle_lire())
        except contenus.DocumentIndisponible:
            return
        document_emettre(adherent=adherent, contenu=contenu, code=code)
        report.count("documents")
    report.code_document = code_lisible(code)
    # A welcome letter waits in the print queue beside the activation letter.

    nouveau = report.adherent_logins[-1][0]
    if not Courrier.objects.filter(type_courrier=TypeCourrier.BIENVENUE).exists():
        try:
            lettre_bienvenue(adherent=nouveau)
            report.count("lettres de bienvenue")
        except contenus.DocumentIndisponible:
            pass


def seed_demandes(report: SeedReport) -> None:
    """A few requests in the handlers' queue: an osteopath's invoice to key in, a contest being
    handled, and a document request past its due date (shown in red)."""
    from datetime import timedelta

    from django.utils import timezone

    if Demande.objects.exists() or len(report.adherent_logins) < 2:
        return
    premier, second = report.adherent_logins[0][0], report.adherent_logins[1][0]

    def piece(titre: str) -> Envoi:
        pdf = pdf_depuis_html(f"<html lang='fr'><title>{titre}</title><h1>{titre}</h1><p>Démonstration.</p></html>")
        return Envoi(nom=f"{titre.lower().replace(' ', '-')}.pdf", fichier=assainir(pdf.contenu))

    # An osteopath's invoice: the handler keys in « OST » and the « Médecines douces » guarantee pays.
    assure = premier.contrats.order_by("-date_debut").first()
    if assure is not None:
        feuille_soins_demander(
            adherent=premier,
            beneficiaire=assure.beneficiaires.get(qualite="assure"),
            circonstance=Circonstance.MEDECINE_DOUCE,
            date_soins=timezone.localdate() - timedelta(days=24),
            montant=Decimal("60.00"),
            envois=[piece("Facture osteopathe")],
            commentaire="La facture de la séance d'ostéopathie du mois dernier.",
            par=premier.user,
        )
    ligne = (
        LigneRemboursement.objects.filter(contrat__adherent=premier, montant_amc__gt=0).order_by("-date_soins").first()
    )
    if ligne is not None:
        contestation = demande_creer(
            adherent=premier,
            type_demande=TypeDemande.CONTESTATION,
            envois=[],
            par=premier.user,
            motif=MotifContestation.MONTANT,
            ligne=ligne,
            commentaire="Le dépassement d'honoraires ne semble pas pris en compte.",
        )
        demande_avancer(demande=contestation, vers=StatutDemande.EN_COURS, par=None)
    en_retard = demande_creer(
        adherent=second,
        type_demande=TypeDemande.DOCUMENT,
        envois=[piece("Justificatif de scolarite")],
        par=second.user,
        objet=ObjetDocument.AUTRE,
    )
    Demande.objects.filter(pk=en_retard.pk).update(echeance=timezone.localdate() - timedelta(days=2))
    report.count("demandes", Demande.objects.count())


MODELES_REPONSE = (
    (
        "Délai de remboursement",
        "Bonjour,\n\nVotre remboursement est calculé dès que la Sécurité sociale nous transmet le décompte, "
        "en général sous 48 heures après son propre paiement. Vous le retrouvez ensuite dans « Remboursements ».\n\n"
        "Bien cordialement,",
    ),
    (
        "Pièce manquante",
        "Bonjour,\n\nPour traiter votre demande, il nous manque une pièce : merci de l'envoyer depuis "
        "« Demandes » > « Envoyer un document » dans votre espace.\n\nBien cordialement,",
    ),
    (
        "Attestation disponible",
        "Bonjour,\n\nVotre attestation est disponible à tout moment dans « Documents » : vous pouvez la "
        "télécharger et l'imprimer vous-même.\n\nBien cordialement,",
    ),
)


def seed_messagerie(report: SeedReport) -> None:
    """Ready answers for handlers, and threads in every state: one waiting (past its due date), one
    answered and not yet read by the member, one closed; plus an internal note."""
    from datetime import timedelta

    from django.utils import timezone

    for titre, texte in MODELES_REPONSE:
        _, created = ModeleReponse.objects.get_or_create(titre=titre, defaults={"texte": texte})
        if created:
            report.count("modèles de réponse")
    if Fil.objects.exists() or len(report.adherent_logins) < 2:
        return
    premier, second = report.adherent_logins[0][0], report.adherent_logins[1][0]
    gestionnaire = User.objects.filter(username="gestionnaire1").first()
    attente = fil_creer(
        adherent=premier,
        sujet="cotisation",
        objet="Changement de date de prélèvement",
        texte="Bonjour,\nEst-il possible de passer le prélèvement de ma cotisation au 10 du mois ?\nMerci.",
        envois=[],
        par=premier.user,
    )
    Fil.objects.filter(pk=attente.pk).update(
        attente_depuis=timezone.now() - timedelta(days=5), echeance=timezone.localdate() - timedelta(days=1)
    )
    reponse_ecrire(
        fil=attente,
        texte="Vérifier avec le service cotisations si le 10 est possible pour un contrat individuel.",
        envois=[],
        par=gestionnaire,
        interne=True,
    )
    repondu = fil_creer(
        adherent=premier,
        sujet="remboursement",
        objet="Remboursement de mes lunettes",
        texte="Bonjour,\nJ'ai acheté des lunettes le mois dernier : quand serai-je remboursé ?",
        envois=[],
        par=premier.user,
    )
    reponse_ecrire(fil=repondu, texte=MODELES_REPONSE[0][1], envois=[], par=gestionnaire)
    clos = fil_creer(
        adherent=second,
        sujet="autre",
        objet="Attestation pour mon employeur",
        texte="Bonjour, il me faut une attestation de mutuelle pour mon employeur.",
        envois=[],
        par=second.user,
    )
    reponse_ecrire(fil=clos, texte=MODELES_REPONSE[2][1], envois=[], par=gestionnaire)
    fil_clore(fil=clos, par=second.user)
    fil_creer(
        adherent=second,
        sujet="prise_en_charge",
        objet="Hospitalisation prévue en janvier",
        texte="Bonjour,\nJe dois être opéré en janvier (clinique, chambre particulière). Que prenez-vous en charge ?",
        envois=[],
        par=second.user,
    )
    report.count("fils de messages", Fil.objects.count())


def demo_iban(branche: str, numero: int) -> str:
    """A fictitious French IBAN (bank code 99999, no real bank) with valid keys."""
    from schwifty import IBAN

    return str(IBAN.generate("FR", bank_code="99999", branch_code=branche, account_code=f"{numero:011d}"))


def seed_paiements(report: SeedReport) -> None:
    """Bank accounts for the families and the practitioners, then a payment run as the daily task does
    it, and the bank's answer: every transfer accepted but one (closed account), so the demo shows
    paid reimbursements with their date and masked IBAN, a rejected transfer, and members whose
    money waits for a valid account (every 40th family has none)."""
    from django.utils import timezone

    if LotPaiement.objects.exists():
        return
    connectes = {a.pk for a, _ in report.adherent_logins}
    deja = CoordonneesBancaires.objects.values("adherent_id")
    nouveaux = [
        CoordonneesBancaires(
            adherent=a,
            titulaire=f"{a.prenom} {a.nom}"[:100],
            iban=demo_iban("00002", int(a.numero)),
            bic="DEMOFRPPXXX",
            statut=StatutRib.ACTIF,
            actif_depuis=timezone.now(),
        )
        for a in Adherent.objects.exclude(pk__in=deja).order_by("pk")
        # By member number, not primary key: numbers come from core.Sequence and do not depend on
        # what the database allocated before (another test, another seed).
        if a.pk in connectes or int(a.numero) % 40 != 0
    ]
    CoordonneesBancaires.objects.bulk_create(nouveaux)
    report.count("comptes bancaires", len(nouveaux))
    # Every professional of the directory gets an account but one audioprosthetist: what the mutuelle
    # owes them waits in « Professionnels sans coordonnées bancaires ».
    sans_compte = _praticien_sans_compte()
    for p in Praticien.objects.filter(iban="").exclude(pk=sans_compte.pk if sans_compte else 0):
        p.iban, p.bic = demo_iban("00003", p.pk), "DEMOFRPPXXX"
        p.save(update_fields=["iban", "bic"])
    for e in Etablissement.objects.filter(iban=""):
        e.iban, e.bic = demo_iban("00004", e.pk), "DEMOFRPPXXX"
        e.save(update_fields=["iban", "bic"])
    lots = paiements_executer()
    for lot in lots:
        rejete = (
            Virement.objects.filter(lot=lot, adherent__isnull=False)
            .exclude(adherent_id__in=connectes)
            .order_by("pk")
            .first()
        )
        rapport = sepa.pain002_ecrire(
            message_id=f"DEMO-{lot.numero}",
            cree_le=timezone.localtime(),
            message_origine=lot.numero,
            nb_transactions=lot.nb_virements,
            total=lot.total,
            rejets={rejete.end_to_end_id: "AC04"} if rejete is not None else {},
        )
        retour_integrer(nom=f"retour-{lot.numero}.xml", contenu=rapport)
        report.count("lots de paiement")
        report.count("virements", lot.nb_virements)


def describe(report: SeedReport) -> dict[str, Any]:
    return {"created": report.created, "logins": report.logins}


# Commission rates per formula level (entry, middle, top), per firm.
TAUX_DEMO = {"courtier1": ("12.00", "14.00", "15.00"), "courtier2": ("10.00", "11.50", "12.50")}


def seed_courtage(report: SeedReport, fake: Faker, today: date) -> None:
    """The broker space: a second broker in the first firm (so that its administrator sees two
    portfolios), each firm's commission rates, a membership waiting for the handlers, a refused one,
    and a change of formula filed by a broker."""

    principal = Courtier.objects.select_related("cabinet").filter(user__username="courtier1").first()
    if principal is None:
        return
    user = _demo_user(report, fake, username="courtier3", role=Role.COURTIER, domain="courtage.example")
    second, created = Courtier.objects.get_or_create(user=user, defaults={"cabinet": principal.cabinet})
    report.count("courtiers", int(created))
    report.logins.append((str(Role.COURTIER.label), "courtier3", f"{user} — {principal.cabinet} (sans administration)"))
    if created:
        # Half of the firm's clients were placed by the second broker.
        ids = list(Contrat.objects.filter(courtier=principal).order_by("numero").values_list("pk", flat=True))[1::2]
        Contrat.objects.filter(pk__in=ids).update(courtier=second)
    formules = list(Formule.objects.order_by("niveau", "code")[:3])
    for username, taux in TAUX_DEMO.items():
        cabinet = Cabinet.objects.filter(courtiers__user__username=username).first()
        if cabinet is None:
            continue
        for formule, valeur in zip(formules, taux, strict=False):
            _, nouveau = TauxCommission.objects.get_or_create(
                cabinet=cabinet, formule=formule, date_debut=date(2019, 1, 1), defaults={"taux": Decimal(valeur)}
            )
            report.count("taux de commission", int(nouveau))
    if Affiliation.objects.exists() or not formules:
        return
    rng = random.Random(DEFAULT_SEED + 11)

    def bulletin(nom: str) -> Envoi:
        pdf = pdf_depuis_html(
            f"<html lang='fr'><title>Bulletin d'adhésion</title><h1>Bulletin d'adhésion</h1><p>{nom} — "
            "signé (démonstration).</p></html>"
        )
        return Envoi(nom=f"bulletin-{nom.lower().replace(' ', '-')}.pdf", fichier=assainir(pdf.contenu))

    effet = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    prospects = []
    for sexe in (Sexe.FEMME, Sexe.HOMME):
        naissance = date(rng.randint(1970, 1995), rng.randint(1, 12), rng.randint(1, 28))
        prenom = fake.first_name_female() if sexe == Sexe.FEMME else fake.first_name_male()
        nom = fake.last_name()
        prospects.append(
            {
                "civilite": Civilite.MADAME if sexe == Sexe.FEMME else Civilite.MONSIEUR,
                "nom": nom,
                "prenom": prenom,
                "date_naissance": naissance,
                "sexe": sexe,
                "nir": demo_nir(rng, sexe=sexe, naissance=naissance),
                "email": unicodedata.normalize("NFKD", f"{prenom}.{nom}.prospect@courriel.example".lower())
                .encode("ascii", "ignore")
                .decode()
                .replace(" ", "-"),
                "telephone_mobile": _phone(rng, True),
                "adresse_ligne1": fake.street_address(),
                "code_postal": fake.postcode(),
                "ville": fake.city(),
            }
        )
    enfant_naissance = date(today.year - 6, 5, 14)
    attente = affiliation_soumettre(
        courtier=second,
        prospect=prospects[0],
        beneficiaires=[
            {
                "qualite": Qualite.ENFANT,
                "prenom": fake.first_name_male(),
                "nom": prospects[0]["nom"],
                "date_naissance": enfant_naissance,
                "sexe": Sexe.HOMME,
                "nir": prospects[0]["nir"],
                "nir_personnel": False,
                "rang_gemellaire": 1,
            }
        ],
        formule=formules[1],
        date_effet=effet,
        titulaire=f"{prospects[0]['prenom']} {prospects[0]['nom']}",
        iban="FR7630006000011234567890189",
        bic="",
        bulletin=bulletin(f"{prospects[0]['prenom']} {prospects[0]['nom']}"),
    )
    report.count("affiliations")
    refusee = affiliation_soumettre(
        courtier=principal,
        prospect=prospects[1],
        beneficiaires=[],
        formule=formules[0],
        date_effet=effet,
        titulaire=f"{prospects[1]['prenom']} {prospects[1]['nom']}",
        iban="FR7630006000011234567890189",
        bic="",
        bulletin=bulletin(f"{prospects[1]['prenom']} {prospects[1]['nom']}"),
    )
    gestionnaire = User.objects.filter(username="gestionnaire1").first()
    affiliation_refuser(
        affiliation=refusee,
        motif="Le bulletin n'est pas signé : faites-le signer et saisissez à nouveau l'affiliation.",
        par=gestionnaire,
    )
    report.count("affiliations")
    client = (
        Contrat.objects.filter(
            courtier=principal, statut="actif", formules__formule=formules[0], formules__date_fin=None
        )
        .order_by("numero")
        .first()
    )
    if client is not None:
        demande_courtier(
            courtier=principal,
            contrat=client,
            type_demande=TypeDemande.CHANGEMENT_FORMULE,
            donnees={"formule": formules[1].code, "date_effet": prochain_anniversaire(client, today)},
            justificatif=bulletin("Avenant changement de formule"),
            commentaire="Le client souhaite une meilleure couverture optique.",
        )
        report.count("demandes de courtiers")
    report.affiliation_en_attente = attente.numero
