"""The portfolio: a broker sees the contracts they placed, the firm's administrator those of the whole
firm, another firm nothing; filters, search, CSV; the contract page; documents issued for a client."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from mutuelle.brokers import selectors
from mutuelle.core.models import AuditLog
from mutuelle.documents.models import Document
from mutuelle.members.models import Cotisation, ModePaiement
from tests.factories import connecter, garanties_carte

pytestmark = pytest.mark.django_db


def _texte(response: Any) -> str:
    return response.content.decode()


def test_a_broker_sees_their_own_clients_only(
    courtier: Any, collegue: Any, client_du_courtier: Any, client_du_collegue: Any, client_autre_cabinet: Any
) -> None:
    collegue_page = _texte(connecter(Client(), collegue.user).get("/courtier/portefeuille/"))
    assert "Garnier" in collegue_page
    assert "Roussel" not in collegue_page and "Benard" not in collegue_page


def test_the_firm_administrator_sees_both_brokers_portfolios_and_can_narrow_to_one(
    session_courtier: Client,
    courtier: Any,
    collegue: Any,
    client_du_courtier: Any,
    client_du_collegue: Any,
    client_autre_cabinet: Any,
) -> None:
    # By contract number: the brokers' own names are drawn at random and may be a client's surname.
    roussel, garnier, benard = (
        a.contrats.get().numero for a in (client_du_courtier, client_du_collegue, client_autre_cabinet)
    )
    page = _texte(session_courtier.get("/courtier/portefeuille/"))
    assert roussel in page and garnier in page and benard not in page
    assert "Paul Collin" in page  # the broker column appears for a firm with several brokers
    un = _texte(session_courtier.get(f"/courtier/portefeuille/?courtier={collegue.pk}"))
    assert garnier in un and roussel not in un


def test_another_firm_sees_none_of_it(
    session_autre: Client, client_du_courtier: Any, client_du_collegue: Any, client_autre_cabinet: Any
) -> None:
    page = _texte(session_autre.get("/courtier/portefeuille/"))
    numero = client_du_courtier.contrats.get().numero
    assert client_autre_cabinet.contrats.get().numero in page
    assert numero not in page and client_du_collegue.contrats.get().numero not in page
    assert session_autre.get(f"/courtier/contrats/{numero}/").status_code == 404
    assert session_autre.post(f"/courtier/contrats/{numero}/documents/attestation_droits/").status_code == 404
    assert session_autre.get(f"/courtier/contrats/{numero}/changement/formule/").status_code == 404
    assert (
        session_autre.get(f"/courtier/portefeuille/?q={client_du_courtier.numero}").content.count(numero.encode()) == 0
    )


def test_search_filters_and_arrears(session_courtier: Client, client_du_courtier: Any, client_du_collegue: Any) -> None:
    contrat = client_du_courtier.contrats.get()
    Cotisation.objects.create(
        contrat=contrat, echeance=date(2026, 1, 1), montant=Decimal("84.30"), mode_paiement=ModePaiement.PRELEVEMENT
    )
    assert "Roussel" in _texte(session_courtier.get(f"/courtier/portefeuille/?q={client_du_courtier.numero}"))
    assert "Garnier" not in _texte(session_courtier.get("/courtier/portefeuille/?q=rous"))
    impayes = _texte(session_courtier.get("/courtier/portefeuille/?cotisations=impayees"))
    assert "Roussel" in impayes and "Garnier" not in impayes and "84,30" in impayes
    assert "Roussel" not in _texte(session_courtier.get("/courtier/portefeuille/?cotisations=a_jour"))
    assert "Aucun contrat ne correspond" in _texte(session_courtier.get("/courtier/portefeuille/?statut=resilie"))


def test_the_csv_export_lists_the_selection_and_no_health_data(
    session_courtier: Client, client_du_courtier: Any, client_du_collegue: Any, ligne_du_client: Any
) -> None:
    response = session_courtier.get("/courtier/portefeuille/?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    contenu = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(contenu), delimiter=";"))
    assert rows[0][:4] == ["Contrat", "N° d'adhérent", "Adhérent", "Formule"]
    assert {r[2] for r in rows[1:]} == {"Inès Roussel", "Luc Garnier"}
    assert "987" not in contenu and "dentaire" not in contenu.lower()
    assert AuditLog.objects.filter(action="brokers.portefeuille.exported").exists()


def test_the_contract_page_shows_the_contract_and_never_care(
    session_courtier: Client, famille_du_client: Any, ligne_du_client: Any, courtier: Any
) -> None:
    contrat = famille_du_client.contrats.get()
    page = _texte(session_courtier.get(f"/courtier/contrats/{contrat.numero}/"))
    assert contrat.numero in page and "Maël" in page and "Confort (test)" in page
    # Nothing of the reimbursement: neither the act, nor its amounts.
    for trace in ("987", "23,45", "SOINS DENTAIRES", "Remboursé", "remboursements"):
        assert trace not in page, trace
    assert AuditLog.objects.filter(action="brokers.contrat.viewed", cible_id=str(contrat.pk)).exists()


def test_a_broker_downloads_an_attestation_and_a_card_for_a_client_and_each_download_is_audited(
    session_courtier: Client, client_du_courtier: Any, formule: Any, courtier: Any
) -> None:
    garanties_carte(formule)
    numero = client_du_courtier.contrats.get().numero
    for type_document in ("attestation_droits", "carte_tp"):
        response = session_courtier.post(f"/courtier/contrats/{numero}/documents/{type_document}/")
        assert response.status_code == 302, type_document
        pdf = session_courtier.get(response["Location"])
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        texte = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages[0].extract_text()  # type: ignore[attr-defined]
        assert "Roussel" in texte, type_document
        assert f'{client_du_courtier.numero}.pdf"' in pdf["Content-Disposition"]  # the client's number names it
    assert AuditLog.objects.filter(action="brokers.document.downloaded", acteur=courtier.user).count() == 2
    documents = Document.objects.filter(adherent=client_du_courtier)
    assert {d.demande_par for d in documents} == {courtier.user}


def test_health_documents_and_unknown_kinds_are_not_in_the_broker_space(
    session_courtier: Client, client_du_courtier: Any, courtier: Any
) -> None:
    from mutuelle.core.services import mutuelle_lire
    from mutuelle.documents import contenus
    from mutuelle.documents.services import document_emettre

    numero = client_du_courtier.contrats.get().numero
    releve = document_emettre(
        adherent=client_du_courtier,
        contenu=contenus.releve(client_du_courtier, mutuelle_lire(), du=date(2026, 1, 1), au=date(2026, 6, 30)),
        demande_par=client_du_courtier.user,
    )
    assert session_courtier.get(f"/courtier/documents/{releve.pk}/").status_code == 404
    for type_document in ("releve", "attestation_fiscale", "aides", "inconnu"):
        assert session_courtier.post(f"/courtier/contrats/{numero}/documents/{type_document}/").status_code == 404
    assert not Document.objects.filter(demande_par=courtier.user).exists()


def test_a_document_of_another_firms_client_answers_404(
    session_courtier: Client, session_autre: Client, client_autre_cabinet: Any
) -> None:
    numero = client_autre_cabinet.contrats.get().numero
    response = session_autre.post(f"/courtier/contrats/{numero}/documents/attestation_droits/")
    assert session_courtier.get(response["Location"]).status_code == 404


def test_the_scope_lives_in_one_selector(
    courtier: Any, collegue: Any, client_du_courtier: Any, client_du_collegue: Any
) -> None:
    assert set(selectors.portefeuille(courtier).values_list("adherent__nom", flat=True)) == {"Roussel", "Garnier"}
    assert set(selectors.portefeuille(collegue).values_list("adherent__nom", flat=True)) == {"Garnier"}
    # A broker whose access was closed is no broker any more.
    collegue.user.is_active = False
    collegue.user.save()
    assert selectors.courtier_de(collegue.user) is None


def test_members_and_staff_are_refused_and_visitors_sent_to_the_broker_login(
    adherent: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    assert connecter(Client(), adherent.user).get("/courtier/portefeuille/").status_code == 403
    assert connecter(Client(), gestionnaire).get("/courtier/portefeuille/").status_code == 403
    response = Client().get("/courtier/portefeuille/")
    assert response.status_code == 302 and response["Location"].startswith("/courtier/connexion/?next=")


def _impaye(courtier: Any) -> Any:
    contrat: Any = selectors.portefeuille(courtier).get()
    return contrat.impaye


def test_this_months_premium_is_not_an_arrear_before_its_grace_period(courtier: Any, client_du_courtier: Any) -> None:
    import time_machine

    contrat = client_du_courtier.contrats.get()
    Cotisation.objects.create(
        contrat=contrat, echeance=date(2026, 12, 1), montant=Decimal("84.30"), mode_paiement=ModePaiement.PRELEVEMENT
    )
    with time_machine.travel(date(2026, 12, 3), tick=False):
        assert _impaye(courtier) == 0
    with time_machine.travel(date(2026, 12, 16), tick=False):
        assert _impaye(courtier) == Decimal("84.30")
