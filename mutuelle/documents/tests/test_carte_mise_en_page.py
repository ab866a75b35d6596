"""The tiers-payant card always carries its codes, whatever the family and the formula.

Each case issues a real card (``document_emettre``) for a family of 1 to 8 people, short or very long
names, and a formula of 0 to 15 tiers-payant domains, then reads it back as a practitioner would: the
Data Matrix decoded with libdmtx from the rendered recto and compared with the contract, the
verification code and the practitioners' phone line printed on the recto, every person and every
domain printed somewhere (the verso takes the people who do not fit), nothing cut.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from mutuelle.core.services import mutuelle_lire
from mutuelle.documents import contenus
from mutuelle.documents.mise_en_page import nombre_lignes, variantes_carte
from mutuelle.documents.services import code_lisible, document_emettre
from mutuelle.members.models import Qualite, Sexe
from mutuelle.members.services import beneficiaire_ajouter
from regles.postes import Poste
from tests.factories import FormuleFactory, GarantieFactory, adherent_make, contrat_make, fake_nir
from tests.pdf import mots_hors_page, mots_qui_se_chevauchent, pdf_png, pdf_texte, png_codes

pytestmark = pytest.mark.django_db

# Five more domains than today's table has: a formula may one day print up to 15.
DOMAINES_EN_PLUS: list[tuple[str, str, list[Poste]]] = [
    ("SPEC", "Médecins spécialistes", [Poste.CONSULTATION_SPECIALISTE]),
    ("ACTE", "Actes techniques médicaux", [Poste.ACTES_TECHNIQUES]),
    ("MATL", "Matériel médical", [Poste.MATERIEL_MEDICAL]),
    ("CURE", "Cures thermales", [Poste.CURE_THERMALE]),
    ("PREV", "Prévention", [Poste.PREVENTION]),
]
NOMS_LONGS = ("de La Rochefoucauld-Montmorency Saint-Exupéry", "Marie-Bernadette Anne-Sophie Éléonore")


def _famille(taille: int, *, longs: bool, formule: Any) -> Any:
    nom, prenom = NOMS_LONGS if longs else ("Roux", "Inès")
    adherent = adherent_make(nom=nom, prenom=prenom)
    contrat = contrat_make(adherent=adherent, formule=formule, date_debut=date(2022, 1, 1))
    for i in range(taille - 1):
        naissance = date(2000 + i, 1 + i, 10)
        beneficiaire_ajouter(
            contrat=contrat,
            qualite=Qualite.CONJOINT if i == 0 else Qualite.ENFANT,
            nom=nom,
            prenom=f"{prenom} {'Jean-Baptiste' if longs else ''}{i}".strip(),
            date_naissance=naissance,
            sexe=Sexe.HOMME if i % 2 else Sexe.FEMME,
            nir=fake_nir(sexe="1" if i % 2 else "2", naissance=naissance),
            date_entree=date(2022, 1, 1),
        )
    return adherent


def _formule(domaines: int, monkeypatch: Any) -> Any:
    table = contenus.DOMAINES_TIERS_PAYANT + (DOMAINES_EN_PLUS if domaines > 10 else [])
    monkeypatch.setattr(contenus, "DOMAINES_TIERS_PAYANT", table)
    formule = FormuleFactory(code=f"carte-{domaines}", libelle=f"Formule à {domaines} domaines", responsable=True)
    for i, (_, libelle, postes) in enumerate(table[:domaines]):
        GarantieFactory(formule=formule, poste=postes[0].value, libelle=libelle, taux=Decimal(100 + 25 * (i % 3)))
    return formule


@pytest.mark.parametrize(
    ("personnes", "domaines", "longs"),
    [
        (1, 0, False),
        (1, 15, True),
        (2, 10, False),  # the demo's first family: two people, the ten domains of « Confort »
        (4, 7, True),
        (5, 12, False),
        (8, 0, True),
        (8, 10, True),
        (8, 15, False),
        (8, 15, True),
    ],
)
def test_every_card_carries_its_codes_and_everyone_on_it(mutuelle, monkeypatch, personnes, domaines, longs):
    adherent = _famille(personnes, longs=longs, formule=_formule(domaines, monkeypatch))
    contenu = contenus.carte_tiers_payant(adherent, mutuelle_lire())
    beneficiaires, imprimes = contenu.contexte["beneficiaires"], contenu.contexte["domaines"]
    assert len(beneficiaires) == personnes and len(imprimes) == domaines
    document = document_emettre(adherent=adherent, contenu=contenu, code="CARTEMISEPAG")

    pages = PdfReader(document.fichier.path).pages
    recto = pdf_texte_page(document.fichier.path, 0)
    # The codes, the verification code and the phone line are on the recto, always.
    nom = f"carte-{personnes}-{domaines}-{'longs' if longs else 'courts'}"
    codes = png_codes(pdf_png(document.fichier.path, nom, dpi=300))
    assert codes["datamatrix"] == [contenu.contexte["donnees"].encode("ascii")]
    donnees = codes["datamatrix"][0].decode()
    assert f"|ADH={adherent.numero}|" in donnees and f"|AU={date.today().year}1231|" in donnees
    assert donnees.split("|B=")[1].split("|")[0] == ";".join(
        f"{b.nir},{b.rang_gemellaire},{b.date_naissance:%Y%m%d}" for b in beneficiaires
    )
    assert len(codes["qr"]) == 1 and codes["qr"][0].decode().endswith("/verifier/CART-EMIS-EPAG/")
    assert code_lisible("CARTEMISEPAG") in recto and mutuelle.telephone_professionnels in recto
    assert "Validité" in recto and mutuelle.numero_amc in recto and adherent.numero in recto
    for code, _, taux in imprimes:  # the guarantees are on the same face as the identification block
        assert code in recto and taux in recto, code
    if not imprimes:
        assert "Pas de tiers payant" in recto
    # Everyone is printed, whole: the verso takes who does not fit, and says it is the verso.
    texte = " ".join(pdf_texte(document.fichier.path).split()).replace("- ", "-")  # a name may wrap at its hyphen
    for b in beneficiaires:
        assert b.nir in texte and f"{b.date_naissance:%d/%m/%Y}" in texte
        for mot in f"{b.nom} {b.prenom}".split():
            assert mot in texte, mot
    assert len(pages) in (1, 2)
    if len(pages) == 2:
        assert "bénéficiaires suivants au verso" in " ".join(recto.split())
        assert "(verso)" in pdf_texte_page(document.fichier.path, 1)
    # Nothing printed over something else, nothing off the card.
    assert mots_qui_se_chevauchent(document.fichier.path) == []
    assert mots_hors_page(document.fichier.path, marge=3) == []
    for page in pages:  # every side is a card: 2 × ID-1
        assert round(float(page.mediabox.width) * 25.4 / 72, 1) == 171.2


def pdf_texte_page(chemin: Any, numero: int) -> str:
    texte = PdfReader(chemin).pages[numero].extract_text() or ""
    return texte.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_demo_sized_family_fits_on_the_recto_in_the_largest_type():
    noms = ["Jourdan Théophile", "Jourdan Madeleine"]
    domaines = [f"{code} {libelle}" for code, libelle, _ in contenus.DOMAINES_TIERS_PAYANT]
    premiere = variantes_carte(noms, domaines)[0]
    assert (premiere.taille, premiere.pages) == (7.6, 1)
    assert variantes_carte(noms * 4, domaines)[-1].pages == 2  # a verso is always the last resort


def test_names_wrap_between_words_as_the_engine_does():
    assert nombre_lignes("Roux Inès", 30, 7.6) == 1
    assert nombre_lignes(" ".join(NOMS_LONGS), 30, 7.6) >= 3
    assert nombre_lignes("x" * 200, 30, 7.6) > 3  # one word wider than the box breaks too


def test_the_initials_of_long_compound_names_fit_the_verification_record():
    initiales = contenus.initiales(NOMS_LONGS[1], NOMS_LONGS[0])  # prénom, nom
    assert initiales == "M.-B.-S. D.-M.-E." and len(initiales) <= 40
