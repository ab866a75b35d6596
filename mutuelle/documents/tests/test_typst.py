"""The relevé de prestations is set by Typst: a tagged PDF/UA-1 in the member's language, where what
the database holds is printed as text and never read as Typst markup; a template that warns or that
reaches outside its folder is refused."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.test import Client

from mutuelle.documents import composition, rendu
from mutuelle.documents.models import Document
from mutuelle.documents.services import document_verifier, url_verification
from tests.factories import connecter, ligne_make
from tests.pdf import pdf_png, pdf_texte, pdf_texte_brut, png_codes

pytestmark = pytest.mark.django_db


def _releve(adherent: Any, du: str, au: str) -> Document:
    client = connecter(Client(), adherent.user)
    reponse = client.post("/espace/documents/emettre/releve/", {"periode": "personnalisee", "du": du, "au": au})
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    return Document.objects.latest("emis_le")


def test_the_releve_is_a_tagged_pdf_ua_with_its_tables_title_and_language(adherent, contrat, mutuelle):
    julien = contrat.beneficiaires.get(prenom="Julien")
    ligne_make(beneficiaire=julien, date_soins=date(2026, 3, 3), depense="30.00", amo="19.00", amc="9.00")
    document = _releve(adherent, "2026-03-01", "2026-03-31")
    with pikepdf.open(document.fichier.path) as pdf:
        racine = pdf.Root
        assert racine.Lang == "fr" and racine.MarkInfo.Marked is True
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"].startswith("Relevé de prestations du 01/03/2026 au 31/03/2026")
            assert xmp["dc:creator"] == [mutuelle.nom_court]
        roles = set()
        pile = [racine.StructTreeRoot]
        while pile:
            element = pile.pop()
            if isinstance(element, pikepdf.Dictionary):
                if "/S" in element:
                    roles.add(str(element.S))
                kids = element.get("/K")
                pile.extend(kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else [])
        # A screen reader is told the structure: headings, tables with their header cells, the QR's text.
        assert {"/H1", "/H2", "/Table", "/TR", "/TH", "/TD", "/Figure"} <= roles, roles
    assert document.pages == 1
    # The verification QR code printed at the foot is the document's own: it opens the page that
    # checks the code printed beside it, and that page knows the document.
    codes = png_codes(pdf_png(document.fichier.path, "releve-typst"))
    code = re.search(r"Code de vérification : ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", pdf_texte(document.fichier.path))
    assert code is not None
    assert [q.decode() for q in codes["qr"]] == [url_verification(code.group(1).replace("-", ""))]
    assert document_verifier(code.group(1)) is not None


def test_what_the_database_holds_is_printed_as_text_never_read_as_typst(adherent, contrat, mutuelle):
    """A name or an address can hold any character: Typst's markup and code must print as typed."""
    piege = '#read("/etc/passwd") *gras* _pench_ $x^2$ <ancre> @ref \\ "guillemets" // fin'
    adherent.adresse_ligne2 = piege
    adherent.save(update_fields=["adresse_ligne2"])
    julien = contrat.beneficiaires.get(prenom="Julien")
    julien.prenom = "Jul#ien*"
    julien.save(update_fields=["prenom"])
    ligne_make(beneficiaire=julien, date_soins=date(2026, 3, 3))
    texte = " ".join(pdf_texte_brut(_releve(adherent, "2026-03-01", "2026-03-31").fichier.path).split())
    assert piege in texte
    assert "Jul#ien* Lefebvre" in texte and "Total Jul#ien* Lefebvre" in texte
    assert "root:" not in texte


def test_a_period_without_care_says_so(adherent, contrat):
    texte = pdf_texte(_releve(adherent, "2020-03-01", "2020-03-31").fichier.path)
    assert "Aucun soin n'a été enregistré pour votre famille sur cette période." in texte
    assert "Total de la famille" not in texte


def test_the_releve_is_written_in_the_members_language(adherent, contrat):
    adherent.langue = "en"
    adherent.save(update_fields=["langue"])
    ligne_make(beneficiaire=contrat.beneficiaires.get(prenom="Léa"), date_soins=date(2026, 3, 3))
    document = _releve(adherent, "2026-03-01", "2026-03-31")
    texte = " ".join(pdf_texte(document.fichier.path).split())
    for anglais in ("Your family's care from 01/03/2026 to 31/03/2026", "Verification code:", "Page 1 / 1"):
        assert anglais in texte
    for francais in ("Les soins de votre famille", "Code de vérification", "Reste à charge"):
        assert francais not in texte
    with pikepdf.open(document.fichier.path) as pdf:
        assert pdf.Root.Lang == "en"


def _gabarit(tmp_path: Path, monkeypatch: Any, source: str) -> str:
    (tmp_path / "essai.typ").write_text(source, encoding="utf-8")
    monkeypatch.setattr(rendu, "TYPST", tmp_path)
    rendu._compilateur.cache_clear()
    return "essai.typ"


def test_a_typst_warning_is_an_error_outside_production(tmp_path, monkeypatch, settings):
    # An unknown font would fall back silently: the document would not look as designed.
    gabarit = _gabarit(
        tmp_path,
        monkeypatch,
        '#set document(title: "Essai")\n#set text(lang: "fr", font: "Police Inexistante")\nBonjour',
    )
    try:
        settings.PRODUCTION = False
        with pytest.raises(rendu.TypstErreur, match="unknown font family"):
            rendu.pdf_depuis_typst(gabarit, {})
        settings.PRODUCTION = True  # in production the member still gets the document, and we are told
        assert rendu.pdf_depuis_typst(gabarit, {}).pages == 1
    finally:
        rendu._compilateur.cache_clear()


def test_a_template_cannot_read_outside_its_folder_nor_be_named_outside_it(tmp_path, monkeypatch):
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    dossier = tmp_path / "typst"
    dossier.mkdir()
    gabarit = _gabarit(dossier, monkeypatch, '#set document(title: "Essai")\n#read("../secret.txt")')
    try:
        with pytest.raises(rendu.TypstErreur, match="outside"):
            rendu.pdf_depuis_typst(gabarit, {})
        with pytest.raises(rendu.TypstErreur, match="no Typst template"):
            rendu.pdf_depuis_typst("../secret.txt", {})
    finally:
        rendu._compilateur.cache_clear()


def test_every_typst_template_has_what_it_prints():
    modeles = {p.name for p in rendu.TYPST.glob("*.typ") if not p.name.startswith("_")}
    assert modeles == set(composition.CORPS)
