"""A quote beside its payment: a saved estimate or a prior approval keeps its inputs, result and rules
version; when the act is paid, the member's line says « estimé X € — payé Y € » and why."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mutuelle.claims.estimation import LigneDevis, estimer
from mutuelle.claims.models import LigneRemboursement, RejetNoemie
from mutuelle.claims.services import ligne_transition, noemie_integrer
from mutuelle.claims.tests.helpers import acte_comme_la_secu, decompte, write
from mutuelle.requests.comparaison import comparaisons
from mutuelle.requests.devis import devis_conserver
from mutuelle.requests.models import LigneDevisDemande
from regles.parametres import parametres
from tests.factories import GarantieFactory, connecter

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def julien(contrat: Any, formule: Any) -> Any:
    from mutuelle.referentiel.services import nature_prestation_charger

    nature_prestation_charger()
    for poste, valeurs in (
        (
            "optique_verres",
            {"type_garantie": "forfait", "taux": None, "montant": D("100"), "plafond_montant": D("300")},
        ),
        ("consultation_specialiste", {"taux": D("250"), "plafond_montant": D("60")}),
        ("dentaire_soins", {"taux": D("100")}),
    ):
        GarantieFactory(formule=formule, poste=poste, praticien="tous", libelle=poste, **valeurs)
    return contrat.beneficiaires.get(prenom="Julien")


def _payer(personne: Any, tmp_path: Path, soins: list[tuple[str, date, str, str | None]], n: int = 0) -> list[Any]:
    """The Sécu's file for these acts (code, day, amount billed, base), integrated and paid."""
    actes = [
        acte_comme_la_secu(
            i, beneficiaire=personne, code=code, jour=jour, montant=D(montant), base=D(base) if base else None
        )
        for i, (code, jour, montant, base) in enumerate(soins, start=1)
    ]
    noemie_integrer(path=write(tmp_path, [decompte(personne, actes, numero=n + 1)], name=f"f{n}.txt"), parallele=False)
    assert not RejetNoemie.objects.exists(), list(RejetNoemie.objects.values_list("detail", flat=True))
    lignes = list(LigneRemboursement.objects.filter(decompte__fichier__nom=f"f{n}.txt").order_by("numero"))
    for ligne in lignes:
        if ligne.statut == "en_cours_d_analyse":  # a handler looked and agreed
            ligne = ligne_transition(ligne=ligne, vers="valide", motif="Vu")
        if ligne.statut == "valide":
            ligne_transition(ligne=ligne, vers="paye", motif="Virement", notifier=False)
    return [LigneRemboursement.objects.get(pk=ligne.pk) for ligne in lignes]


def _texte(client: Client, url: str) -> str:
    return " ".join(html.unescape(client.get(url).content.decode()).split())


def test_a_saved_estimate_is_kept_and_shown_beside_what_was_paid(julien: Any, adherent: Any, tmp_path: Path) -> None:
    membre = connecter(Client(), adherent.user)
    prevu = timezone.localdate() + timedelta(days=7)
    donnees = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "6",
        "form-0-beneficiaire": julien.pk,
        "form-0-soin": "VU1",
        "form-0-date_soins": prevu.isoformat(),
        "form-0-montant": "120.00",
        "form-0-base": "0.05",
        "form-0-secteur": "1",
        "enregistrer": "1",
    }
    assert membre.post("/espace/demandes/estimer-un-devis/", donnees).status_code == 302
    devis = LigneDevisDemande.objects.get()
    # Its inputs, its result and the version of the rules it was computed with.
    assert (devis.beneficiaire, devis.poste, devis.montant, devis.mutuelle) == (
        julien,
        "optique_verres",
        D("120"),
        D("100"),
    )
    assert devis.document is not None and devis.demande is None
    assert devis.parametres == parametres().version and len(devis.parametres) == 12
    assert devis.etapes[-1].regle == "reste" and any(e.regle == "amc.forfait" for e in devis.etapes)
    # The optician bills 100 € instead of 120 €: the mutuelle cannot pay more than is left.
    (ligne,) = _payer(julien, tmp_path, [("VU1", timezone.localdate(), "100.00", "0.05")])
    assert ligne.montant_amc == D("99.97")
    detail = _texte(membre, f"/espace/remboursements/{ligne.pk}/")
    assert "Estimé 100,00 € — payé 99,97 €" in detail
    assert f"d'après votre estimation du {timezone.localdate():%d/%m/%Y}" in detail
    assert "le montant facturé est de 100,00 €, le devis indiquait 120,00 €" in detail
    assert "estimé 100,00 €" in _texte(membre, "/espace/remboursements/")


