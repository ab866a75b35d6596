"""« Estimer un devis »: the same rules engine as real reimbursements, with the member's formula and
what the guarantee has already paid."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mutuelle.claims.estimation import EstimationImpossible, LigneDevis, estimer
from mutuelle.claims.liquidation import garantie_moteur
from mutuelle.formules.selectors import garantie_pour_acte
from regles.moteur import Acte, Praticien, liquider
from regles.moteur import Beneficiaire as BeneficiaireRegles
from tests.factories import connecter, garanties_carte, ligne_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def garanties(formule: Any) -> Any:
    return garanties_carte(formule)


def _demain() -> Any:
    return timezone.localdate() + timedelta(days=7)


def _post(client: Client, lignes: list[dict[str, Any]]) -> Any:
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(lignes)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "6",
    }
    for i, ligne in enumerate(lignes):
        for cle, valeur in ligne.items():
            data[f"form-{i}-{cle}"] = valeur
    return client.post("/espace/demandes/estimer-un-devis/", data)


def test_an_estimate_is_exactly_what_the_engine_computes_for_the_members_formula(adherent, contrat, garanties):
    julien = contrat.beneficiaires.get(prenom="Julien")
    jour = _demain()
    estimation = estimer(
        LigneDevis(beneficiaire=julien, soin="G", date_soins=jour, montant=Decimal("50.00"), secteur=2, optam=True)
    )
    garantie = garantie_pour_acte(formule=garanties, poste="consultation_generaliste", on=jour, secteur=2, optam=True)
    (direct,) = liquider(
        [
            Acte(
                date_soins=jour,
                code="G",
                montant_depense=Decimal("50.00"),
                beneficiaire=BeneficiaireRegles(date_naissance=julien.date_naissance),
                praticien=Praticien(secteur=2, optam=True),
                garantie=garantie_moteur(
                    garantie, poste=garantie.poste, on=jour, historique=None, date_adhesion=contrat.date_debut
                ),
                responsable=True,
            )
        ]
    )
    assert (estimation.secu, estimation.mutuelle) == (direct.montant_amo, direct.montant_amc)
    assert estimation.ligne.montant == estimation.secu + estimation.mutuelle + estimation.reste
    assert estimation.garantie == "Généraliste OPTAM" and estimation.etapes


def test_a_ceiling_already_used_this_period_lowers_the_estimate(adherent, contrat, garanties):
    julien = contrat.beneficiaires.get(prenom="Julien")
    ligne = LigneDevis(
        beneficiaire=julien, soin="VU1", date_soins=_demain(), montant=Decimal("200.00"), base=Decimal("0.05")
    )
    avant = estimer(ligne)
    garantie = garanties.garanties.get(poste="optique_verres")
    ligne_make(
        beneficiaire=julien,
        date_soins=timezone.localdate() - timedelta(days=400),
        poste="optique_verres",
        depense="300.00",
        amo="0.03",
        amc="250.00",
        garantie=garantie,
    )
    apres = estimer(ligne)
    assert apres.mutuelle < avant.mutuelle


def test_the_lines_of_one_devis_share_the_ceiling(adherent, contrat, garanties):
    """Three lenses at 150 € each under a 300 € ceiling: the third gets only the ticket modérateur that
    a contrat responsable always covers (40 % of a 0.05 € base), on the page as in the engine."""
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    verre = {
        "beneficiaire": julien.pk,
        "soin": "VU1",
        "date_soins": _demain().isoformat(),
        "montant": "200.00",
        "base": "0.05",
        "secteur": "1",
    }
    response = _post(membre, [verre, verre, verre])
    assert response.status_code == 200
    resultats = response.context["resultats"]
    assert [r.mutuelle for r in resultats] == [Decimal("150.00"), Decimal("150.00"), Decimal("0.02")]
    assert response.context["total"]["mutuelle"] == Decimal("300.02")
    # The third line's explanation says the ceiling is used up.
    assert any(e.regle == "amc.plafond_garantie" for e in resultats[2].etapes)
    # Someone else of the family has a ceiling of their own.
    lea = contrat.beneficiaires.get(prenom="Léa")
    deux = _post(membre, [verre, verre, {**verre, "beneficiaire": lea.pk}])
    assert [r.mutuelle for r in deux.context["resultats"]] == [Decimal("150.00")] * 3


def test_an_earlier_line_of_the_devis_opens_the_renewal_period(adherent, contrat, garanties):
    julien = contrat.beneficiaires.get(prenom="Julien")
    verre = LigneDevis(
        beneficiaire=julien, soin="VU1", date_soins=_demain(), montant=Decimal("120.00"), base=Decimal("0.05")
    )
    premier = estimer(verre)
    plus_tard = LigneDevis(**{**verre.__dict__, "date_soins": _demain() + timedelta(days=60)})
    assert estimer(plus_tard).mutuelle > 0  # alone, nothing was paid before it
    apres = estimer(plus_tard, avant=[premier])
    assert premier.mutuelle > 0 and apres.mutuelle == 0
    assert any(e.regle == "amc.renouvellement" for e in apres.etapes)


def test_a_limit_in_nights_counts_the_nights_already_paid(adherent, contrat, garanties):
    """A private room at 50 € a night, 60 nights a calendar year, 50 already paid: a 15-night stay
    is estimated at 10 nights."""
    from tests.factories import chambre_particuliere

    chambre = chambre_particuliere(garanties)
    julien = contrat.beneficiaires.get(prenom="Julien")
    sejour = LigneDevis(beneficiaire=julien, soin="CPC", date_soins=_demain(), montant=Decimal("1200.00"), quantite=15)
    assert estimer(sejour).mutuelle == Decimal("750.00")
    debut_annee = _demain().replace(month=1, day=1)
    ligne_make(
        beneficiaire=julien,
        date_soins=debut_annee,
        poste="chambre_particuliere",
        depense="4000.00",
        amo="0.00",
        amc="2500.00",
        garantie=chambre,
        quantite=50,
    )
    apres = estimer(sejour)
    assert apres.mutuelle == Decimal("500.00")
    assert any(e.regle == "amc.plafond_nombre" for e in apres.etapes)


def test_an_estimate_counts_the_nights_paid_later_in_the_same_year(adherent, contrat, garanties):
    """Care dated before a stay already paid still shares the calendar year's ceiling with it."""
    from datetime import date

    from tests.factories import chambre_particuliere

    chambre = chambre_particuliere(garanties)
    julien = contrat.beneficiaires.get(prenom="Julien")
    annee = _demain().year
    ligne_make(
        beneficiaire=julien,
        date_soins=date(annee, 12, 20),
        poste="chambre_particuliere",
        depense="4000.00",
        amo="0.00",
        amc="2500.00",
        garantie=chambre,
        quantite=50,
    )
    sejour = LigneDevis(
        beneficiaire=julien, soin="CPC", date_soins=date(annee, 12, 1), montant=Decimal("1200.00"), quantite=15
    )
    assert estimer(sejour).mutuelle == Decimal("500.00")


