"""Paper claims: the member sends the feuille de soins, the handler keys in the acts, the engine turns
them into reimbursement lines with their explanation, like the ones from NOEMIE."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from mutuelle.claims.models import Decompte, LigneRemboursement, OrigineDecompte, Statut
from mutuelle.notifications.models import Notification
from mutuelle.referentiel.models import NaturePrestation
from mutuelle.requests.models import Decision, Demande, StatutDemande, TypeDemande
from mutuelle.requests.tests.conftest import pdf_simple
from regles.money import euros
from tests.factories import connecter, garanties_carte

pytestmark = pytest.mark.django_db


@pytest.fixture
def nomenclature(db: Any) -> None:
    NaturePrestation.objects.get_or_create(
        code=1110,
        defaults={"code_b2": "G", "libelle": "CONSULTATION MEDECINE GENERALE", "poste": "consultation_generaliste"},
    )


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("feuille.pdf", pdf_simple("Feuille de soins"), content_type="application/pdf")


def _envoyer(client: Client, beneficiaire: Any, **data: Any) -> Any:
    return client.post(
        "/espace/demandes/feuille-de-soins/",
        {
            "beneficiaire": beneficiaire.pk,
            "circonstance": "etranger",
            "date_soins": (timezone.localdate() - timedelta(days=10)).isoformat(),
            "montant": "45.00",
            "commentaire": "Consultation pendant les vacances.",
            "fichiers": _scan(),
            **data,
        },
    )


def _actes(*actes: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "acte-TOTAL_FORMS": str(len(actes)),
        "acte-INITIAL_FORMS": "0",
        "acte-MIN_NUM_FORMS": "1",
        "acte-MAX_NUM_FORMS": "20",
    }
    for i, acte in enumerate(actes):
        for cle, valeur in acte.items():
            data[f"acte-{i}-{cle}"] = valeur
    return data


def test_a_paper_claim_becomes_an_explained_reimbursement(adherent, contrat, formule, gestionnaire, nomenclature):
    garanties_carte(formule)
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    assert _envoyer(membre, julien).status_code == 302
    demande = Demande.objects.get(type_demande=TypeDemande.FEUILLE_SOINS)
    assert demande.beneficiaire == julien and demande.donnees["circonstance"] == "etranger"

    gestion = connecter(Client(), gestionnaire)
    detail = f"/gestion/demandes/{demande.numero}/"
    page = html.unescape(gestion.get(detail).content.decode())
    assert "Saisir les actes de la feuille de soins" in page and "Soins à l'étranger" in page
    # What the member said, the French way (not the stored ISO date and decimal).
    jour_fr = (timezone.localdate() - timedelta(days=10)).strftime("%d/%m/%Y")
    assert jour_fr in page and "45,00\u00a0€" in page
    # Closing without the acts is refused: the reimbursement is computed from them.
    refus = gestion.post(detail, {"vers": "traitee", "decision": "liquidee", "message": "Fait."})
    assert refus.status_code == 400 and "Saisissez les actes" in html.unescape(refus.content.decode())
    # An unknown code is refused and nothing is written.
    jour = (timezone.localdate() - timedelta(days=10)).isoformat()
    inconnu = gestion.post(
        f"{detail}liquider/", _actes({"code": "ZZZ9", "date_soins": jour, "quantite": "1", "montant": "45"})
    )
    assert not LigneRemboursement.objects.exists()
    # The page comes back with the acts as typed, and what to correct.
    page = html.unescape(inconnu.content.decode())
    assert inconnu.status_code == 400 and "code de prestation inconnu « ZZZ9 »" in page
    assert 'value="ZZZ9"' in page and 'value="45"' in page and f'value="{jour}"' in page
    gestion.post(
        f"{detail}liquider/",
        _actes({"code": "G", "date_soins": jour, "quantite": "1", "montant": "45", "secteur": "2o"}),
    )
    ligne = LigneRemboursement.objects.get()
    assert ligne.beneficiaire == julien and ligne.statut == Statut.VALIDE and ligne.trace
    assert ligne.decompte.origine == OrigineDecompte.FEUILLE_SOINS and ligne.decompte.fichier is None
    assert ligne.decompte.reference == demande.numero
    assert ligne.montant_depense == ligne.montant_amo + ligne.montant_amc + ligne.reste_a_charge
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.TRAITEE and demande.decision == Decision.LIQUIDEE
    assert demande.montant_accorde == ligne.montant_amc
    page = html.unescape(gestion.get(detail).content.decode())
    assert f"la mutuelle vous rembourse {euros(ligne.montant_amc)}." in page
    # The member sees it like any reimbursement, with its explanation.
    assert Notification.objects.filter(adherent=adherent, titre__contains="est traitée").exists()
    page = html.unescape(membre.get(f"/espace/remboursements/{ligne.pk}/").content.decode())
    assert "Comment est calculé ce remboursement" in page and "Base de remboursement" in page
    assert Decompte.objects.count() == 1


def test_a_claim_for_future_care_or_without_its_scan_is_refused(adherent, contrat, autre_adherent, nomenclature):
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    futur = _envoyer(membre, julien, date_soins=(timezone.localdate() + timedelta(days=3)).isoformat())
    assert futur.status_code == 400 and "dans le futur" in html.unescape(futur.content.decode())
    assert _envoyer(membre, julien, fichiers="").status_code == 400
    autre = autre_adherent.contrats.get().beneficiaires.get()
    assert _envoyer(membre, autre).status_code == 400
    assert not Demande.objects.exists()


def test_only_handlers_key_in_acts(adherent, contrat, nomenclature, courtier):
    membre = connecter(Client(), adherent.user)
    _envoyer(membre, contrat.beneficiaires.get(prenom="Julien"))
    demande = Demande.objects.get()
    for client, code in ((membre, 403), (connecter(Client(), courtier.user), 404)):
        response = client.post(f"/gestion/demandes/{demande.numero}/liquider/", _actes({"code": "G"}))
        assert response.status_code == code
    assert not LigneRemboursement.objects.exists()


def test_the_acts_of_one_paper_claim_share_the_ceiling(adherent, contrat, formule, gestionnaire):
    """Three lenses keyed from one feuille de soins, 150 € each under a 300 € ceiling: the third is
    not paid again (only the ticket modérateur a contrat responsable always covers)."""
    from regles.moteur import nature_de

    garanties_carte(formule)
    verre = nature_de("VU1")
    NaturePrestation.objects.get_or_create(
        code=verre.code, defaults={"code_b2": "VU1", "libelle": verre.libelle, "poste": verre.poste.value}
    )
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    _envoyer(membre, julien, montant="600.00")
    demande = Demande.objects.get()
    jour = (timezone.localdate() - timedelta(days=10)).isoformat()
    acte = {"code": "VU1", "date_soins": jour, "quantite": "1", "montant": "200", "base": "0.05", "secteur": "1"}
    gestion = connecter(Client(), gestionnaire)
    gestion.post(f"/gestion/demandes/{demande.numero}/liquider/", _actes(acte, acte, acte))
    montants = list(LigneRemboursement.objects.order_by("numero").values_list("montant_amc", flat=True))
    assert montants == [Decimal("150.00"), Decimal("150.00"), Decimal("0.02")]
    demande.refresh_from_db()
    assert demande.montant_accorde == Decimal("300.02")


def test_keying_a_paper_claim_holds_the_familys_consumption(adherent, contrat, formule, gestionnaire, nomenclature):
    """On PostgreSQL the liquidation holds the lock a NOEMIE lot takes for the same family, until its
    transaction ends (the test's own transaction here): neither can pay past a ceiling the other fills."""
    from django.conf import settings
    from django.db import connection

    from mutuelle.claims.estimation import LigneDevis
    from mutuelle.claims.services import VERROU_CONSOMMATION
    from mutuelle.requests.services import feuille_soins_liquider

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    garanties_carte(formule)
    julien = contrat.beneficiaires.get(prenom="Julien")
    _envoyer(connecter(Client(), adherent.user), julien)
    jour = timezone.localdate() - timedelta(days=10)
    acte = LigneDevis(beneficiaire=julien, soin="G", date_soins=jour, montant=Decimal("30.00"))
    feuille_soins_liquider(demande=Demande.objects.get(), actes=[acte], par=gestionnaire)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
            " AND classid = %s",
            [VERROU_CONSOMMATION],
        )
        assert [row[0] for row in cursor.fetchall()] == [contrat.pk % settings.MUTUELLE_NOEMIE_PARTITIONS]


