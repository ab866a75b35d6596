"""The demo command: deterministic, idempotent, and it shows every part of the model."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mutuelle.accounts.models import Role, User
from mutuelle.brokers.models import Courtier
from mutuelle.claims.models import FichierNoemie, LigneRemboursement
from mutuelle.core.models import AuditLog, Mutuelle
from mutuelle.formules.models import Formule, Garantie
from mutuelle.members.models import (
    Adherent,
    Beneficiaire,
    Contrat,
    ContratFormule,
    Cotisation,
    DroitPeriode,
    Employeur,
)
from mutuelle.referentiel.models import Etablissement, NaturePrestation, Praticien
from regles.nir import nir_check

pytestmark = pytest.mark.django_db(transaction=False)

MODELS = [
    Mutuelle,
    Formule,
    Garantie,
    User,
    Courtier,
    Employeur,
    Adherent,
    Contrat,
    ContratFormule,
    Beneficiaire,
    DroitPeriode,
    Cotisation,
    Praticien,
    Etablissement,
    NaturePrestation,
    AuditLog,
    LigneRemboursement,
    FichierNoemie,
]
TODAY = date(2026, 11, 23)


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def _run(members=30, lignes=0):
    out = StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
        call_command("seed_demo", "--members", str(members), "--lignes-par-mois", str(lignes), stdout=out)
    return out.getvalue()


def test_running_the_demo_twice_creates_nothing_the_second_time(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first_output = _run(lignes=8)
    first = _counts()
    assert first["LigneRemboursement"] > 50
    second_output = _run(lignes=8)
    assert _counts() == first
    assert "rien à créer" in second_output
    assert "admin" in first_output and "courtier1" in first_output and "gestionnaire2" in first_output


def test_the_demo_is_deterministic():
    _run(members=12)
    numbers_and_names = list(Adherent.objects.order_by("numero").values_list("numero", "nom", "prenom", "nir"))
    from mutuelle.backoffice.models import ModificationProposee
    from mutuelle.core.journaux import purge_autorisee
    from mutuelle.core.models import Sequence
    from mutuelle.documents.models import Document
    from mutuelle.members.models import CoordonneesBancaires
    from mutuelle.messaging.models import Fil
    from mutuelle.requests.models import Demande

    with purge_autorisee():  # the requests' histories are append-only
        Document.objects.all().delete()
        Demande.objects.all().delete()
        Fil.objects.all().delete()
        ModificationProposee.objects.all().delete()  # protects its member: proposals go first
        CoordonneesBancaires.objects.all().delete()
        for model in (Cotisation, DroitPeriode, Beneficiaire, ContratFormule, Contrat):
            model.objects.all().delete()
        Adherent.objects.all().delete()
        User.objects.filter(role="adherent").delete()
        Sequence.objects.all().delete()
    _run(members=12)
    again = list(Adherent.objects.order_by("numero").values_list("numero", "nom", "prenom", "nir"))
    assert again == numbers_and_names


def test_the_demo_covers_every_part_of_the_model():
    _run(members=48)
    assert Mutuelle.objects.count() == 1
    assert list(Formule.objects.order_by("niveau").values_list("code", flat=True)) == [
        "essentielle",
        "confort",
        "serenite",
    ]
    assert all(f.responsable for f in Formule.objects.all())
    assert Contrat.objects.filter(type_contrat="collectif").values("employeur").distinct().count() == 2
    # Three brokers: two in the first firm (its administrator sees both portfolios), one in the other.
    assert Contrat.objects.filter(courtier__isnull=False).values("courtier").distinct().count() == 3
    assert Contrat.objects.filter(courtier__isnull=False).values("courtier__cabinet").distinct().count() == 2
    from mutuelle.brokers.models import Affiliation, TauxCommission

    assert set(Affiliation.objects.values_list("statut", flat=True)) == {"soumise", "refusee"}
    assert TauxCommission.objects.count() == 6
    assert DroitPeriode.objects.filter(type_droit__in=["acs", "css"]).exists()
    assert Beneficiaire.objects.filter(nir_personnel=False).exists()
    assert {u.role for u in User.objects.all()} >= {
        Role.ADMINISTRATEUR,
        Role.RESPONSABLE,
        Role.GESTIONNAIRE,
        Role.COURTIER,
    }
    assert User.objects.filter(role=Role.GESTIONNAIRE).count() == 2
    assert User.objects.filter(role=Role.COURTIER).count() == 3
    # three years of premiums
    oldest = Cotisation.objects.order_by("echeance").first()
    assert oldest is not None and oldest.echeance <= date(2023, 12, 1)
    assert Cotisation.objects.filter(montant_paye=0).exists()  # some arrears
    # every NIR is valid and fictitious (commune 990–999 or an overseas 9x)
    for nir in Adherent.objects.values_list("nir", flat=True):
        assert nir_check(nir) == nir
        assert nir[7:10] >= "990" or nir[5:8] == "974"


def test_demo_formulas_respect_the_non_optam_double_cap():
    """Non-OPTAM cover ≤ 200 % BR and ≤ OPTAM cover − 20 points (R871-2)."""
    _run(members=1)
    for formule in Formule.objects.all():
        for non_optam in formule.garanties.filter(praticien="non_optam"):
            optam = formule.garanties.get(poste=non_optam.poste, praticien="optam")
            assert non_optam.taux <= 200
            assert non_optam.taux <= max(optam.taux - 20, 100)


def test_demo_optics_frames_stay_within_100_euros():
    _run(members=1)
    assert all(g.montant <= 100 for g in Garantie.objects.filter(poste="optique_monture"))


def test_the_demo_shows_three_years_of_reimbursements_in_every_status(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _run(members=40, lignes=40)
    # One file a month over three years, and one more a month for the demo families printed as active.
    mensuels = FichierNoemie.objects.filter(statut="integre").exclude(nom__contains="familles-demo")
    assert mensuels.count() == 37
    assert FichierNoemie.objects.filter(nom__contains="familles-demo").exclude(nom__contains="sejour").count() in (
        0,
        37,
    )
    # A hospital stay shows a guarantee limited in nights (when a demo family's formula has one).
    sejour = LigneRemboursement.objects.filter(decompte__fichier__nom__contains="sejour", poste="chambre_particuliere")
    assert sejour.count() <= 1 and all(ligne.quantite == 6 for ligne in sejour)
    statuts = set(LigneRemboursement.objects.values_list("statut", flat=True))
    assert statuts == {
        "en_cours_d_analyse",
        "complement_d_information_necessaire",
        "valide",
        "paye",
        "rejete",
        "sans_objet",
    }
    dates = LigneRemboursement.objects.order_by("date_soins").values_list("date_soins", flat=True)
    assert dates.first() <= date(2023, 11, 30) and dates.last() >= date(2026, 11, 1)
    # Old lines' history carries their own dates: received the morning after their month's file
    # closed, paid days later, not on the day the demo was loaded.
    from django.utils import timezone

    from mutuelle.claims.models import EvenementLigne

    vieille = LigneRemboursement.objects.filter(statut="paye", date_soins__lt=date(2024, 6, 1)).order_by("pk").first()
    assert vieille is not None
    evenements = list(EvenementLigne.objects.filter(ligne=vieille).order_by("le", "pk"))
    recu = vieille.decompte.fichier.recu_le
    assert timezone.localtime(recu).date() < date(2024, 7, 1) and recu < timezone.now() - timedelta(days=300)
    assert evenements[0].le == recu and evenements[0].de == ""
    assert evenements[-1].vers == "paye" and recu < evenements[-1].le <= recu + timedelta(days=5)
    # A quote beside its payment: the first demo family's estimate, compared with the act paid.
    from mutuelle.requests.comparaison import comparaisons
    from mutuelle.requests.models import LigneDevisDemande

    devis = LigneDevisDemande.objects.get(demande__isnull=True)
    lignes = LigneRemboursement.objects.filter(beneficiaire=devis.beneficiaire, poste=devis.poste)
    (comparaison,) = comparaisons(lignes).values()
    assert comparaison.devis == devis and comparaison.estime != comparaison.paye
    assert comparaison.raisons()[0].startswith("le montant facturé est de")


def test_demo_staff_and_brokers_have_an_authenticator_whose_code_the_demo_can_show(settings):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mutuelle.demo.seed import DEMO_CODE_ACCES, DEMO_PASSWORD

    output = _run(members=12)
    assert "code_totp" in output and f"code {DEMO_CODE_ACCES}" in output
    assert (
        TOTPDevice.objects.filter(user__username__in=["admin", "gestionnaire1", "courtier1"], confirmed=True).count()
        == 3
    )
    client = Client()
    client.post("/connexion/", {"identifiant": "gestionnaire1", "secret": DEMO_PASSWORD})
    out = StringIO()
    call_command("code_totp", "gestionnaire1", stdout=out)
    assert client.post("/connexion/verification/", {"code": out.getvalue().strip()}).status_code == 302
    assert client.session["_auth_user_id"]
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("code_totp", "gestionnaire1")


def test_the_demo_issues_an_attestation_whose_code_it_prints_and_the_public_page_confirms():
    import re

    from django.test import Client

    from mutuelle.documents.models import Document

    output = _run(members=12)
    assert Document.objects.count() == 1
    code = re.search(r"porte le code ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", output)
    assert code
    assert "Document authentique" in Client().get(f"/verifier/{code.group(1)}/").content.decode()
    again = _run(members=12)  # idempotent, and the code is printed again
    assert Document.objects.count() == 1 and code.group(1) in again
    # Requests wait in the handlers' queue, one of them late.
    from mutuelle.requests.models import Demande

    assert Demande.objects.count() >= 2
    assert Demande.objects.filter(echeance__lt=TODAY).count() == 1


def test_the_demo_fills_the_back_office_queues_and_the_messaging():
    from mutuelle.accounts.models import User
    from mutuelle.backoffice.files import FILES, compteurs
    from mutuelle.messaging.models import Fil, Message, ModeleReponse, StatutFil

    output = _run(members=12)
    assert "/gestion/" in output
    assert ModeleReponse.objects.count() == 3
    assert set(Fil.objects.values_list("statut", flat=True)) == {StatutFil.A_TRAITER, StatutFil.REPONDU, StatutFil.CLOS}
    assert Message.objects.filter(interne=True).count() == 1
    gestionnaire = User.objects.get(username="gestionnaire1")
    messages = compteurs(FILES["messages"], gestionnaire, TODAY)
    assert messages["total"] == 2 and messages["en_retard"] == 1
    assert compteurs(FILES["documents"], gestionnaire, TODAY)["en_retard"] == 1
    # Four-eyes: new bank details validated once by gestionnaire1 wait for a responsable.
    from mutuelle.members.models import StatutRib
    from mutuelle.requests.models import Demande, StatutDemande, TypeDemande
    from mutuelle.requests.selectors import controle_rib

    attente = Demande.objects.get(type_demande=TypeDemande.RIB)
    assert attente.statut == StatutDemande.EN_COURS and attente.premiere_validation_par == gestionnaire
    assert attente.coordonnees is not None and attente.coordonnees.statut == StatutRib.EN_ATTENTE
    controle = controle_rib(attente)
    assert controle is not None and len(controle.signaux) == 2  # another family's account, another name
    _run(members=12)  # idempotent
    assert Fil.objects.count() == 4 and Demande.objects.filter(type_demande=TypeDemande.RIB).count() == 1


def test_the_demo_pays_its_validated_reimbursements_and_shows_a_rejected_transfer():
    from mutuelle.claims.models import LigneRemboursement
    from mutuelle.payments import sepa
    from mutuelle.payments.models import LotPaiement, StatutLot, Virement
    from mutuelle.payments.services import adherents_sans_compte

    _run(members=40, lignes=40)
    (lot,) = LotPaiement.objects.all()
    assert lot.statut == StatutLot.CLOS
    sepa.valider(lot.contenu.encode(), sepa.PAIN001)
    assert Virement.objects.filter(statut="rejete").count() == 1
    assert Virement.objects.filter(statut="accepte").count() == lot.nb_virements - 1
    assert LigneRemboursement.objects.filter(paiements__virement__statut="accepte", statut="paye").exists()
    assert adherents_sans_compte().exists()  # every 40th family, and the rejected one
    _run(members=40, lignes=40)  # idempotent
    assert LotPaiement.objects.count() == 1