def test_an_osteopathy_session_is_estimated_from_the_guarantee_alone(adherent, contrat, garanties):
    from tests.factories import forfait

    forfait(garanties, "medecines_douces", "Ostéopathie, par séance", "30.00", plafond_nombre=3)
    julien = contrat.beneficiaires.get(prenom="Julien")
    seance = estimer(LigneDevis(beneficiaire=julien, soin="OST", date_soins=_demain(), montant=Decimal("60.00")))
    assert (seance.secu, seance.mutuelle, seance.reste) == (Decimal("0.00"), Decimal("30.00"), Decimal("30.00"))
    assert seance.libelle == "Séance d'ostéopathie"


def test_an_implant_needs_no_base_the_secu_does_not_pay_it(adherent, contrat, garanties):
    from tests.factories import forfait

    forfait(
        garanties,
        "dentaire_implantologie",
        "Implantologie, par an",
        "300.00",
        plafond_montant=Decimal("300.00"),
        accord_prealable=True,
    )
    julien = contrat.beneficiaires.get(prenom="Julien")
    implant = estimer(LigneDevis(beneficiaire=julien, soin="IMP", date_soins=_demain(), montant=Decimal("1200.00")))
    assert (implant.secu, implant.mutuelle, implant.reste) == (
        Decimal("0.00"),
        Decimal("300.00"),
        Decimal("900.00"),
    )


@pytest.mark.parametrize(
    ("changement", "message"),
    [
        ({"soin": "VU1", "base": None}, "base de remboursement"),
        ({"date_soins": "1990-01-01"}, "n'est pas couvert"),
    ],
)
def test_lines_that_cannot_be_estimated_say_why(adherent, contrat, garanties, changement, message):
    julien = contrat.beneficiaires.get(prenom="Julien")
    valeurs: dict[str, Any] = {
        "beneficiaire": julien,
        "soin": "G",
        "date_soins": _demain(),
        "montant": Decimal("30.00"),
        **changement,
    }
    if isinstance(valeurs["date_soins"], str):
        from datetime import date

        valeurs["date_soins"] = date.fromisoformat(valeurs["date_soins"])
    with pytest.raises(EstimationImpossible, match=message):
        estimer(LigneDevis(**valeurs))