def test_a_ceiling_consumed_in_between_explains_a_lower_payment(julien: Any, tmp_path: Path) -> None:
    """The quote said 56,70 € (within the year's 60 € ceiling); a consultation paid meanwhile consumed part
    of it. The act billed what the devis said is the one compared, not the one in between."""
    prevu = timezone.localdate()
    (devis,) = devis_conserver([estimer(LigneDevis(beneficiaire=julien, soin="CS", date_soins=prevu, montant=D("80")))])
    assert devis.mutuelle == D("56.70")  # 250 % of the base, less the Sécu, within the 60 € ceiling
    jour = max(prevu - timedelta(days=1), date(prevu.year, 1, 1))
    devis.cree_le = timezone.now() - timedelta(days=3)
    devis.save(update_fields=["cree_le"])
    entre, compare = _payer(julien, tmp_path, [("CS", jour, "50.00", None), ("CS", prevu, "80.00", None)])
    c = comparaisons([entre, compare])
    assert list(c) == [compare.pk]
    assert (c[compare.pk].estime, c[compare.pk].paye) == (D("56.70"), compare.montant_amc) and compare.montant_amc < D(
        "56.70"
    )
    assert c[compare.pk].raisons() == [
        "le plafond de la garantie était en partie consommé par des soins remboursés entre-temps"
    ]


def test_a_rate_that_changed_between_the_planned_date_and_the_care_is_named(julien: Any, tmp_path: Path) -> None:
    """Dental care quoted for 10/10/2023, done on 20/10/2023: the Sécu's rate went from 70 % to 60 %
    on 15/10/2023, so the Sécu paid less and the ticket modérateur the mutuelle pays grew."""
    (devis,) = devis_conserver(
        [
            estimer(
                LigneDevis(
                    beneficiaire=julien, soin="SC", date_soins=date(2023, 10, 10), montant=D("28.92"), base=D("28.92")
                )
            )
        ]
    )
    devis.cree_le = timezone.make_aware(datetime(2023, 10, 1, 9))
    devis.save(update_fields=["cree_le"])
    (ligne,) = _payer(julien, tmp_path, [("SC", date(2023, 10, 20), "28.92", "28.92")])
    c = comparaisons([ligne])[ligne.pk]
    assert c.paye > c.estime
    raisons = [" ".join(r.split()) for r in c.raisons()]  # amounts carry a no-break space
    assert raisons[0].startswith("la Sécurité sociale a remboursé 17,35 € sur une base de 28,92 € (estimé : 20,24 €)")
    assert any("n'est pas le même le 10/10/2023 et le 20/10/2023 (Décret n° 2023-701" in r for r in raisons), raisons


def test_the_same_amount_says_so_and_a_rejection_says_why(julien: Any, tmp_path: Path, gestionnaire: Any) -> None:
    from mutuelle.claims.tests.helpers import consultation_secteur_2

    prevu = timezone.localdate()
    devis_conserver(
        [estimer(LigneDevis(beneficiaire=julien, soin="SC", date_soins=prevu, montant=D("28.92"), base=D("28.92")))]
    )
    (ligne,) = _payer(julien, tmp_path, [("SC", prevu, "28.92", "28.92")])
    c = comparaisons([ligne])[ligne.pk]
    assert c.ecart == 0 and c.raisons() == []
    # A consultation quoted, then rejected by a handler: paid 0 €, and the motif is the reason.
    devis_conserver([estimer(LigneDevis(beneficiaire=julien, soin="CS", date_soins=prevu, montant=D("80"), secteur=2))])
    noemie_integrer(
        path=write(
            tmp_path,
            [decompte(julien, [consultation_secteur_2() | {"EXE_SOI_DTD": prevu, "EXE_SOI_DTF": prevu}], numero=9)],
            name="cs.txt",
        ),
        parallele=False,
    )
    cs = LigneRemboursement.objects.get(poste="consultation_specialiste")
    assert cs.statut == "en_cours_d_analyse"
    cs = ligne_transition(ligne=cs, vers="rejete", par=gestionnaire, motif="Acte déjà remboursé.")
    c = comparaisons([cs])[cs.pk]
    assert c.paye == 0 and c.estime > 0
    assert c.raisons()[0] == "l'acte a été rejeté : Acte déjà remboursé."


def test_quotes_are_compared_only_with_the_same_persons_acts(
    julien: Any, contrat: Any, adherent: Any, autre_adherent: Any, tmp_path: Path
) -> None:
    """Léa's quote does not explain Julien's act; a member of another family sees neither."""
    prevu = timezone.localdate()
    lea = contrat.beneficiaires.get(prenom="Léa")
    devis_conserver([estimer(LigneDevis(beneficiaire=lea, soin="CS", date_soins=prevu, montant=D("80")))])
    (ligne,) = _payer(julien, tmp_path, [("CS", prevu, "80.00", None)])
    assert comparaisons([ligne]) == {}
    assert "Estimé" not in _texte(connecter(Client(), adherent.user), f"/espace/remboursements/{ligne.pk}/")
    autre = connecter(Client(), autre_adherent.user)
    assert autre.get(f"/espace/remboursements/{ligne.pk}/").status_code == 404
