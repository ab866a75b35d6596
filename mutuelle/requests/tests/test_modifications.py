"""Adding or removing a beneficiary, changing the civil status: a request with the supporting
document, applied by a handler; the next tiers-payant card shows the change."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from mutuelle.core.models import AuditLog
from mutuelle.documents.models import Document
from mutuelle.members.models import Beneficiaire
from mutuelle.requests.models import Demande, StatutDemande, TypeDemande
from mutuelle.requests.tests.conftest import pdf_simple
from tests.factories import connecter, fake_nir, garanties_carte
from tests.pdf import pdf_texte

pytestmark = pytest.mark.django_db


def _justificatif() -> SimpleUploadedFile:
    return SimpleUploadedFile("acte.pdf", pdf_simple("Acte de naissance"), content_type="application/pdf")


def _clore(gestion: Client, demande: Demande, decision: str = "appliquee") -> Any:
    return gestion.post(
        f"/gestion/demandes/{demande.numero}/", {"vers": "traitee", "decision": decision, "message": "Fait."}
    )


def test_a_newborn_is_added_after_the_handlers_check_and_appears_on_the_next_card(
    adherent, contrat, formule, gestionnaire
):
    garanties_carte(formule)
    membre = connecter(Client(), adherent.user)
    avant = membre.post("/espace/documents/emettre/carte_tp/")
    carte_avant = Document.objects.get(pk=int(avant["Location"].split("/")[-3]))
    naissance = timezone.localdate() - timedelta(days=20)
    donnees = {
        "qualite": "enfant",
        "prenom": "Zoé",
        "nom": "Lefebvre",
        "date_naissance": naissance.isoformat(),
        "sexe": "2",
        "nir": "",
        "date_effet": naissance.isoformat(),
        "commentaire": "",
    }
    assert membre.post("/espace/demandes/famille/ajouter/", donnees).status_code == 400  # no document
    response = membre.post("/espace/demandes/famille/ajouter/", {**donnees, "fichiers": _justificatif()})
    assert response.status_code == 302
    demande = Demande.objects.get(type_demande=TypeDemande.AJOUT_BENEFICIAIRE)
    assert demande.donnees["prenom"] == "Zoé" and demande.donnees["nir"] == adherent.nir
    assert not Beneficiaire.objects.filter(prenom="Zoé").exists()  # not before the check
    # The member's own page masks the NIR, as the profile does; the handler's shows it to check it.
    from regles.nir import nir_format, nir_mask

    propre = html.unescape(membre.get(f"/espace/demandes/{demande.numero}/").content.decode())
    assert nir_mask(adherent.nir) in propre
    assert adherent.nir not in propre and nir_format(adherent.nir) not in propre

    gestion = connecter(Client(), gestionnaire)
    page = html.unescape(gestion.get(f"/gestion/demandes/{demande.numero}/").content.decode())
    assert "Couvert à partir du" in page and "Zoé" in page and adherent.nir in page
    _clore(gestion, demande)
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.TRAITEE
    zoe = Beneficiaire.objects.get(prenom="Zoé")
    assert zoe.contrat == contrat and not zoe.nir_personnel and zoe.date_entree == naissance
    apres = membre.post("/espace/documents/emettre/carte_tp/")
    carte = Document.objects.get(pk=int(apres["Location"].split("/")[-3]))
    assert carte.pk != carte_avant.pk and "Zoé" in pdf_texte(carte.fichier.path)


def test_wrong_family_changes_are_refused_before_anything_is_saved(adherent, contrat, autre_adherent):
    membre = connecter(Client(), adherent.user)
    base = {
        "qualite": "conjoint",
        "prenom": "Marc",
        "nom": "Durand",
        "date_naissance": "1979-04-02",
        "sexe": "1",
        "date_effet": timezone.localdate().isoformat(),
        "fichiers": _justificatif(),
    }
    sans_nir = membre.post("/espace/demandes/famille/ajouter/", {**base, "nir": ""})
    assert sans_nir.status_code == 400 and "conjoint" in html.unescape(sans_nir.content.decode())
    mauvais_nir = membre.post(
        "/espace/demandes/famille/ajouter/", {**base, "nir": "179049912345678", "fichiers": _justificatif()}
    )
    assert mauvais_nir.status_code == 400
    lointain = membre.post(
        "/espace/demandes/famille/ajouter/",
        {
            **base,
            "nir": fake_nir(sexe="1", naissance=date(1979, 4, 2)),
            "date_effet": (timezone.localdate() + timedelta(days=200)).isoformat(),
            "fichiers": _justificatif(),
        },
    )
    assert lointain.status_code == 400 and "trois prochains mois" in html.unescape(lointain.content.decode())
    # Someone of another family cannot be removed.
    autre = autre_adherent.contrats.get().beneficiaires.get()
    response = membre.post(
        "/espace/demandes/famille/retirer/",
        {"beneficiaire": autre.pk, "date_sortie": timezone.localdate().isoformat(), "fichiers": _justificatif()},
    )
    assert response.status_code == 400
    assert not Demande.objects.exists()


def test_a_beneficiary_leaves_and_a_name_changes_once_checked(adherent, contrat, gestionnaire):
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    fin = timezone.localdate() + timedelta(days=10)
    membre.post(
        "/espace/demandes/famille/retirer/",
        {"beneficiaire": julien.pk, "date_sortie": fin.isoformat(), "fichiers": _justificatif()},
    )
    membre.post(
        "/espace/demandes/etat-civil/",
        {"civilite": "Mme", "nom": "Lefebvre-Martin", "nom_naissance": "Lefebvre", "fichiers": _justificatif()},
    )
    gestion = connecter(Client(), gestionnaire)
    retrait = Demande.objects.get(type_demande=TypeDemande.RETRAIT_BENEFICIAIRE)
    etat_civil = Demande.objects.get(type_demande=TypeDemande.ETAT_CIVIL)
    _clore(gestion, retrait)
    _clore(gestion, etat_civil)
    julien.refresh_from_db()
    adherent.refresh_from_db()
    assert julien.date_sortie == fin and not julien.droits.filter(date_fin__isnull=True).exists()
    assert adherent.nom == "Lefebvre-Martin" and adherent.nom_naissance == "Lefebvre"
    assert AuditLog.objects.filter(action="members.adherent.civil_status_changed", acteur=gestionnaire).exists()
    # A refused change changes nothing.
    membre.post(
        "/espace/demandes/etat-civil/",
        {"civilite": "M.", "nom": "Autre", "nom_naissance": "", "fichiers": _justificatif()},
    )
    refus = Demande.objects.filter(type_demande=TypeDemande.ETAT_CIVIL).order_by("-pk").first()
    _clore(gestion, refus, "refusee")
    adherent.refresh_from_db()
    assert adherent.nom == "Lefebvre-Martin"