def test_the_member_estimates_a_devis_of_several_lines(adherent, contrat, garanties):
    membre = connecter(Client(), adherent.user)
    page = membre.get("/espace/demandes/estimer-un-devis/?lignes=2").content.decode()
    assert page.count('name="form-') >= 2 * 6
    julien = contrat.beneficiaires.get(prenom="Julien")
    response = _post(
        membre,
        [
            {
                "beneficiaire": julien.pk,
                "soin": "G",
                "date_soins": _demain().isoformat(),
                "montant": "30.00",
                "secteur": "1",
            },
            {
                "beneficiaire": julien.pk,
                "soin": "M03",
                "date_soins": _demain().isoformat(),
                "montant": "120.00",
                "base": "0.05",
                "secteur": "1",
            },
        ],
    )
    texte = html.unescape(response.content.decode())
    assert response.status_code == 200 and "Estimation" in texte and "Total" in texte and "Comment est calculé" in texte
    # Past dates, missing bases and someone of another family are refused with a sentence.
    refus = _post(
        membre,
        [{"beneficiaire": julien.pk, "soin": "VU1", "date_soins": _demain().isoformat(), "montant": "90.00"}],
    )
    assert refus.status_code == 400 and "base de remboursement" in html.unescape(refus.content.decode())
    passe = _post(
        membre,
        [{"beneficiaire": julien.pk, "soin": "G", "date_soins": "2020-01-01", "montant": "30.00"}],
    )
    assert passe.status_code == 400 and "soins à venir" in html.unescape(passe.content.decode())


def test_someone_of_another_family_cannot_be_estimated(adherent, contrat, autre_adherent, garanties, courtier):
    autre = connecter(Client(), autre_adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    response = _post(
        autre, [{"beneficiaire": julien.pk, "soin": "G", "date_soins": _demain().isoformat(), "montant": "30.00"}]
    )
    assert response.status_code == 400 and "Julien" not in response.content.decode()
    assert connecter(Client(), courtier.user).get("/espace/demandes/estimer-un-devis/").status_code == 404


def test_adding_a_line_keeps_what_was_typed(adherent, contrat, garanties):
    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    response = membre.post(
        "/espace/demandes/estimer-un-devis/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "1",
            "form-MAX_NUM_FORMS": "6",
            "form-0-beneficiaire": julien.pk,
            "form-0-soin": "G",
            "form-0-date_soins": _demain().isoformat(),
            "form-0-montant": "37.50",
            "form-0-secteur": "1",
            "ajouter": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'value="37.50"' in page and 'name="form-1-montant"' in page
    assert "Reste à votre charge" not in page  # nothing computed yet


def test_an_estimate_is_saved_as_a_pdf_or_turned_into_a_prior_approval(adherent, contrat, garanties):
    from mutuelle.documents.models import Document, TypeDocument
    from tests.pdf import pdf_texte

    membre = connecter(Client(), adherent.user)
    julien = contrat.beneficiaires.get(prenom="Julien")
    lignes = [
        {
            "beneficiaire": julien.pk,
            "soin": "VU1",
            "date_soins": _demain().isoformat(),
            "montant": "120.00",
            "base": "0.05",
            "secteur": "1",
        }
    ]
    page = html.unescape(_post(membre, lignes).content.decode())
    lien = page.split('href="/espace/demandes/prise-en-charge/?', 1)[1].split('"', 1)[0]
    formulaire = membre.get(f"/espace/demandes/prise-en-charge/?{html.unescape(lien)}").content.decode()
    assert 'value="120.00"' in formulaire and 'value="optique" selected' in formulaire
    donnees = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "6",
        **{f"form-0-{k}": v for k, v in lignes[0].items()},
        "enregistrer": "1",
    }
    response = membre.post("/espace/demandes/estimer-un-devis/", donnees)
    document = Document.objects.get(type_document=TypeDocument.ESTIMATION)
    assert response["Location"] == f"/espace/documents/{document.pk}/pdf/"
    texte = " ".join(pdf_texte(document.fichier.path).split())
    from tests.pdf import pdf_png

    pdf_png(document.fichier.path, "document-estimation")
    assert "Estimation d'un devis" in texte and "pas un engagement" in texte and "Base de remboursement" in texte
