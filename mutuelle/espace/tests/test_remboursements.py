"""The reimbursements list, its filters, totals, pages and CSV export; the detail page."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from regles.moteur import Acte, Beneficiaire, Garantie, Moteur, TypeGarantie
from tests.factories import ligne_make

LISTE = reverse("espace:remboursements")


def _export(client: Any, query: str = "") -> list[list[str]]:
    response = client.get(f"{LISTE}?{query}&export=csv" if query else f"{LISTE}?export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_the_list_shows_every_act_of_the_family_newest_first(camille_connectee: Any, lignes: Any) -> None:
    response = camille_connectee.get(LISTE)
    body = response.content.decode()
    dates = ["03/03/2026", "10/02/2026", "15/01/2026", "20/11/2025", "01/06/2025"]
    positions = [body.index(d) for d in dates]
    assert positions == sorted(positions)
    assert "Monture à tarif libre (classe B)" in body  # the poste's label, not the capitals of the table
    assert "(tiers payant)" in body


def test_totals_of_the_whole_family_count_only_what_the_mutuelle_settled(camille_connectee: Any, lignes: Any) -> None:
    totaux = camille_connectee.get(LISTE).context["totaux"]
    assert totaux.nombre == 5
    assert str(totaux.depense) == "222.40"
    assert str(totaux.secu) == "65.09"
    # Paid or validated only: the pharmacy being analysed and the rejected line are not counted.
    assert str(totaux.mutuelle) == "98.00"
    assert str(totaux.reste) == "59.31"


def test_filter_by_beneficiary(camille_connectee: Any, lignes: Any, famille: Any) -> None:
    response = camille_connectee.get(LISTE, {"beneficiaire": str(famille["Léa"].pk)})
    assert [ligne.beneficiaire.prenom for ligne in response.context["page"]] == ["Léa"]


def test_filter_by_period_type_status_and_payee(camille_connectee: Any, lignes: Any) -> None:
    def prenoms(**params: str) -> list[str]:
        return [ligne.beneficiaire.prenom for ligne in camille_connectee.get(LISTE, params).context["page"]]

    assert prenoms(du="2026-01-01", au="2026-12-31") == ["Camille", "Léa", "Julien"]
    assert prenoms(famille="pharmacie") == ["Julien"]
    assert prenoms(statut="rejete") == ["Nathan"]
    assert prenoms(paye_a="professionnel") == ["Léa"]
    assert prenoms(paye_a="adherent", famille="consultations", statut="paye") == ["Camille"]


def test_an_empty_selection_says_so(camille_connectee: Any, lignes: Any) -> None:
    response = camille_connectee.get(LISTE, {"du": "2020-01-01", "au": "2020-12-31"})
    assert "Aucun remboursement sur cette période" in response.content.decode()
    assert response.context["totaux"].nombre == 0


def test_a_period_ending_before_it_starts_is_explained(camille_connectee: Any, lignes: Any) -> None:
    response = camille_connectee.get(LISTE, {"du": "2026-05-01", "au": "2026-01-01"})
    body = response.content.decode()
    assert "La fin de la période précède son début" in body
    assert response.context["totaux"].nombre == 5  # nothing is hidden by a filter the member cannot see


def test_a_foreign_beneficiary_id_in_the_filter_is_refused(
    camille_connectee: Any, lignes: Any, ligne_de_hugo: Any
) -> None:
    response = camille_connectee.get(LISTE, {"beneficiaire": str(ligne_de_hugo.beneficiaire_id)})
    assert "Hugo" not in response.content.decode()
    assert response.context["form"].errors["beneficiaire"]
    assert all(ligne.contrat.adherent.prenom == "Camille" for ligne in response.context["page"])


def test_pages_of_25(camille_connectee: Any, famille: Any) -> None:
    for day in range(1, 31):
        ligne_make(beneficiaire=famille["Camille"], date_soins=date(2026, 1, day))
    first = camille_connectee.get(LISTE)
    assert len(first.context["page"].object_list) == 25
    assert "Page 1 sur 2" in first.content.decode()
    second = camille_connectee.get(LISTE, {"page": "2"})
    assert [ligne.date_soins.day for ligne in second.context["page"]] == [5, 4, 3, 2, 1]
    assert camille_connectee.get(LISTE, {"page": "abc"}).status_code == 200


def test_csv_export_of_the_selection(camille_connectee: Any, lignes: Any) -> None:
    rows = _export(camille_connectee, "famille=optique")
    assert rows[0][:3] == ["Date des soins", "Bénéficiaire", "Acte"]
    assert len(rows) == 2
    assert rows[1][0] == "10/02/2026"
    assert rows[1][1] == "Léa Lefebvre"
    assert rows[1][4] == "120,00"
    assert rows[1][9] == "80,00"
    assert rows[0][-2:] == ["Payé à", "Professionnel de santé"]
    assert rows[1][-2] == "Professionnel de santé"
    assert len(_export(camille_connectee)) == 6


def test_csv_cells_never_start_a_formula(camille_connectee: Any, famille: Any) -> None:
    lea = famille["Léa"]
    lea.prenom = '=HYPERLINK("x")'
    lea.save(update_fields=["prenom"])
    ligne_make(beneficiaire=lea)
    rows = _export(camille_connectee)
    assert rows[1][1].startswith("'=")


def test_the_list_reads_in_a_bounded_number_of_queries(
    camille_connectee: Any, famille: Any, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 29):
        ligne_make(beneficiaire=famille["Léa"], date_soins=date(2026, 2, day))
        ligne_make(beneficiaire=famille["Nathan"], date_soins=date(2025, 2, day), poste="pharmacie_65")
    # Session, user, member, family, count, totals, mutuelle, unread count, the page's rows, and the
    # session's activity stamp (three statements), the quotes of the rows' people (one; the acts they
    # match are read only when there are quotes): 13, whatever the history; the dashboard also reads
    # what waits for a valid bank account (one aggregate).
    with django_assert_max_num_queries(13):
        camille_connectee.get(LISTE, {"famille": "consultations"})
    with django_assert_max_num_queries(14):
        camille_connectee.get(reverse("espace:accueil"))
    with django_assert_max_num_queries(16):
        camille_connectee.get(reverse("espace:depenses"))


def test_the_detail_explains_the_computation(camille_connectee: Any, famille: Any) -> None:
    (resultat,) = Moteur().liquider(
        [
            Acte(
                date_soins=date(2026, 3, 3),
                code="G",
                montant_depense=Decimal("30.00"),
                beneficiaire=Beneficiaire(age=44),
                garantie=Garantie(type=TypeGarantie.BR, taux=Decimal("100"), libelle="Généraliste"),
            )
        ]
    )
    ligne = ligne_make(beneficiaire=famille["Camille"], trace=resultat.trace_brute)
    body = camille_connectee.get(reverse("espace:remboursement", args=[ligne.pk])).content.decode()
    assert "Comment est calculé ce remboursement ?" in body
    assert "Participation forfaitaire de 2,00" in body
    assert "30,00\u00a0€" in body  # amounts the French way
    assert "Remboursement effectué" in body
    assert "Contester ce remboursement" in body


def test_tiers_payant_says_who_was_paid(camille_connectee: Any, lignes: Any) -> None:
    body = camille_connectee.get(reverse("espace:remboursement", args=[lignes[2].pk])).content.decode()
    assert "directement au professionnel de santé" in body


def test_each_line_names_who_gave_the_care(camille_connectee: Any, famille: Any) -> None:
    """The Sécu's file gives a number; the member reads the practitioner's or establishment's name
    when the directory knows them, in the list and in the CSV."""
    from tests.factories import PraticienFactory, ligne_make

    praticien: Any = PraticienFactory(civilite="Dr", prenom="Aurore", nom="Fictif")
    ligne = ligne_make(beneficiaire=famille["Léa"], statut="paye", tiers_payant=True)
    ligne.praticien_identifiant = praticien.rpps
    ligne.save(update_fields=["praticien_identifiant"])
    inconnue = ligne_make(beneficiaire=famille["Léa"], statut="paye")
    inconnue.praticien_identifiant = "10999999990"
    inconnue.save(update_fields=["praticien_identifiant"])
    page = camille_connectee.get("/espace/remboursements/").content.decode()
    assert "Dr Aurore Fictif" in page and "10999999990" not in page
    export = b"".join(camille_connectee.get("/espace/remboursements/?export=csv").streaming_content).decode()
    assert "Dr Aurore Fictif" in export
