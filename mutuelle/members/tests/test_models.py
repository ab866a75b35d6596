"""Members, contracts, beneficiaries: validation at the model layer, constraints in the database,
and what is in force on a given date."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mutuelle.core.models import AuditLog
from mutuelle.members.models import Beneficiaire, Contrat, ContratFormule, Qualite, Sexe, TypeDroit
from mutuelle.members.selectors import (
    beneficiaire_a_des_droits,
    beneficiaire_droits,
    contrat_formule_en_vigueur,
    garanties_en_vigueur,
)
from mutuelle.members.services import (
    beneficiaire_ajouter,
    contrat_formule_changer,
    contrat_resilier,
    droit_periode_ajouter,
)
from tests.factories import (
    EmployeurFactory,
    FormuleFactory,
    GarantieFactory,
    adherent_make,
    contrat_make,
    fake_nir,
)

pytestmark = pytest.mark.django_db


# --- Adherent -----------------------------------------------------------------------------------


def test_member_numbers_are_generated_unique_and_luhn_checked(mutuelle):
    from stdnum import luhn

    first, second = adherent_make(), adherent_make(nom="Durand")
    assert first.numero != second.numero
    assert len(first.numero) == 9 and luhn.is_valid(first.numero)


def test_two_members_cannot_share_a_nir(mutuelle):
    first = adherent_make()
    with pytest.raises(ValidationError) as excinfo:
        adherent_make(nir=first.nir, nom="Autre")
    assert "nir" in excinfo.value.message_dict


def test_nir_uniqueness_also_holds_in_the_database(mutuelle):
    first = adherent_make()
    second = adherent_make(nom="Autre")
    second.nir = first.nir
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_member_with_an_invalid_nir_is_refused_and_nothing_is_saved(mutuelle):
    count = AuditLog.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        adherent_make(nir="295109912611199")
    assert "clé" in excinfo.value.message_dict["nir"][0]
    assert AuditLog.objects.count() == count


def test_nir_must_match_the_members_sex_and_birth(mutuelle):
    with pytest.raises(ValidationError, match="sexe"):
        adherent_make(sexe=Sexe.FEMME, nir=fake_nir(sexe="1", naissance=date(1982, 3, 14)))
    with pytest.raises(ValidationError, match="année"):
        adherent_make(date_naissance=date(1982, 3, 14), nir=fake_nir(sexe="2", naissance=date(1983, 3, 14)))
    with pytest.raises(ValidationError, match="mois"):
        adherent_make(date_naissance=date(1982, 3, 14), nir=fake_nir(sexe="2", naissance=date(1982, 4, 14)))


def test_creating_a_member_writes_an_audit_row(mutuelle):
    adherent = adherent_make()
    row = AuditLog.objects.get(action="members.adherent.created")
    assert row.adherent == adherent and row.nouvelle_valeur["numero"] == adherent.numero
    assert adherent.nir not in str(row.nouvelle_valeur)


# --- Contrat and its formulas -------------------------------------------------------------------


def test_new_contract_makes_the_member_its_principal_beneficiary_with_rights(contrat, adherent):
    assure = contrat.beneficiaires.get(qualite=Qualite.ASSURE)
    assert (assure.nir, assure.date_naissance) == (adherent.nir, adherent.date_naissance)
    assert beneficiaire_a_des_droits(beneficiaire=assure, on=date(2022, 1, 1))
    assert not beneficiaire_a_des_droits(beneficiaire=assure, on=date(2021, 12, 31))


def test_collective_contract_needs_an_employer(mutuelle, formule):
    with pytest.raises(ValidationError, match="employeur"):
        contrat_make(formule=formule, type_contrat="collectif")
    contrat = contrat_make(formule=formule, type_contrat="collectif", employeur=EmployeurFactory())
    assert contrat.numero.startswith("COL-")


def test_individual_contract_with_an_employer_is_refused_by_the_database(contrat):
    Contrat.objects.filter(pk=contrat.pk).update(type_contrat="individuel")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contrat.objects.filter(pk=contrat.pk).update(employeur=EmployeurFactory())


def test_formula_in_force_follows_dated_changes(contrat, formule):
    haut = FormuleFactory(code="haut", libelle="Haut de gamme", niveau=3)
    contrat_formule_changer(contrat=contrat, formule=haut, date_effet=date(2024, 1, 1))

    assert contrat_formule_en_vigueur(contrat=contrat, on=date(2021, 12, 31)) is None
    assert contrat_formule_en_vigueur(contrat=contrat, on=date(2022, 1, 1)) == formule
    assert contrat_formule_en_vigueur(contrat=contrat, on=date(2023, 12, 31)) == formule
    assert contrat_formule_en_vigueur(contrat=contrat, on=date(2024, 1, 1)) == haut
    assert contrat_formule_en_vigueur(contrat=contrat, on=date(2030, 6, 1)) == haut
    periods = list(contrat.formules.order_by("date_debut").values_list("date_debut", "date_fin"))
    assert periods == [(date(2022, 1, 1), date(2023, 12, 31)), (date(2024, 1, 1), None)]
    assert AuditLog.objects.filter(action="members.contrat.formule_changed", cible_id=str(contrat.pk)).exists()


def test_formula_change_cannot_go_back_before_the_current_formula(contrat):
    haut = FormuleFactory(code="haut2", niveau=3)
    with pytest.raises(ValidationError, match="après le 01/01/2022"):
        contrat_formule_changer(contrat=contrat, formule=haut, date_effet=date(2022, 1, 1))


def test_formula_change_to_the_same_formula_is_refused(contrat, formule):
    with pytest.raises(ValidationError, match="déjà la formule"):
        contrat_formule_changer(contrat=contrat, formule=formule, date_effet=date(2024, 1, 1))


def test_only_one_open_formula_period_per_contract_in_the_database(contrat, formule):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContratFormule.objects.create(contrat=contrat, formule=formule, date_debut=date(2025, 1, 1))


def test_overlapping_formula_periods_are_refused_by_validation(contrat, formule):
    overlapping = ContratFormule(
        contrat=contrat, formule=formule, date_debut=date(2023, 1, 1), date_fin=date(2023, 6, 30)
    )
    with pytest.raises(ValidationError, match="déjà une formule"):
        overlapping.full_clean()


def test_guarantees_in_force_by_date(formule):
    old = GarantieFactory(
        formule=formule,
        poste="optique_monture",
        type_garantie="forfait",
        montant="80",
        taux=None,
        date_debut=date(2019, 1, 1),
        date_fin=date(2023, 12, 31),
    )
    new = GarantieFactory(
        formule=formule,
        poste="optique_monture",
        type_garantie="forfait",
        montant="100",
        taux=None,
        date_debut=date(2024, 1, 1),
    )
    assert list(garanties_en_vigueur(formule=formule, on=date(2023, 12, 31))) == [old]
    assert list(garanties_en_vigueur(formule=formule, on=date(2024, 1, 1))) == [new]


def test_overlapping_guarantees_for_the_same_poste_are_refused(formule):
    GarantieFactory(
        formule=formule,
        poste="optique_monture",
        type_garantie="forfait",
        montant="80",
        taux=None,
        date_debut=date(2019, 1, 1),
    )
    clash = GarantieFactory.build(
        formule=formule,
        poste="optique_monture",
        type_garantie="forfait",
        montant="100",
        taux=None,
        date_debut=date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="déjà en vigueur"):
        clash.full_clean()


def test_percentage_guarantee_without_a_rate_is_refused(formule):
    with pytest.raises(ValidationError, match="taux"):
        GarantieFactory.build(formule=formule, taux=None).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        GarantieFactory(formule=formule, taux=None)


# --- Beneficiaires ------------------------------------------------------------------------------


def test_family_is_on_the_contract(contrat):
    qualites = sorted(contrat.beneficiaires.values_list("qualite", flat=True))
    assert qualites == ["assure", "conjoint", "enfant", "enfant"]


def test_same_person_cannot_be_twice_on_a_contract(contrat, adherent):
    with pytest.raises(ValidationError):
        beneficiaire_ajouter(
            contrat=contrat,
            qualite=Qualite.ENFANT,
            nom="Lefebvre",
            prenom="Léa",
            date_naissance=date(2014, 9, 30),
            sexe=Sexe.FEMME,
            nir=adherent.nir,
            nir_personnel=False,
            date_entree=date(2022, 1, 1),
        )


def test_twins_on_a_parents_nir_are_told_apart_by_rang(contrat, adherent):
    for rang in (1, 2):
        beneficiaire_ajouter(
            contrat=contrat,
            qualite=Qualite.ENFANT,
            nom="Lefebvre",
            prenom=f"Jumeau {rang}",
            date_naissance=date(2023, 5, 5),
            sexe=Sexe.HOMME,
            nir=adherent.nir,
            nir_personnel=False,
            rang_gemellaire=rang,
            date_entree=date(2023, 5, 5),
        )
    assert contrat.beneficiaires.filter(date_naissance=date(2023, 5, 5)).count() == 2


def test_uniqueness_of_beneficiaries_holds_in_the_database(contrat, adherent):
    lea = contrat.beneficiaires.get(prenom="Léa")
    with pytest.raises(IntegrityError), transaction.atomic():
        Beneficiaire.objects.create(
            contrat=contrat,
            qualite=Qualite.ENFANT,
            nom="Lefebvre",
            prenom="Copie",
            date_naissance=lea.date_naissance,
            sexe=Sexe.FEMME,
            nir=lea.nir,
            nir_personnel=False,
            rang_gemellaire=1,
            date_entree=date(2022, 1, 1),
        )


def test_one_principal_beneficiary_per_contract(contrat):
    with pytest.raises(ValidationError):
        beneficiaire_ajouter(
            contrat=contrat,
            qualite=Qualite.ASSURE,
            nom="Autre",
            prenom="Assuré",
            date_naissance=date(1970, 1, 1),
            sexe=Sexe.HOMME,
            nir=fake_nir(sexe="1", naissance=date(1970, 1, 1)),
            date_entree=date(2022, 1, 1),
        )


def test_beneficiary_cannot_enter_before_the_contract(contrat):
    with pytest.raises(ValidationError, match="avant le début du contrat"):
        beneficiaire_ajouter(
            contrat=contrat,
            qualite=Qualite.CONJOINT,
            nom="X",
            prenom="Y",
            date_naissance=date(1970, 1, 1),
            sexe=Sexe.HOMME,
            nir=fake_nir(sexe="1", naissance=date(1970, 1, 1)),
            date_entree=date(2021, 1, 1),
        )


def test_same_nir_may_be_on_two_contracts(contrat, formule, adherent):
    """A child can be covered by both parents' contracts at two mutuelles' members."""
    other = contrat_make(
        formule=formule,
        adherent=adherent_make(nom="Parent", sexe=Sexe.HOMME, date_naissance=date(1979, 1, 1)),
    )
    beneficiaire_ajouter(
        contrat=other,
        qualite=Qualite.ENFANT,
        nom="Lefebvre",
        prenom="Léa",
        date_naissance=date(2014, 9, 30),
        sexe=Sexe.FEMME,
        nir=adherent.nir,
        nir_personnel=False,
        date_entree=other.date_debut,
    )


# --- Rights periods -----------------------------------------------------------------------------


def test_acs_then_css_history_is_kept_by_date(contrat):
    assure = contrat.beneficiaires.get(qualite=Qualite.ASSURE)
    droit_periode_ajouter(
        beneficiaire=assure,
        type_droit=TypeDroit.ACS,
        date_debut=date(2022, 1, 1),
        date_fin=date(2022, 12, 31),
    )
    droit_periode_ajouter(
        beneficiaire=assure,
        type_droit=TypeDroit.CSS,
        date_debut=date(2023, 1, 1),
        date_fin=date(2023, 12, 31),
    )
    types_2022 = [d.type_droit for d in beneficiaire_droits(beneficiaire=assure, on=date(2022, 6, 1))]
    types_2023 = [d.type_droit for d in beneficiaire_droits(beneficiaire=assure, on=date(2023, 6, 1))]
    types_2024 = [d.type_droit for d in beneficiaire_droits(beneficiaire=assure, on=date(2024, 6, 1))]
    assert types_2022 == ["acs", "standard"]
    assert types_2023 == ["css", "standard"]
    assert types_2024 == ["standard"]


def test_overlapping_rights_of_the_same_type_are_refused(contrat):
    assure = contrat.beneficiaires.get(qualite=Qualite.ASSURE)
    droit_periode_ajouter(
        beneficiaire=assure,
        type_droit=TypeDroit.CSS,
        date_debut=date(2023, 1, 1),
        date_fin=date(2023, 12, 31),
    )
    with pytest.raises(ValidationError, match="couvre déjà"):
        droit_periode_ajouter(beneficiaire=assure, type_droit=TypeDroit.CSS, date_debut=date(2023, 6, 1))


def test_termination_ends_rights_and_formula(contrat):
    contrat_resilier(contrat=contrat, date_fin=date(2024, 12, 31), motif="Demande de l'adhérent")
    contrat.refresh_from_db()
    assert contrat.statut == "resilie"
    assure = contrat.beneficiaires.get(qualite=Qualite.ASSURE)
    assert beneficiaire_a_des_droits(beneficiaire=assure, on=date(2024, 12, 31))
    assert not beneficiaire_a_des_droits(beneficiaire=assure, on=date(2025, 1, 1))
    assert contrat_formule_en_vigueur(contrat=contrat, on=date(2025, 1, 1)) is None


def test_terminated_contract_needs_an_end_date_in_the_database(contrat):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contrat.objects.filter(pk=contrat.pk).update(statut="resilie")