def test_an_osteopaths_invoice_is_paid_three_sessions_a_year(adherent, contrat, formule, gestionnaire):
    """Care the Sécu does not pay: the member sends the invoice, the handler keys in « OST » (the
    mutuelle's own code), the guarantee pays its forfait for three sessions a year, not a fourth."""
    from mutuelle.referentiel.services import nature_prestation_charger
    from tests.factories import forfait

    nature_prestation_charger()
    forfait(formule, "medecines_douces", "Ostéopathie, chiropraxie…, par séance", "30.00", plafond_nombre=3)
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    page = html.unescape(membre.get("/espace/demandes/feuille-de-soins/").content.decode())
    assert "Ostéopathe, chiropracteur" in page
    assert _envoyer(membre, julien, circonstance="medecine_douce", montant="240.00").status_code == 302
    demande = Demande.objects.get()
    annee = timezone.localdate().year - 1  # four sessions of one calendar year, whatever today is
    jours = [f"{annee}-{mois:02d}-10" for mois in (3, 4, 6, 9)]
    actes = [{"code": "OST", "date_soins": j, "quantite": "1", "montant": "60", "secteur": "1"} for j in jours]
    gestion = connecter(Client(), gestionnaire)
    gestion.post(f"/gestion/demandes/{demande.numero}/liquider/", _actes(*actes))
    lignes = LigneRemboursement.objects.order_by("numero")
    assert [(ligne.poste, ligne.montant_amo, ligne.montant_amc) for ligne in lignes] == [
        ("medecines_douces", Decimal("0.00"), Decimal("30.00")),
        ("medecines_douces", Decimal("0.00"), Decimal("30.00")),
        ("medecines_douces", Decimal("0.00"), Decimal("30.00")),
        ("medecines_douces", Decimal("0.00"), Decimal("0.00")),
    ]
    assert "3 par période, déjà 3" in " ".join(e.explication for e in lignes[3].etapes)
