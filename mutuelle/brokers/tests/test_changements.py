"""Changes a broker files on a client's contract — a formula at the anniversary date, a beneficiary,
a termination — each with its signed document, validated by a handler in the back office."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutuelle.brokers.services import prochain_anniversaire
from mutuelle.members.models import ContratFormule, StatutContrat
from mutuelle.requests.models import Decision, Demande, StatutDemande, TypeDemande
from mutuelle.requests.tests.conftest import pdf_simple
from tests.factories import FormuleFactory, connecter

pytestmark = pytest.mark.django_db

AUJOURDHUI = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _aujourdhui() -> Any:
    with time_machine.travel(AUJOURDHUI, tick=False):
        yield


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("avenant.pdf", pdf_simple("Demande signée"), "application/pdf")


def _appliquer(gestionnaire: Any, demande: Demande) -> Any:
    return connecter(Client(), gestionnaire).post(
        f"/gestion/demandes/{demande.numero}/",
        {"vers": StatutDemande.TRAITEE, "decision": Decision.APPLIQUEE, "message": "C'est fait."},
    )


def test_the_next_anniversary() -> None:
    from mutuelle.members.models import Contrat

    assert prochain_anniversaire(Contrat(date_debut=date(2023, 3, 1)), date(2026, 12, 3)) == date(2027, 3, 1)
    assert prochain_anniversaire(Contrat(date_debut=date(2023, 3, 1)), date(2027, 3, 1)) == date(2028, 3, 1)
    assert prochain_anniversaire(Contrat(date_debut=date(2024, 2, 29)), date(2026, 12, 3)) == date(2027, 3, 1)


def test_a_change_of_formula_takes_effect_at_the_anniversary_once_a_handler_applies_it(
    session_courtier: Client, client_du_courtier: Any, gestionnaire: Any, courtier: Any
) -> None:
    contrat = client_du_courtier.contrats.get()
    meilleure = FormuleFactory.create(code="excellence-test", libelle="Excellence (test)", niveau=3)
    page = html.unescape(
        session_courtier.get(f"/courtier/contrats/{contrat.numero}/changement/formule/").content.decode()
    )
    assert "01/03/2027" in page and "Excellence (test)" in page
    response = session_courtier.post(
        f"/courtier/contrats/{contrat.numero}/changement/formule/", {"formule": meilleure.pk, "justificatif": _pdf()}
    )
    assert response.status_code == 302
    demande = Demande.objects.get()
    assert demande.type_demande == TypeDemande.CHANGEMENT_FORMULE and demande.courtier == courtier
    assert demande.donnees == {"formule": "excellence-test", "date_effet": "2027-03-01", "contrat": contrat.numero}
    # It waits in the back office's "contract changes" queue, with who filed it.
    handler = connecter(Client(), gestionnaire)
    assert demande.numero in handler.get("/gestion/files/contrats/").content.decode()
    fiche = html.unescape(handler.get(f"/gestion/demandes/{demande.numero}/").content.decode())
    assert "Déposée par le courtier" in fiche and "Excellence (test)" in fiche
    assert _appliquer(gestionnaire, demande).status_code == 302
    periodes = list(ContratFormule.objects.filter(contrat=contrat).order_by("date_debut"))
    assert [(p.formule.code, p.date_debut, p.date_fin) for p in periodes] == [
        ("confort-test", date(2023, 3, 1), date(2027, 2, 28)),
        ("excellence-test", date(2027, 3, 1), None),
    ]
    page = html.unescape(session_courtier.get(f"/courtier/contrats/{contrat.numero}/").content.decode())
    assert demande.numero in page and "Modification appliquée" in page


def test_a_second_change_of_formula_waits_for_the_first(session_courtier: Client, client_du_courtier: Any) -> None:
    contrat = client_du_courtier.contrats.get()
    autre = FormuleFactory.create(code="essentiel-test", libelle="Essentiel (test)")
    url = f"/courtier/contrats/{contrat.numero}/changement/formule/"
    assert session_courtier.post(url, {"formule": autre.pk, "justificatif": _pdf()}).status_code == 302
    response = session_courtier.post(url, {"formule": autre.pk, "justificatif": _pdf()})
    assert response.status_code == 400 and "déjà en cours" in html.unescape(response.content.decode())
    assert Demande.objects.count() == 1


def test_a_termination_cannot_be_backdated_and_ends_the_contract_once_applied(
    session_courtier: Client, client_du_courtier: Any, gestionnaire: Any
) -> None:
    contrat = client_du_courtier.contrats.get()
    url = f"/courtier/contrats/{contrat.numero}/changement/resiliation/"
    hier = (AUJOURDHUI - timedelta(days=1)).isoformat()
    response = session_courtier.post(url, {"date_fin": hier, "motif": "Départ à l'étranger", "justificatif": _pdf()})
    assert response.status_code == 400 and "rétroactive" in html.unescape(response.content.decode())
    assert not Demande.objects.exists()
    response = session_courtier.post(
        url, {"date_fin": "2027-02-28", "motif": "Départ à l'étranger", "justificatif": _pdf()}
    )
    assert response.status_code == 302
    assert _appliquer(gestionnaire, Demande.objects.get()).status_code == 302
    contrat.refresh_from_db()
    assert contrat.statut == StatutContrat.RESILIE and contrat.date_fin == date(2027, 2, 28)
    # A terminated contract takes no more changes.
    response = session_courtier.get(f"/courtier/contrats/{contrat.numero}/changement/formule/")
    assert response.status_code == 302


def test_a_beneficiary_added_by_the_broker_joins_the_named_contract(
    session_courtier: Client, client_du_courtier: Any, gestionnaire: Any
) -> None:
    contrat = client_du_courtier.contrats.get()
    response = session_courtier.post(
        f"/courtier/contrats/{contrat.numero}/changement/beneficiaire/",
        {
            "qualite": "enfant",
            "prenom": "Nina",
            "nom": "Roussel",
            "date_naissance": "2026-10-12",
            "sexe": "2",
            "nir": "",
            "date_effet": "2026-11-01",
            "fichiers": _pdf(),
        },
    )
    assert response.status_code == 302, html.unescape(response.content.decode())
    demande = Demande.objects.get()
    assert demande.type_demande == TypeDemande.AJOUT_BENEFICIAIRE and demande.donnees["contrat"] == contrat.numero
    assert _appliquer(gestionnaire, demande).status_code == 302
    nina = contrat.beneficiaires.get(prenom="Nina")
    assert nina.date_entree == date(2026, 11, 1) and nina.nir == client_du_courtier.nir


def test_the_member_is_told_of_a_change_their_broker_filed(session_courtier: Client, client_du_courtier: Any) -> None:
    from mutuelle.notifications.models import Notification

    contrat = client_du_courtier.contrats.get()
    autre = FormuleFactory.create(code="essentiel-test", libelle="Essentiel (test)")
    session_courtier.post(
        f"/courtier/contrats/{contrat.numero}/changement/formule/", {"formule": autre.pk, "justificatif": _pdf()}
    )
    assert Notification.objects.filter(adherent=client_du_courtier, titre__contains="bien reçue").exists()
    # The member's own page for the request says who filed it.
    demande = Demande.objects.get()
    client_du_courtier.user.is_active = True  # the member has activated the space
    client_du_courtier.user.save()
    membre = connecter(Client(), client_du_courtier.user)
    page = html.unescape(membre.get(f"/espace/demandes/{demande.numero}/").content.decode())
    assert "votre courtier" in page and "Essentiel (test)" in page


def test_another_firms_broker_cannot_file_a_change(session_autre: Client, client_du_courtier: Any) -> None:
    contrat = client_du_courtier.contrats.get()
    autre = FormuleFactory.create(code="essentiel-test", libelle="Essentiel (test)")
    response = session_autre.post(
        f"/courtier/contrats/{contrat.numero}/changement/formule/", {"formule": autre.pk, "justificatif": _pdf()}
    )
    assert response.status_code == 404 and not Demande.objects.exists()
    assert session_autre.get(f"/courtier/contrats/{contrat.numero}/changement/inconnu/").status_code == 404
