"""New memberships: the broker enters the prospect, the people covered, the bank account and the
signed bulletin; a handler accepts (the member, the contract placed by the broker, its beneficiaries
and the account are created, the member gets the activation email) or refuses with a reason."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from mutuelle.accounts.models import Courrier, TypeCourrier
from mutuelle.brokers.models import Affiliation, StatutAffiliation
from mutuelle.core.models import AuditLog
from mutuelle.members.models import Adherent, CoordonneesBancaires, StatutRib
from mutuelle.requests.tests.conftest import pdf_simple
from tests.factories import connecter, fake_nir

pytestmark = pytest.mark.django_db

IBAN = "FR76 3000 6000 0112 3456 7890 189"


def _effet() -> date:
    return (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)


def _donnees(formule: Any, **surcharges: Any) -> dict[str, Any]:
    naissance = date(1986, 2, 17)
    d: dict[str, Any] = {
        "civilite": "Mme",
        "prenom": "Agathe",
        "nom": "Morel",
        "date_naissance": naissance.isoformat(),
        "sexe": "2",
        "nir": fake_nir(sexe="2", naissance=naissance, departement="44"),
        "email": "agathe.morel@test.example",
        "telephone_mobile": "0612345678",
        "adresse_ligne1": "8 quai de la Fosse",
        "code_postal": "44000",
        "ville": "Nantes",
        "formule": formule.pk,
        "date_effet": _effet().isoformat(),
        "titulaire": "Agathe Morel",
        "iban": IBAN,
        "bic": "",
        "personne-TOTAL_FORMS": "3",
        "personne-INITIAL_FORMS": "0",
        "personne-MIN_NUM_FORMS": "0",
        "personne-MAX_NUM_FORMS": "9",
        "personne-0-qualite": "conjoint",
        "personne-0-prenom": "Hugo",
        "personne-0-nom": "Morel",
        "personne-0-date_naissance": "1984-06-30",
        "personne-0-sexe": "1",
        "personne-0-nir": fake_nir(sexe="1", naissance=date(1984, 6, 30), departement="44"),
        "personne-1-qualite": "enfant",
        "personne-1-prenom": "Lina",
        "personne-1-nom": "Morel",
        "personne-1-date_naissance": "2018-03-09",
        "personne-1-sexe": "2",
        "personne-1-nir": "",
        "personne-2-qualite": "",  # a row left empty, as a browser posts it
        "personne-2-prenom": "",
        "personne-2-sexe": "",
    }
    d.update(surcharges)
    return d


def _soumettre(client: Client, formule: Any, *, fichier: bytes | None = None, **surcharges: Any) -> Any:
    data = _donnees(formule, **surcharges)
    data["justificatif"] = SimpleUploadedFile(
        "bulletin.pdf", fichier or pdf_simple("Bulletin signé"), "application/pdf"
    )
    return client.post("/courtier/affiliations/nouvelle/", data)


def _fichiers_affiliations() -> list[str]:
    try:
        dossiers, _ = default_storage.listdir("affiliations")
    except FileNotFoundError:
        return []
    trouves = []
    for annee in dossiers:
        for mois in default_storage.listdir(f"affiliations/{annee}")[0]:
            trouves += default_storage.listdir(f"affiliations/{annee}/{mois}")[1]
    return trouves


def test_a_membership_goes_from_the_broker_to_a_handler_and_into_the_portfolio(
    session_courtier: Client, courtier: Any, formule: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    response = _soumettre(session_courtier, formule)
    assert response.status_code == 302, html.unescape(response.content.decode())
    affiliation = Affiliation.objects.get()
    assert response["Location"] == f"/courtier/affiliations/{affiliation.numero}/"
    assert affiliation.statut == StatutAffiliation.SOUMISE and len(affiliation.beneficiaires) == 2
    assert affiliation.iban == IBAN.replace(" ", "") and affiliation.bic
    assert "Transmise à la mutuelle" in session_courtier.get(response["Location"]).content.decode()
    # The handlers' queue holds it.
    handler = connecter(Client(), gestionnaire)
    file = handler.get("/gestion/files/affiliations/").content.decode()
    assert affiliation.numero in file
    fiche = handler.get(f"/gestion/affiliations/{affiliation.numero}/")
    assert fiche.status_code == 200 and "bulletin.pdf" in fiche.content.decode()
    bulletin = handler.get(f"/gestion/affiliations/{affiliation.numero}/bulletin/")
    assert b"".join(bulletin.streaming_content).startswith(b"%PDF")
    mail.outbox.clear()
    decision = handler.post(f"/gestion/affiliations/{affiliation.numero}/", {"decision": "acceptee"})
    assert decision.status_code == 302
    affiliation.refresh_from_db()
    assert affiliation.statut == StatutAffiliation.ACCEPTEE and affiliation.traitee_par == gestionnaire
    adherent = Adherent.objects.get(nir=affiliation.nir)
    contrat = affiliation.contrat
    assert contrat is not None
    assert contrat.adherent == adherent and contrat.courtier == courtier and contrat.date_debut == _effet()
    assert sorted(b.prenom for b in contrat.beneficiaires.all()) == ["Agathe", "Hugo", "Lina"]
    lina = contrat.beneficiaires.get(prenom="Lina")
    assert not lina.nir_personnel and lina.nir == adherent.nir
    rib = CoordonneesBancaires.objects.get(adherent=adherent)
    assert rib.statut == StatutRib.ACTIF and rib.iban == IBAN.replace(" ", "")
    # The member gets the activation link; the welcome letter waits for printing; the broker is told.
    destinataires = {m.to[0]: m for m in mail.outbox}
    assert "/connexion/activer/" in destinataires["agathe.morel@test.example"].body
    assert contrat.numero in str(destinataires[courtier.user.email].body)
    assert Courrier.objects.filter(adherent=adherent, type_courrier=TypeCourrier.BIENVENUE).exists()
    assert AuditLog.objects.filter(action="brokers.affiliation.accepted", acteur=gestionnaire).exists()
    # The broker finds the new client in the portfolio.
    assert "Morel" in session_courtier.get("/courtier/portefeuille/?q=morel").content.decode()
    # Handlers see which broker placed the contract.
    onglet = html.unescape(handler.get(f"/gestion/adherents/{adherent.numero}/?onglet=contrat").content.decode())
    assert courtier.user.get_full_name() in onglet and affiliation.numero in onglet


@pytest.mark.parametrize(
    ("surcharges", "message"),
    [
        ({"nir": "286024400100150"}, "NIR"),
        ({"iban": "FR76 3000 6000 0112 3456 7890 188"}, "IBAN"),
        ({"date_effet": "2020-01-01"}, "date d'effet ne peut pas être passée"),
        ({"personne-0-nir": "184064400100199"}, "Bénéficiaire 1"),
        ({"personne-0-date_naissance": "pas une date"}, "date"),
    ],
)
def test_a_wrong_membership_is_refused_with_what_to_fix_and_leaves_nothing(
    session_courtier: Client, formule: Any, mutuelle: Any, surcharges: dict[str, str], message: str
) -> None:
    response = _soumettre(session_courtier, formule, **dict[str, Any](surcharges))
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Rien n'a été transmis" in page and message.lower() in page.lower()
    assert not Affiliation.objects.exists()
    assert _fichiers_affiliations() == []


def test_a_file_that_is_not_a_document_is_refused(session_courtier: Client, formule: Any, mutuelle: Any) -> None:
    response = _soumettre(session_courtier, formule, fichier=b"MZ\x90\x00 not a pdf")
    assert response.status_code == 400 and not Affiliation.objects.exists()


def test_an_existing_members_nir_is_not_revealed_to_the_broker_but_stops_the_handler(
    session_courtier: Client, formule: Any, adherent: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    response = _soumettre(
        session_courtier,
        formule,
        nir=adherent.nir,
        date_naissance=adherent.date_naissance.isoformat(),
        sexe=adherent.sexe,
    )
    assert response.status_code == 302  # the broker learns nothing of who is a member
    affiliation = Affiliation.objects.get()
    handler = connecter(Client(), gestionnaire)
    assert "déjà celui de l'adhérent" in html.unescape(
        handler.get(f"/gestion/affiliations/{affiliation.numero}/").content.decode()
    )
    response = handler.post(f"/gestion/affiliations/{affiliation.numero}/", {"decision": "acceptee"})
    assert response.status_code == 400 and "déjà adhérente" in html.unescape(response.content.decode())
    affiliation.refresh_from_db()
    assert affiliation.statut == StatutAffiliation.SOUMISE and Adherent.objects.count() == 1


def test_a_refusal_needs_a_reason_that_the_broker_reads(
    session_courtier: Client, courtier: Any, formule: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    _soumettre(session_courtier, formule)
    affiliation = Affiliation.objects.get()
    handler = connecter(Client(), gestionnaire)
    url = f"/gestion/affiliations/{affiliation.numero}/"
    assert handler.post(url, {"decision": "refusee", "motif": " "}).status_code == 400
    mail.outbox.clear()
    assert handler.post(url, {"decision": "refusee", "motif": "Bulletin non signé."}).status_code == 302
    affiliation.refresh_from_db()
    assert affiliation.statut == StatutAffiliation.REFUSEE and not Adherent.objects.filter(nir=affiliation.nir).exists()
    assert "Bulletin non signé." in mail.outbox[0].body and mail.outbox[0].to == [courtier.user.email]
    assert (
        "Bulletin non signé." in session_courtier.get(f"/courtier/affiliations/{affiliation.numero}/").content.decode()
    )
    # A decided membership cannot be decided again.
    again = handler.post(url, {"decision": "acceptee"})
    assert again.status_code == 400 and "déjà refusée" in html.unescape(again.content.decode())
    affiliation.refresh_from_db()
    assert affiliation.statut == StatutAffiliation.REFUSEE


def test_nobody_else_sees_a_membership(
    session_courtier: Client,
    session_autre: Client,
    session_collegue: Client,
    formule: Any,
    adherent: Any,
    mutuelle: Any,
) -> None:
    _soumettre(session_courtier, formule)
    numero = Affiliation.objects.get().numero
    assert session_autre.get(f"/courtier/affiliations/{numero}/").status_code == 404
    assert numero not in session_autre.get("/courtier/affiliations/").content.decode()
    # A broker of the same firm who is not its administrator sees their own only.
    assert session_collegue.get(f"/courtier/affiliations/{numero}/").status_code == 404
    # The handlers' screens: 404 to a broker, 403 to a member.
    assert session_courtier.get(f"/gestion/affiliations/{numero}/").status_code == 404
    assert session_courtier.get(f"/gestion/affiliations/{numero}/bulletin/").status_code == 404
    assert connecter(Client(), adherent.user).get(f"/gestion/affiliations/{numero}/").status_code == 403
