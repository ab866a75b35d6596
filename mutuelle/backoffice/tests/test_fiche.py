"""The member file and the search: every opening is audited (who looked at whose file, which tab,
from where); the search is parameterised, capped, and takes wildcards literally."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mutuelle.claims.models import Statut
from mutuelle.core.models import AuditLog
from mutuelle.requests.models import Demande, StatutDemande, TypeDemande
from tests.factories import connecter, ligne_make


@pytest.mark.django_db
def test_opening_a_member_file_is_audited_and_listed_in_its_journal(
    client: Any, contrat: Any, adherent: Any, gestionnaire: Any
) -> None:
    connecter(client, gestionnaire)
    url = reverse("backoffice:fiche", kwargs={"numero": adherent.numero})
    page = client.get(url, {"onglet": "remboursements", "depuis": "revue"})
    assert page.status_code == 200
    entree = AuditLog.objects.get(action="backoffice.fiche.viewed")
    assert (entree.acteur, entree.adherent) == (gestionnaire, adherent)
    assert "Remboursements" in entree.message and "Remboursements en revue manuelle" in entree.message
    journal = client.get(url, {"onglet": "journal"}).content.decode()
    assert "backoffice.fiche.viewed" in journal and str(gestionnaire) in journal


@pytest.mark.django_db
def test_every_tab_of_the_member_file_answers(client: Any, contrat: Any, adherent: Any, gestionnaire: Any) -> None:
    from mutuelle.backoffice.selectors import ONGLETS

    ligne_make(beneficiaire=contrat.beneficiaires.first(), statut=Statut.PAYE)
    connecter(client, gestionnaire)
    url = reverse("backoffice:fiche", kwargs={"numero": adherent.numero})
    for onglet in ONGLETS:
        assert client.get(url, {"onglet": onglet}).status_code == 200, onglet
    contrat_page = client.get(url, {"onglet": "contrat"}).content.decode()
    assert contrat.numero in contrat_page and "périodes de droits" in contrat_page
    assert AuditLog.objects.filter(action="backoffice.fiche.viewed", adherent=adherent).count() == len(ONGLETS) + 1


@pytest.mark.django_db
def test_a_member_cannot_open_a_member_file_not_even_their_own(client: Any, adherent: Any) -> None:
    connecter(client, adherent.user, methode="aucun")
    assert client.get(reverse("backoffice:fiche", kwargs={"numero": adherent.numero})).status_code == 403
    assert not AuditLog.objects.filter(action="backoffice.fiche.viewed").exists()


@pytest.mark.django_db
def test_search_by_member_number_nir_and_decompte_opens_the_file(
    client: Any, contrat: Any, adherent: Any, autre_adherent: Any, gestionnaire: Any
) -> None:
    connecter(client, gestionnaire)
    fiche = reverse("backoffice:fiche", kwargs={"numero": adherent.numero})
    recherche = reverse("backoffice:recherche")
    assert client.post(recherche, {"q": adherent.numero})["Location"].startswith(fiche)
    nir = adherent.nir
    espace = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    assert client.post(recherche, {"q": espace})["Location"].startswith(fiche)
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.last())
    assert client.post(recherche, {"q": str(ligne.decompte.numero)})["Location"].startswith(fiche)
    assert AuditLog.objects.filter(action="backoffice.recherche.performed", acteur=gestionnaire).count() == 3


@pytest.mark.django_db
def test_search_by_name_and_by_date_of_birth(
    client: Any, adherent: Any, autre_adherent: Any, gestionnaire: Any
) -> None:
    connecter(client, gestionnaire)
    recherche = reverse("backoffice:recherche")
    trouves = client.post(recherche, {"q": "lefeb"}).context["resultats"].adherents
    assert trouves == [adherent]
    trouves = client.post(recherche, {"q": adherent.date_naissance.strftime("%d/%m/%Y")}).context["resultats"].adherents
    assert trouves == [adherent]


@pytest.mark.django_db
def test_search_takes_wildcards_literally_and_is_capped(
    client: Any, adherent: Any, autre_adherent: Any, gestionnaire: Any
) -> None:
    connecter(client, gestionnaire)
    recherche = reverse("backoffice:recherche")
    for joker in ("%%", "__", "%a%", "' OR 1=1 --"):
        page = client.post(recherche, {"q": joker})
        assert page.status_code in (200, 400)
        resultats = page.context["resultats"]
        assert resultats is None or resultats.adherents == [], joker
    trop_long = client.post(recherche, {"q": "a" * 101})
    assert trop_long.status_code == 400 and "100 caractères" in trop_long.content.decode()
    assert client.post(recherche, {"q": "a"}).status_code == 400


@pytest.mark.django_db
def test_the_dashboard_counts_received_processed_and_on_time_and_exports_csv(
    client: Any, adherent: Any, responsable: Any, gestionnaire: Any
) -> None:
    maintenant = timezone.now()
    a_temps = Demande.objects.create(
        numero="D2026-000001", adherent=adherent, type_demande=TypeDemande.DOCUMENT, echeance=timezone.localdate()
    )
    en_retard = Demande.objects.create(
        numero="D2026-000002",
        adherent=adherent,
        type_demande=TypeDemande.DOCUMENT,
        echeance=timezone.localdate() - timedelta(days=3),
    )
    for demande in (a_temps, en_retard):
        demande.statut = StatutDemande.TRAITEE
        demande.traitee_le = maintenant
        demande.save()
    Demande.objects.create(
        numero="D2026-000003", adherent=adherent, type_demande=TypeDemande.DOCUMENT, echeance=date(2020, 1, 1)
    )
    connecter(client, responsable)
    page = client.get(reverse("backoffice:tableau_de_bord"), {"jours": "7"})
    documents = next(ligne for ligne in page.context["t"].files if ligne.file.cle == "documents")
    assert (documents.recus, documents.traites, documents.dans_les_delais, documents.taux) == (3, 2, 1, 50)
    assert (documents.ouverts, documents.en_retard) == (1, 1)
    export = client.get(reverse("backoffice:tableau_de_bord"), {"jours": "7", "export": "files"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "file"
    assert rows[[r[0] for r in rows].index("Documents reçus")][:6] == ["Documents reçus", "3", "2", "50", "1", "1"]
    assert AuditLog.objects.filter(action="backoffice.tableau.exported", acteur=responsable).exists()
    assert client.get(reverse("backoffice:tableau_de_bord"), {"export": "inconnu"}).status_code == 404
    connecter(client, gestionnaire)
    assert client.get(reverse("backoffice:tableau_de_bord")).status_code == 403


@pytest.mark.django_db
def test_the_search_is_a_post_so_a_nir_never_stands_in_a_url(client: Any, adherent: Any, gestionnaire: Any) -> None:
    connecter(client, gestionnaire)
    recherche = reverse("backoffice:recherche")
    page = client.get(recherche).content.decode()
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    reponse = client.post(recherche, {"q": adherent.nir})
    assert reponse.status_code == 302 and adherent.nir not in reponse["Location"]
    # A search in the address is not run (it would be written to every access log on the way).
    assert client.get(recherche, {"q": adherent.nir}).context["resultats"] is None
    assert AuditLog.objects.filter(action="backoffice.recherche.performed").count() == 1
