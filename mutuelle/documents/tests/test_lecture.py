"""Every document the demo's first member can get, read back as a screen reader or a copy gets it.

The demo is loaded for real (``seed_demo``: the first member's family, formula « Confort » with its
ten tiers-payant domains, three years of care). Each PDF's text layer (``pdftotext -raw``) is compared
with the database row by row: every date and every amount, in the order printed, in full (a cut or a
wrong year fails). No two printed words may overlap (``pdftotext -bbox``): no header runs into the
next one. The downloaded file is named after what it covers.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from mutuelle.claims.models import STATUTS_ACQUIS, LigneRemboursement
from mutuelle.claims.selectors_famille import lignes_famille
from mutuelle.core.calendrier import plus_mois
from mutuelle.core.services import mutuelle_lire
from mutuelle.core.templatetags.format_fr import euros
from mutuelle.documents import contenus
from mutuelle.documents.models import Document, TypeDocument
from mutuelle.documents.services import document_emettre, lettre_bienvenue
from mutuelle.members.models import Adherent, Cotisation, TypeDroit
from mutuelle.members.selectors import beneficiaires_couverts
from mutuelle.members.services import droit_periode_ajouter
from tests.factories import connecter
from tests.pdf import dans_l_ordre, mots_hors_page, mots_qui_se_chevauchent, pdf_texte_brut

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")


@pytest.fixture
def premier(settings: Any, tmp_path: Any) -> Adherent:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--members", "3", stdout=StringIO())
    return Adherent.objects.get(numero="100000017")


def _d(jour: date | None) -> str:
    return f"{jour:%d/%m/%Y}" if jour else ""


def _lu(document: Any) -> str:
    """The text layer of a document (or a letter), once checked that no two words overlap."""
    chemin = document.fichier.path if isinstance(document, Document) else document.pdf.path
    chevauchements = mots_qui_se_chevauchent(chemin)
    assert not chevauchements, f"{document}: words printed over each other {chevauchements[:5]}"
    carte = isinstance(document, Document) and document.type_document == TypeDocument.CARTE_TIERS_PAYANT
    dehors = mots_hors_page(chemin, marge=3 if carte else 8)  # a card prints up to 2 mm from its edge
    assert not dehors, f"{document}: words off the page {dehors[:5]}"
    return pdf_texte_brut(chemin)


def _releve_attendu(adherent: Adherent, du: date, au: date) -> list[str]:
    """The relevé as the database has it: per person (eldest first), each act's date and amounts in
    the order of the columns, the person's totals, then the family's."""
    lignes = list(
        lignes_famille(adherent)
        .filter(date_soins__gte=du, date_soins__lte=au)
        .select_related("beneficiaire")
        .order_by("beneficiaire__date_naissance", "date_soins", "pk")
    )
    assert lignes, "the demo's first member has care in the period"
    attendu: list[str] = []
    famille = [ZERO, ZERO, ZERO, ZERO]
    personnes: dict[int, list[LigneRemboursement]] = {}
    for ligne in lignes:
        personnes.setdefault(ligne.beneficiaire_id, []).append(ligne)
    for groupe in personnes.values():
        b = groupe[0].beneficiaire
        attendu.append(f"{b.prenom} {b.nom}")
        total = [ZERO, ZERO, ZERO, ZERO]
        for ligne in groupe:
            attendu.append(_d(ligne.date_soins))
            # A share still being analysed is not money paid: « en cours », its amount in brackets,
            # and the reste à charge counts it for now, as the totals do.
            acquise = ligne.statut in STATUTS_ACQUIS
            mutuelle = ligne.montant_amc if acquise else ZERO
            reste = ligne.montant_depense - ligne.montant_amo - mutuelle
            amc = f"en cours ({euros(ligne.montant_amc)})" if ligne.en_attente else euros(ligne.montant_amc)
            attendu.append(f"{euros(ligne.montant_depense)} {euros(ligne.montant_amo)} {amc} {euros(reste)}")
            montants = [ligne.montant_depense, ligne.montant_amo, mutuelle, reste]
            total = [t + m for t, m in zip(total, montants, strict=True)]
        attendu += [f"Total {b.prenom} {b.nom}", " ".join(euros(t) for t in total)]
        famille = [f + t for f, t in zip(famille, total, strict=True)]
    attendu += ["Total de la famille", f"{len(lignes)} " + " ".join(euros(t) for t in famille)]
    return attendu


def _telecharge(client: Client, document: Document) -> str:
    reponse = client.get(f"/espace/documents/{document.pk}/pdf/")
    assert reponse.status_code == 200
    disposition = reponse["Content-Disposition"]
    return (
        unquote(disposition.split("filename*=utf-8''")[-1])
        if "filename*=" in disposition
        else disposition.split('"')[1]
    )


def test_every_document_of_the_demos_first_member_reads_back_as_the_database_says(premier: Adherent):
    mutuelle = mutuelle_lire()
    assert premier.user is not None  # the demo's first member has an account
    client = connecter(Client(), premier.user)
    aujourdhui = timezone.localdate()
    contrat = premier.contrats.get()
    beneficiaires = sorted(contrat.beneficiaires.all(), key=lambda b: (b.date_naissance, b.pk))

    # The card: validity, then each person's date of birth and NIR in the order printed.
    carte = document_emettre(adherent=premier, contenu=contenus.carte_tiers_payant(premier, mutuelle))
    texte = _lu(carte)
    dans_l_ordre(texte, [f"du {_d(carte.valide_du)} au {_d(carte.valide_jusqu_au)}"])
    for b in beneficiaires_couverts(contrat, aujourdhui):
        dans_l_ordre(texte, [f"{b.nom} {b.prenom}", _d(b.date_naissance), b.nir])
    assert _telecharge(client, carte) == f"Carte de tiers payant {aujourdhui.year}.pdf"

    # Relevés of 12 months and of 3 years: every act, every amount, every total.
    fin = aujourdhui.replace(day=1) - timedelta(days=1)
    for du in (plus_mois(fin + timedelta(days=1), -12), date(fin.year - 2, 1, 1)):
        releve = document_emettre(adherent=premier, contenu=contenus.releve(premier, mutuelle, du=du, au=fin))
        dans_l_ordre(_lu(releve), _releve_attendu(premier, du, fin))
        assert _telecharge(client, releve) == f"Relevé de prestations {du.isoformat()} au {fin.isoformat()}.pdf"

    # The attestation fiscale: each premium paid in the year, its date and amount, then the total.
    annee = contenus.annees_fiscales(premier)[0]
    fiscale = document_emettre(adherent=premier, contenu=contenus.attestation_fiscale(premier, mutuelle, annee=annee))
    cotisations = Cotisation.objects.filter(
        contrat__adherent=premier, montant_paye__gt=0, date_paiement__year=annee
    ).order_by("date_paiement", "echeance")
    assert cotisations
    attendu = []
    for c in cotisations:
        attendu += [_d(c.date_paiement), c.contrat.numero, euros(c.montant_paye)]
    total = euros(sum((c.montant_paye for c in cotisations), ZERO))
    dans_l_ordre(_lu(fiscale), [*attendu, f"Total des cotisations payées en {annee} {total}", total])
    assert _telecharge(client, fiscale) == f"Attestation fiscale {annee}.pdf"

    # The attestation de droits: the people with their dates, the guarantees, the validity.
    droits = document_emettre(adherent=premier, contenu=contenus.attestation_droits(premier, mutuelle))
    texte = _lu(droits)
    dans_l_ordre(texte, [f"en vigueur depuis le {_d(contrat.date_debut)}"])
    for b in beneficiaires_couverts(contrat, aujourdhui):
        dans_l_ordre(texte, [f"{b.nom} {b.prenom}", _d(b.date_naissance), b.nir, _d(b.date_entree)])
    # Each guarantee in force, its label and what it pays, in the order printed.
    garanties = contenus.attestation_droits(premier, mutuelle).contexte["garanties"]
    assert len(garanties) > 10
    dans_l_ordre(texte, [t for g in garanties for t in (g.libelle, g.valeur_affichee)])
    dans_l_ordre(texte, [f"jusqu'au {_d(droits.valide_jusqu_au)}"])
    assert _telecharge(client, droits) == f"Attestation de droits {aujourdhui.isoformat()}.pdf"

    # The bulletin: the contract's date, each person signed with their dates.
    bulletin = document_emettre(adherent=premier, contenu=contenus.bulletin(premier, mutuelle))
    texte = _lu(bulletin)
    dans_l_ordre(texte, [_d(contrat.date_debut), _d(premier.date_naissance)])
    for b in beneficiaires:
        dans_l_ordre(texte, [f"{b.nom} {b.prenom}", _d(b.date_naissance), _d(b.date_entree)])
    assert _telecharge(client, bulletin) == f"Bulletin d'adhésion {contrat.numero}.pdf"

    # The ACS / CSS history, once the family has a period.
    droit_periode_ajouter(
        beneficiaire=beneficiaires[0], type_droit=TypeDroit.CSS, date_debut=date(2024, 3, 1), date_fin=date(2025, 2, 28)
    )
    aides = document_emettre(adherent=premier, contenu=contenus.aides(premier, mutuelle))
    dans_l_ordre(_lu(aides), [f"{beneficiaires[0].nom} {beneficiaires[0].prenom}", "01/03/2024", "28/02/2025"])

    # The welcome letter.
    lettre = lettre_bienvenue(adherent=premier)
    dans_l_ordre(_lu(lettre), [premier.numero])

    # A name that is one long word breaks instead of running over its neighbours.
    b = beneficiaires[0]
    b.prenom = "Anastasiabartholomeaclementineeleonoremaximilienne"
    b.save(update_fields=["prenom"])
    for contenu in (contenus.attestation_droits(premier, mutuelle), contenus.carte_tiers_payant(premier, mutuelle)):
        _lu(document_emettre(adherent=premier, contenu=contenu))
