"""Documents issued from « Mes documents »: real PDFs read back (pypdf), rendered (pdftoppm), their 2D
codes decoded (libdmtx, zbar); only the member's own family; every issue audited."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from mutuelle.core.models import AuditLog
from mutuelle.documents.models import Document
from mutuelle.members.models import Cotisation, ModePaiement, Qualite, Sexe, TypeDroit
from mutuelle.members.services import beneficiaire_ajouter, droit_periode_ajouter
from tests.factories import connecter, fake_nir, ligne_make
from tests.pdf import pdf_png, pdf_texte, png_codes

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre


def _client(adherent: Any) -> Client:
    return connecter(Client(), adherent.user)


def _emettre(client: Client, type_document: str, **data: Any) -> Document:
    response = client.post(f"/espace/documents/emettre/{type_document}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(re.search(r"/espace/documents/(\d+)/pdf/", response["Location"]).group(1))  # type: ignore[union-attr]
    telechargement = client.get(response["Location"])
    assert telechargement.status_code == 200 and telechargement["Content-Type"] == "application/pdf"
    assert "attachment" in telechargement["Content-Disposition"]
    assert b"".join(telechargement.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    return Document.objects.get(pk=pk)


def _zoe(contrat: Any, entree: date) -> None:
    """A baby joins the family."""
    beneficiaire_ajouter(
        contrat=contrat,
        qualite=Qualite.ENFANT,
        nom="Lefebvre",
        prenom="Zoé",
        date_naissance=date(2024, 4, 2),
        sexe=Sexe.FEMME,
        nir=fake_nir(sexe="2", naissance=date(2024, 4, 2)),
        date_entree=entree,
    )


# -- the tiers-payant card ---------------------------------------------------------------------------


def test_the_card_prints_the_family_and_the_domains_and_its_datamatrix_carries_them(
    adherent, contrat, garanties, mutuelle
):
    document = _emettre(_client(adherent), "carte_tp")
    lecteur = PdfReader(document.fichier.path)
    assert len(lecteur.pages) == 1
    boite = lecteur.pages[0].mediabox
    assert round(float(boite.width) / MM, 1) == 171.2 and round(float(boite.height) / MM, 1) == 108.0
    assert abs(float(boite.width) / float(boite.height) - 85.6 / 53.98) < 0.01  # a bank card's proportions
    texte = pdf_texte(document.fichier.path)
    for attendu in (
        mutuelle.nom_court,
        mutuelle.numero_amc,
        adherent.numero,
        "Julien",
        "Léa",
        "Nathan",
        adherent.nir,
        "PHAR",
        "150 %",
        "PEC",
        "100 % Santé",
        "contrat responsable",
        mutuelle.telephone_professionnels,
        f"du 01/01/{timezone.localdate().year} au 31/12/{timezone.localdate().year}",
    ):
        assert attendu in texte, attendu
    assert "AUDI" not in texte  # the formula has no hearing guarantee
    # The metadata and the structure of a tagged PDF.
    assert lecteur.metadata is not None and lecteur.metadata.author == mutuelle.nom_court
    assert lecteur.metadata.title.startswith("Carte de tiers payant")
    assert "/StructTreeRoot" in lecteur.trailer["/Root"]
    # The 2D codes, as a practitioner's scanner would read them from the printed card.
    codes = png_codes(pdf_png(document.fichier.path, "document-carte-tiers-payant", dpi=300))
    assert len(codes["datamatrix"]) == 1
    donnees = codes["datamatrix"][0].decode("ascii")
    assert donnees.startswith(f"CTP1|AMC={mutuelle.numero_amc}|TC=TP|") and f"|ADH={adherent.numero}|" in donnees
    assert donnees.count(",") == 2 * 4 and "PHAR:100;MED:150;" in donnees and "OPTI:PEC;DENT:100S" in donnees
    assert len(codes["qr"]) == 1 and re.fullmatch(
        re.escape(settings.MUTUELLE_BASE_URL) + r"/verifier/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/",
        codes["qr"][0].decode(),
    )


def test_a_beneficiary_added_to_the_family_appears_on_the_next_card(adherent, contrat, garanties):
    client = _client(adherent)
    premiere = _emettre(client, "carte_tp")
    assert _emettre(client, "carte_tp").pk == premiere.pk  # nothing changed: the same card
    _zoe(contrat, timezone.localdate())
    nouvelle = _emettre(client, "carte_tp")
    assert nouvelle.pk != premiere.pk and "Zoé" in pdf_texte(nouvelle.fichier.path)
    premiere.refresh_from_db()
    assert premiere.remplace_le is not None
    # The phone version shows the same card.
    page = client.get("/espace/documents/carte/").content.decode()
    assert "Zoé" in page and "<svg" in page and adherent.numero in page


def test_a_member_without_a_contract_in_force_is_told_why(adherent, mutuelle):
    response = _client(adherent).post("/espace/documents/emettre/carte_tp/")
    assert response.status_code == 400
    assert "pas de contrat en cours" in html.unescape(response.content.decode())
    assert not Document.objects.exists()


# -- attestations ------------------------------------------------------------------------------------


def test_the_attestation_de_droits_lists_the_people_the_guarantees_and_lasts_three_months(adherent, contrat, garanties):
    document = _emettre(_client(adherent), "attestation_droits")
    texte = pdf_texte(document.fichier.path)
    for attendu in ("Julien", "Léa", "Nathan", contrat.numero, garanties.libelle, "150 % BR", "150,00 €"):
        assert attendu in texte, attendu
    assert "300,00 € par 2 ans" in texte
    aujourdhui = timezone.localdate()
    assert document.valide_du == aujourdhui
    assert (document.valide_jusqu_au - aujourdhui).days in range(89, 93)
    assert f"valable jusqu'au {document.valide_jusqu_au:%d/%m/%Y}" in texte


def _cotisations(contrat: Any, annee: int) -> None:
    for mois in range(1, 13):
        Cotisation.objects.create(
            contrat=contrat,
            echeance=date(annee, mois, 1),
            montant=Decimal("112.50"),
            montant_paye=Decimal("112.50"),
            date_paiement=date(annee, mois, 5),
            mode_paiement=ModePaiement.PRELEVEMENT,
        )


def test_the_attestation_fiscale_sums_the_premiums_paid_in_a_past_year(adherent, contrat):
    annee = timezone.localdate().year - 1
    _cotisations(contrat, annee)
    _cotisations(contrat, annee - 1)
    client = _client(adherent)
    page = client.get("/espace/documents/").content.decode()
    assert f'<option value="{annee}"' in page and f'<option value="{annee - 1}"' in page
    document = _emettre(client, "attestation_fiscale", annee=annee)
    texte = pdf_texte(document.fichier.path)
    assert "1 350,00 €" in texte and f"l'année {annee}" in texte
    # The current year is not over: its attestation does not exist yet; a made-up year is refused.
    response = client.post("/espace/documents/emettre/attestation_fiscale/", {"annee": annee + 1})
    assert response.status_code == 400
    response = client.post("/espace/documents/emettre/attestation_fiscale/", {"annee": "1990"})
    assert response.status_code == 400 and Document.objects.count() == 1


def test_the_attestation_fiscale_of_the_current_year_waits_for_january(adherent, contrat, mutuelle):
    from mutuelle.documents.contenus import DocumentIndisponible, attestation_fiscale

    with pytest.raises(DocumentIndisponible, match="à partir du 1er janvier"):
        attestation_fiscale(adherent, mutuelle, annee=timezone.localdate().year)


# -- relevés -----------------------------------------------------------------------------------------


def test_a_releve_lists_every_act_of_the_period_per_person_with_totals(adherent, contrat, autre_adherent):
    julien, lea = contrat.beneficiaires.get(prenom="Julien"), contrat.beneficiaires.get(prenom="Léa")
    from tests.factories import PraticienFactory

    consultation = ligne_make(
        beneficiaire=julien, date_soins=date(2026, 3, 3), depense="30.00", amo="19.00", amc="9.00"
    )
    # Who gave the care is named from the directory, as on the member's list.
    consultation.praticien_identifiant = PraticienFactory(civilite="Dr", prenom="Aurore", nom="Fictif").rpps
    consultation.save(update_fields=["praticien_identifiant"])
    ligne_make(
        beneficiaire=lea, date_soins=date(2026, 3, 20), poste="pharmacie_65", depense="12.40", amo="8.06", amc="4.34"
    )
    ligne_make(beneficiaire=lea, date_soins=date(2026, 5, 2), depense="99.00", amo="1.00", amc="1.00")  # outside
    autre = autre_adherent.contrats.get().beneficiaires.get()
    ligne_make(beneficiaire=autre, date_soins=date(2026, 3, 10), depense="777.00", amo="1.00", amc="1.00")
    client = _client(adherent)
    document = _emettre(client, "releve", periode="personnalisee", du="2026-03-01", au="2026-03-31")
    texte = pdf_texte(document.fichier.path)
    assert "Julien Lefebvre" in texte and "Léa Lefebvre" in texte and "2 actes" in texte
    assert "42,40 €" in texte and "27,06 €" in texte  # family totals: spent, Sécu
    assert "777,00" not in texte and "99,00" not in texte
    assert "Dr Aurore Fictif" in texte
    assert document.parametres == {"du": "2026-03-01", "au": "2026-03-31"}
    pdf_png(document.fichier.path, "document-releve")
    # Wrong periods get a sentence, not a PDF.
    for data, message in (
        ({"periode": "personnalisee", "du": "2026-03-01"}, "indiquez la date de début et la date de fin"),
        ({"periode": "personnalisee", "du": "2026-04-01", "au": "2026-03-01"}, "doit précéder"),
        ({"periode": "personnalisee", "du": "2019-01-01", "au": "2026-03-01"}, "au plus trois ans"),
    ):
        response = client.post("/espace/documents/emettre/releve/", data)
        assert response.status_code == 400 and message in html.unescape(response.content.decode()), message
    assert Document.objects.count() == 1


def test_a_year_long_releve_of_many_acts_runs_over_several_pages_with_page_numbers(adherent, contrat):
    julien = contrat.beneficiaires.get(prenom="Julien")
    for i in range(80):
        ligne_make(beneficiaire=julien, date_soins=date(2025, 1, 1) + timedelta(days=4 * i))
    document = _emettre(_client(adherent), "releve", periode="personnalisee", du="2025-01-01", au="2025-12-31")
    assert document.pages >= 2
    assert f"Page 2 / {document.pages}" in pdf_texte(document.fichier.path)


# -- bulletin, ACS/CSS -------------------------------------------------------------------------------


def test_the_bulletin_shows_the_contract_as_signed_and_the_people_added_since(adherent, contrat):
    _zoe(contrat, date(2024, 5, 1))
    texte = pdf_texte(_emettre(_client(adherent), "bulletin").fichier.path)
    assert contrat.numero in texte and "01/01/2022" in texte
    avant, _, apres = texte.partition("Ajoutées depuis")
    assert "Julien" in avant and "Zoé" in apres and "Zoé" not in avant


def test_the_acs_css_history_is_offered_only_to_families_who_had_them(adherent, contrat):
    client = _client(adherent)
    assert "Historique ACS / CSS" not in client.get("/espace/documents/").content.decode()
    response = client.post("/espace/documents/emettre/aides/")
    assert response.status_code == 400 and "Aucune période d'ACS" in html.unescape(response.content.decode())
    assure = contrat.beneficiaires.get(qualite=Qualite.ASSURE)
    droit_periode_ajouter(
        beneficiaire=assure, type_droit=TypeDroit.CSS, date_debut=date(2023, 1, 1), date_fin=date(2023, 12, 31)
    )
    assert "Historique ACS / CSS" in client.get("/espace/documents/").content.decode()
    texte = pdf_texte(_emettre(client, "aides").fichier.path)
    assert "Complémentaire santé solidaire" in texte and "01/01/2023" in texte and "31/12/2023" in texte


# -- access, history, audit --------------------------------------------------------------------------


def test_documents_are_the_familys_alone(adherent, contrat, autre_adherent, gestionnaire, courtier, garanties):
    document = _emettre(_client(adherent), "attestation_droits")
    url = f"/espace/documents/{document.pk}/pdf/"
    assert _client(autre_adherent).get(url).status_code == 404
    assert connecter(Client(), gestionnaire).get(url).status_code == 403
    assert connecter(Client(), courtier.user).get("/espace/documents/").status_code == 404
    anonyme = Client().get(url)
    assert anonyme.status_code == 302 and anonyme["Location"].startswith("/connexion/")
    assert url not in _client(autre_adherent).get("/espace/documents/").content.decode()


def test_issuing_needs_a_post_with_its_csrf_token(adherent, contrat, http):
    connecter(http, adherent.user)
    assert http.post("/espace/documents/emettre/attestation_droits/").status_code == 403
    assert http.get("/espace/documents/emettre/attestation_droits/").status_code == 405
    assert http.post("/espace/documents/emettre/inconnu/").status_code in (403, 404)
    assert not Document.objects.exists()


def test_every_issue_and_download_is_audited_and_listed_in_the_history(adherent, contrat, garanties):
    client = _client(adherent)
    document = _emettre(client, "attestation_droits")
    emis = AuditLog.objects.get(action="documents.document.issued")
    assert emis.adherent_id == adherent.pk and emis.cible_id == str(document.pk)
    assert AuditLog.objects.filter(action="documents.document.downloaded", cible_id=str(document.pk)).exists()
    page = client.get("/espace/documents/").content.decode()
    assert document.titre in page and f"/espace/documents/{document.pk}/pdf/" in page


def test_a_member_issuing_documents_in_a_loop_is_slowed_down(adherent, contrat, garanties, settings):
    settings.MUTUELLE_LIMITE_DOCUMENTS = "2/10m"
    client = _client(adherent)
    _emettre(client, "attestation_droits")
    _emettre(client, "attestation_droits")
    response = client.post("/espace/documents/emettre/attestation_droits/")
    assert response.status_code == 429 and "Mes documents" in response.content.decode()
    assert AuditLog.objects.filter(action="documents.emission.throttled").exists()


def test_the_bulletin_shows_the_reimbursement_account_masked(adherent, contrat):
    from mutuelle.members.models import CoordonneesBancaires
    from mutuelle.members.services import rib_activer

    rib = CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire="Camille Lefebvre", iban="FR7630006000011234567890189", bic="AGRIFRPPXXX"
    )
    rib_activer(rib=rib)
    texte = pdf_texte(_emettre(_client(adherent), "bulletin").fichier.path)
    assert "FR76 •••• •••• •••• •••• •••• 189" in texte and "30006000011234567890" not in texte
