"""Each kind of request described once (requests.genres): its payload is typed and checked when the
request is written, read back typed when it is applied, and what a decision does is one entry per kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutuelle.requests import services
from mutuelle.requests.fichiers import assainir
from mutuelle.requests.genres import GENRES, DonneesInvalides, EtatCivil, FeuilleSoins, valider
from mutuelle.requests.models import Decision, Demande, PieceJointe, StatutDemande, TypeDemande
from mutuelle.requests.selectors import demande_donnees
from mutuelle.requests.tests.conftest import pdf_simple
from tests.factories import connecter


def test_every_kind_has_its_queue_its_decisions_and_what_a_decision_does() -> None:
    assert set(GENRES) == set(TypeDemande.values) == set(services.AU_TRAITEMENT)
    for genre in GENRES.values():
        assert genre.decisions and set(genre.decisions) <= set(Decision.values)
    modifications = {t for t, g in GENRES.items() if g.modification}
    assert all(Decision.APPLIQUEE in GENRES[t].decisions for t in modifications)


def test_a_payload_is_stored_as_json_of_its_kind_and_nothing_else() -> None:
    stocke = valider(
        TypeDemande.FEUILLE_SOINS, {"circonstance": "etranger", "date_soins": date(2026, 3, 2), "montant": "80.5"}
    )
    assert stocke == {"circonstance": "etranger", "date_soins": "2026-03-02", "montant": "80.5"}
    assert FeuilleSoins.model_validate(stocke).date_soins == date(2026, 3, 2)
    assert valider(TypeDemande.DOCUMENT, None) == {}
    assert valider(TypeDemande.ETAT_CIVIL, {"civilite": "Mme", "nom": "  Martin "}) == {
        "civilite": "Mme",
        "nom": "Martin",
        "nom_naissance": "",
    }


@pytest.mark.parametrize(
    ("type_demande", "donnees", "message"),
    [
        (TypeDemande.ETAT_CIVIL, {"civilite": "Mme"}, "Nom : manquant"),
        (TypeDemande.ETAT_CIVIL, {"civilite": "Reine", "nom": "Martin"}, "Civilité : invalide"),
        (TypeDemande.ETAT_CIVIL, {"civilite": "Mme", "nom": "Martin", "iban": "FR76…"}, "iban : inattendu"),
        (
            TypeDemande.RESILIATION,
            {"date_fin": "le 31", "motif": "Départ", "contrat": "C1"},
            "Fin du contrat le : invalide",
        ),
        (
            TypeDemande.FEUILLE_SOINS,
            {"circonstance": "etranger", "date_soins": "2026-03-02", "montant": "-1"},
            "Montant payé : invalide",
        ),
        (TypeDemande.DOCUMENT, {"note": "x"}, "note : inattendu"),
    ],
)
def test_a_payload_that_does_not_fit_its_kind_is_refused_naming_the_field(type_demande, donnees, message) -> None:
    with pytest.raises(DonneesInvalides, match=message):
        valider(type_demande, donnees)


@pytest.mark.django_db
def test_a_request_with_a_wrong_payload_leaves_no_row_and_no_file(adherent: Any, antivirus: str) -> None:
    from mutuelle.requests.services import DemandeRefusee, Envoi, modification_demander

    envoi = Envoi(nom="acte.pdf", fichier=assainir(pdf_simple("Acte")))
    with pytest.raises(DemandeRefusee, match="Nom : manquant"):
        modification_demander(
            adherent=adherent,
            type_demande=TypeDemande.ETAT_CIVIL,
            donnees={"civilite": "Mme"},
            justificatif=envoi,
            commentaire="",
            par=adherent.user,
        )
    assert not Demande.objects.exists() and not PieceJointe.objects.exists()
    dossier = Path(settings.MEDIA_ROOT) / "demandes"
    assert not dossier.exists() or not any(p.is_file() for p in dossier.rglob("*"))


@pytest.mark.django_db
def test_a_stored_payload_that_no_longer_fits_is_refused_when_applied_and_changes_nothing(
    adherent: Any, contrat: Any, gestionnaire: Any, antivirus: str
) -> None:
    """A row written before a rule changed (here: the name missing) is not applied half-way."""
    membre = connecter(Client(), adherent.user)
    justificatif = SimpleUploadedFile("acte.pdf", pdf_simple("Acte"), content_type="application/pdf")
    membre.post(
        "/espace/demandes/etat-civil/",
        {"civilite": "Mme", "nom": "Lefebvre", "nom_naissance": "", "fichiers": justificatif},
    )
    demande = Demande.objects.get(type_demande=TypeDemande.ETAT_CIVIL)
    assert demande_donnees(demande) == [("Civilité", "Madame"), ("Nom", "Lefebvre"), ("Nom de naissance", "")]
    Demande.objects.filter(pk=demande.pk).update(donnees={"civilite": "Mme"})
    nom = adherent.nom
    with pytest.raises(services.DemandeRefusee, match=r"ne peut pas être appliquée : .*Nom : manquant"):
        services.demande_avancer(
            demande=demande, vers=StatutDemande.TRAITEE, decision=Decision.APPLIQUEE, message="Fait.", par=gestionnaire
        )
    adherent.refresh_from_db()
    demande.refresh_from_db()
    assert adherent.nom == nom and demande.statut == StatutDemande.RECUE


def test_the_member_and_the_handler_read_the_same_fields_the_schema_lists() -> None:
    assert [n for n, _, _ in EtatCivil.lignes({"nom_naissance": "", "nom": "A", "civilite": "M."})] == [
        "civilite",
        "nom",
        "nom_naissance",
    ]
