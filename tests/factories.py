"""factory_boy factories. Members and contracts are created through the services, so numbers,
principal beneficiaries, rights periods and audit rows are made as in production."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from mutuelle.accounts.models import Role, User
from mutuelle.brokers.models import Cabinet, Courtier
from mutuelle.core.models import Mutuelle
from mutuelle.core.presets import PRESETS
from mutuelle.formules.models import Formule, Garantie
from mutuelle.members.models import Adherent, Civilite, Contrat, Employeur, Sexe
from mutuelle.members.services import adherent_creer, contrat_creer
from mutuelle.referentiel.models import Praticien
from regles.nir import nir_key

TEST_PASSWORD = "mot-de-passe-de-test-2026"
_nir_counter = itertools.count(1)
_siren_counter = itertools.count(1)


def fake_nir(*, sexe: str = "1", naissance: date = date(1980, 5, 17), departement: str = "75") -> str:
    """A valid-format NIR that no real person has: commune 990–999 does not exist."""
    n = next(_nir_counter)
    commune = 990 + n // 999 % 10
    body = f"{sexe}{naissance.year % 100:02d}{naissance.month:02d}{departement}{commune}{n % 999 + 1:03d}"
    return body + nir_key(body)


def fake_siren() -> str:
    from stdnum import luhn

    body = f"9{next(_siren_counter):07d}"
    return body + str(luhn.calc_check_digit(body))


class MutuelleFactory(DjangoModelFactory):
    class Meta:
        model = Mutuelle
        django_get_or_create = ("singleton",)

    singleton = 1

    @classmethod
    def _create(cls, model_class: type[Mutuelle], *args: Any, **kwargs: Any) -> Mutuelle:
        values = {**PRESETS["tilleuls"], **{k: v for k, v in kwargs.items() if k != "singleton"}}
        obj, _ = model_class.objects.update_or_create(singleton=1, defaults=values)
        return obj


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@test.example")
    role = Role.ADHERENT
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class FormuleFactory(DjangoModelFactory):
    class Meta:
        model = Formule
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"formule-{n}")
    libelle = factory.Sequence(lambda n: f"Formule {n}")
    niveau = 1
    cotisation_mensuelle_adulte = Decimal("50.00")
    cotisation_mensuelle_enfant = Decimal("20.00")
    date_lancement = date(2019, 1, 1)


class GarantieFactory(DjangoModelFactory):
    class Meta:
        model = Garantie

    formule = factory.SubFactory(FormuleFactory)
    poste = "consultation_generaliste"
    libelle = "Consultation de généraliste"
    type_garantie = "br"
    taux = Decimal("100")
    date_debut = date(2019, 1, 1)


class PraticienFactory(DjangoModelFactory):
    class Meta:
        model = Praticien

    rpps = factory.Sequence(lambda n: _rpps(n))
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    specialite = "01"
    secteur = "1"


def _rpps(n: int) -> str:
    from stdnum import luhn

    body = f"10{n:08d}"
    return body + str(luhn.calc_check_digit(body))


class CabinetFactory(DjangoModelFactory):
    class Meta:
        model = Cabinet

    raison_sociale = factory.Sequence(lambda n: f"Cabinet de courtage {n}")
    siren = factory.LazyFunction(fake_siren)
    numero_orias = factory.Sequence(lambda n: f"{20_000_000 + n}")


class CourtierFactory(DjangoModelFactory):
    class Meta:
        model = Courtier

    user = factory.SubFactory(UserFactory, role=Role.COURTIER)
    cabinet = factory.SubFactory(CabinetFactory)


class EmployeurFactory(DjangoModelFactory):
    class Meta:
        model = Employeur

    raison_sociale = factory.Sequence(lambda n: f"Entreprise {n}")
    siren = factory.LazyFunction(fake_siren)
    adresse = "1 rue de l'Usine"
    code_postal = "69001"
    ville = "Lyon"


def adherent_make(**overrides: Any) -> Adherent:
    sexe = overrides.pop("sexe", Sexe.FEMME)
    naissance = overrides.pop("date_naissance", date(1982, 3, 14))
    fields: dict[str, Any] = {
        "civilite": Civilite.MADAME if sexe == Sexe.FEMME else Civilite.MONSIEUR,
        "nom": "Lefebvre",
        "prenom": "Camille",
        "date_naissance": naissance,
        "sexe": sexe,
        "nir": fake_nir(sexe=sexe, naissance=naissance),
        "email": "camille.lefebvre@test.example",
        "adresse_ligne1": "3 rue des Lilas",
        "code_postal": "69003",
        "ville": "Lyon",
    }
    fields.update(overrides)
    return adherent_creer(**fields)


def contrat_make(
    *,
    adherent: Adherent | None = None,
    formule: Formule | None = None,
    date_debut: date = date(2022, 1, 1),
    **kwargs: Any,
) -> Contrat:
    return contrat_creer(
        adherent=adherent or adherent_make(),
        formule=formule or FormuleFactory.create(),
        date_debut=date_debut,
        **kwargs,
    )


_fichier_counter = itertools.count(1)

# Prestation codes for test lines: outside the real table's range, so that a test may also load it.
NATURES_DE_TEST: dict[str, tuple[int, str, str]] = {
    "consultation_generaliste": (90001, "G", "CONSULTATION MEDECINE GENERALE"),
    "pharmacie_65": (90002, "PH4", "PHARMACIE 65%"),
    "optique_monture": (90003, "", "MONTURE ADULTE DE CLASSE B"),
    "dentaire_soins": (90004, "SDE", "SOINS DENTAIRES"),
    "auxiliaires_medicaux": (90005, "AMK", "ACTES EN AMK"),
}


def ligne_make(
    *,
    beneficiaire: Any,
    date_soins: date = date(2026, 3, 3),
    poste: str = "consultation_generaliste",
    depense: str = "30.00",
    amo: str = "19.00",
    amc: str = "9.00",
    statut: str = "paye",
    tiers_payant: bool = False,
    garantie: Garantie | None = None,
    trace: list[Any] | None = None,
    quantite: int = 1,
) -> Any:
    """One reimbursement line as the ingestion leaves it, without a NOEMIE file to parse: for the pages
    that read lines (the member space), not for the pipeline (claims tests build real files)."""
    from mutuelle.claims.models import Decompte, EvenementLigne, FichierNoemie, LigneRemboursement
    from mutuelle.referentiel.models import NaturePrestation

    code, b2, libelle = NATURES_DE_TEST.get(poste, (90099, "", "AUTRE PRESTATION"))
    nature, _ = NaturePrestation.objects.get_or_create(
        code=code, defaults={"code_b2": b2, "libelle": libelle, "poste": poste}
    )
    n = next(_fichier_counter)
    fichier = FichierNoemie.objects.create(
        nom=f"test-{n}.txt", sha256=f"{n:064d}", taille=1, sequence=n, emetteur=691000001, statut="integre"
    )
    decompte = Decompte.objects.create(fichier=fichier, numero=n, tiers_payant=tiers_payant)
    contrat = beneficiaire.contrat
    formule = contrat.formules.order_by("-date_debut").first().formule
    d, o, c = Decimal(depense), Decimal(amo), Decimal(amc)
    ligne = LigneRemboursement.objects.create(
        decompte=decompte,
        numero=1,
        beneficiaire=beneficiaire,
        contrat=contrat,
        formule=formule,
        garantie=garantie,
        nature=nature,
        poste=poste,
        date_soins=date_soins,
        quantite=quantite,
        montant_depense=d,
        base_remboursement=min(d, Decimal("30.00")),
        taux_amo=Decimal("0.70"),
        montant_amo=o,
        participation_forfaitaire=Decimal("2.00") if poste.startswith("consultation") else Decimal("0"),
        montant_amc=c,
        reste_a_charge=d - o - c,
        trace=trace or [],
        statut=statut,
    )
    EvenementLigne.objects.create(ligne=ligne, de="", vers=statut)
    return ligne


def connecter(client: Any, user: User, *, methode: str = "totp") -> Any:
    """Log a user into a test client as the login page would after the second step (staff and
    brokers need one: without it the session ends at the next request). Returns the client."""
    from mutuelle.accounts.middleware import SECOND_FACTEUR

    client.force_login(user)
    session = client.session
    session[SECOND_FACTEUR] = methode
    session.save()
    return client


def code_totp(device: Any, *, decalage: int = 0) -> str:
    """The code an authenticator app would show now (``decalage`` time steps later)."""

    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + decalage):0{device.digits}d}"


def forfait(formule: Formule, poste: str, libelle: str, montant: str, **valeurs: Any) -> Garantie:
    """A lump-sum guarantee of a formula: an amount per act or unit (a session, a night)."""
    return GarantieFactory.create(
        formule=formule,
        poste=poste,
        libelle=libelle,
        type_garantie="forfait",
        taux=None,
        montant=Decimal(montant),
        **valeurs,
    )


def chambre_particuliere(formule: Formule) -> Garantie:
    """A private room in hospital at 50 € a night, 60 nights a calendar year."""
    return forfait(formule, "chambre_particuliere", "Chambre particulière, par nuit", "50.00", plafond_nombre=60)


def garanties_carte(formule: Formule) -> Formule:
    """A contrat-responsable formula with guarantees of every kind a document prints: rates of the BR
    (OPTAM and not), a lump sum with a two-year ceiling, a 100 % Santé basket."""
    formule.responsable = True
    formule.save()
    for poste, praticien, libelle, type_garantie, valeurs in (
        ("consultation_generaliste", "optam", "Généraliste OPTAM", "br", {"taux": Decimal("150")}),
        ("consultation_generaliste", "non_optam", "Généraliste non OPTAM", "br", {"taux": Decimal("130")}),
        ("pharmacie_65", "tous", "Médicaments à 65 %", "br", {"taux": Decimal("100")}),
        ("laboratoire", "tous", "Analyses", "br", {"taux": Decimal("125")}),
        ("hospitalisation_frais_sejour", "tous", "Frais de séjour", "br", {"taux": Decimal("100")}),
        (
            "optique_verres",
            "tous",
            "Verres classe B",
            "forfait",
            {"taux": None, "montant": Decimal("150.00"), "plafond_montant": Decimal("300.00"), "periode_annees": 2},
        ),
        ("dentaire_prothese_100_sante", "tous", "Prothèses 100 % Santé", "100_sante", {"taux": None}),
    ):
        GarantieFactory.create(
            formule=formule, poste=poste, praticien=praticien, libelle=libelle, type_garantie=type_garantie, **valeurs
        )
    return formule
