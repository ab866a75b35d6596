"""Prior approvals: the devis and its lines computed by the engine, the handler's decision within the
service level, the answer as a verifiable PDF letter in the member's documents."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from mutuelle.claims.models import AccordPrealable
from mutuelle.core.calendrier import jours_ouvres_apres, plus_mois
from mutuelle.core.models import AuditLog
from mutuelle.documents.models import Document, TypeDocument
from mutuelle.notifications.models import Notification
from mutuelle.requests.models import Decision, Demande, StatutDemande, TypeDemande
from mutuelle.requests.tests.conftest import pdf_simple
from tests.factories import connecter, garanties_carte
from tests.pdf import pdf_texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def garanties(formule: Any) -> Any:
    return garanties_carte(formule)


def _jour() -> str:
    return (timezone.localdate() + timedelta(days=15)).isoformat()


def _envoyer(client: Client, beneficiaire: Any, lignes: list[dict[str, Any]], **data: Any) -> Any:
    donnees: dict[str, Any] = {
        "domaine": "optique",
        "beneficiaire": beneficiaire.pk,
        "professionnel": "Optique du Parc",
        "commentaire": "",
        "fichiers": SimpleUploadedFile("devis.pdf", pdf_simple("Devis"), content_type="application/pdf"),
        "ligne-TOTAL_FORMS": str(len(lignes)),
        "ligne-INITIAL_FORMS": "0",
        "ligne-MIN_NUM_FORMS": "1",
        "ligne-MAX_NUM_FORMS": "6",
        **data,
    }
    for i, ligne in enumerate(lignes):
        for cle, valeur in {"date_soins": _jour(), "secteur": "1", **ligne}.items():
            donnees[f"ligne-{i}-{cle}"] = valeur
    return client.post("/espace/demandes/prise-en-charge/", donnees)


LUNETTES = [
    {"soin": "VU1", "montant": "120.00", "base": "0.05"},
    {"soin": "VU1", "montant": "120.00", "base": "0.05"},
]


def test_a_prior_approval_goes_from_the_devis_to_a_verifiable_answer(
    adherent, contrat, garanties, gestionnaire, django_capture_on_commit_callbacks
):
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    assert _envoyer(membre, julien, LUNETTES, email_professionnel="accueil@optique-du-parc.example").status_code == 302
    demande = Demande.objects.get()
    assert demande.type_demande == TypeDemande.PRISE_EN_CHARGE and demande.beneficiaire == julien
    assert demande.echeance == jours_ouvres_apres(timezone.localdate(), 5)
    assert demande.lignes_devis.count() == 2 and demande.montant_estime == sum(
        ligne.mutuelle for ligne in demande.lignes_devis.all()
    )
    assert demande.montant_estime > 0  # the 150 € lump sum per lens, within the 300 € ceiling
    # Kept as quoted, to be compared with what is paid: the person, the poste, the explanation and
    # the version of the legal parameters.
    from regles.parametres import parametres

    for ligne in demande.lignes_devis.all():
        assert (ligne.beneficiaire, ligne.poste, ligne.parametres) == (julien, "optique_verres", parametres().version)
        assert ligne.reste is not None and ligne.etapes and ligne.document is None

    gestion = connecter(Client(), gestionnaire)
    url = f"/gestion/demandes/{demande.numero}/"
    page = html.unescape(gestion.get(url).content.decode())
    assert "Part de la mutuelle calculée" in page and "Optique du Parc" in page
    trop = gestion.post(
        url, {"vers": "traitee", "decision": "accord_partiel", "montant_corrige": "9999", "message": "Partiel."}
    )
    assert trop.status_code == 400 and "accord partiel" in html.unescape(trop.content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        gestion.post(url, {"vers": "traitee", "decision": "accord", "message": "Accord sur le devis."})
    demande.refresh_from_db()
    # The practitioner gets the agreement, to practise tiers payant.
    courriel = next(m for m in mail.outbox if m.to == ["accueil@optique-du-parc.example"])
    assert demande.numero in courriel.subject and courriel.attachments[0][2] == "application/pdf"
    assert "Lefebvre" in courriel.body and julien.nir not in courriel.body
    assert demande.decision == Decision.ACCORD and demande.montant_accorde == demande.montant_estime
    # The approval the liquidation reads: the domain, six months from the answer, the share granted.
    accord = AccordPrealable.objects.get(demande=demande)
    le = timezone.localdate(demande.traitee_le)
    assert (accord.numero, accord.beneficiaire, accord.domaine) == (demande.numero, julien, "optique")
    assert (accord.date_debut, accord.date_fin, accord.montant) == (le, plus_mois(le, 6), demande.montant_accorde)
    assert AuditLog.objects.filter(action="claims.accord.recorded", acteur=gestionnaire).count() == 1
    lettre = demande.document
    assert lettre is not None and lettre.type_document == TypeDocument.PRISE_EN_CHARGE
    texte = pdf_texte(lettre.fichier.path)
    assert "Notre décision : Accord" in texte and demande.numero in texte and "Optique du Parc" in texte
    code = re.search(r"Code de vérification : ([A-Z2-9-]{14})", texte)
    assert code and Client().get(f"/verifier/{code.group(1)}/").status_code == 200
    # The member is told, and finds the letter on the request and in « Mes documents ».
    assert Notification.objects.filter(adherent=adherent, titre__contains="est traitée").exists()
    detail = html.unescape(membre.get(f"/espace/demandes/{demande.numero}/").content.decode())
    assert f"/espace/documents/{lettre.pk}/pdf/" in detail
    assert membre.get(f"/espace/documents/{lettre.pk}/pdf/").status_code == 200


def test_a_refusal_commits_nothing(adherent, contrat, garanties, gestionnaire):
    membre = connecter(Client(), adherent.user)
    _envoyer(membre, contrat.beneficiaires.get(prenom="Julien"), LUNETTES, email_professionnel="pro@cabinet.example")
    demande = Demande.objects.get()
    gestion = connecter(Client(), gestionnaire)
    gestion.post(
        f"/gestion/demandes/{demande.numero}/",
        {"vers": "traitee", "decision": "refus", "message": "Renouvellement trop tôt."},
    )
    demande.refresh_from_db()
    assert demande.montant_accorde == 0 and demande.statut == StatutDemande.TRAITEE
    assert not AccordPrealable.objects.exists()  # a refusal grants nothing the liquidation could pay under
    assert "Notre décision : Refus" in pdf_texte(demande.document.fichier.path)
    assert not any(m.to == ["pro@cabinet.example"] for m in mail.outbox)  # nothing to tell on a refusal


def test_a_wrong_devis_saves_nothing(adherent, contrat, garanties, autre_adherent):
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    for lignes, extra, message in (
        ([{"soin": "CZ1", "montant": "500", "base": "120"}], {}, "ne relève pas du domaine"),
        ([{"soin": "VU1", "montant": "120"}], {}, "base de remboursement"),
        ([{"soin": "VU1", "montant": "120", "base": "0.05", "date_soins": "2020-01-01"}], {}, "soins à venir"),
        (LUNETTES, {"fichiers": ""}, "Joignez le devis"),
    ):
        response = _envoyer(membre, julien, lignes, **extra)
        assert response.status_code == 400 and message in html.unescape(response.content.decode()), message
    autre = autre_adherent.contrats.get().beneficiaires.get()
    assert _envoyer(membre, autre, LUNETTES).status_code == 400  # not one of the family
    assert not Demande.objects.exists()


def test_a_prior_approval_answered_late_shows_as_late(adherent, contrat, garanties, gestionnaire):
    membre = connecter(Client(), adherent.user)
    _envoyer(membre, contrat.beneficiaires.get(prenom="Julien"), LUNETTES)
    demande = Demande.objects.get()
    Demande.objects.filter(pk=demande.pk).update(echeance=timezone.localdate() - timedelta(days=2))
    gestion = connecter(Client(), gestionnaire)
    file = gestion.get("/gestion/demandes/").content.decode()
    assert 'class="en-retard"' in file and "en retard" in file
    gestion.post(
        f"/gestion/demandes/{demande.numero}/", {"vers": "traitee", "decision": "accord", "message": "Accord."}
    )
    toutes = html.unescape(gestion.get("/gestion/demandes/?statut=tous").content.decode())
    assert "répondue en retard" in toutes
    assert "répondue en retard" in html.unescape(gestion.get(f"/gestion/demandes/{demande.numero}/").content.decode())
    assert Document.objects.filter(type_document=TypeDocument.PRISE_EN_CHARGE).count() == 1


def test_a_hospital_stay_is_computed_per_night(adherent, contrat, garanties):
    from decimal import Decimal

    from tests.factories import GarantieFactory

    GarantieFactory(
        formule=garanties,
        poste="chambre_particuliere",
        praticien="tous",
        libelle="Chambre particulière, par nuit",
        type_garantie="forfait",
        taux=None,
        montant=Decimal("50.00"),
    )
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    response = _envoyer(
        membre,
        julien,
        [{"soin": "CPC", "montant": "210.00", "quantite": "3"}],
        domaine="hospitalisation",
        professionnel="Clinique des Tilleuls",
    )
    assert response.status_code == 302
    demande = Demande.objects.get()
    ligne = demande.lignes_devis.get()
    assert ligne.quantite == 3 and demande.montant_estime == Decimal("150.00")  # 50 € a night for 3 nights
