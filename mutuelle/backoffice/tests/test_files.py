"""The work queues: counts and service level in working days, taking an item, the next one opening
after a decision, a supervisor reassigning, bulk validation, NOEMIE signalements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from mutuelle.accounts.models import Role
from mutuelle.backoffice.files import FILES, Etat, compteurs, elements, seuils
from mutuelle.backoffice.models import Affectation
from mutuelle.claims.models import EvenementLigne, RejetNoemie, Statut
from mutuelle.core.models import AuditLog
from mutuelle.requests.models import Demande, TypeDemande
from tests.factories import UserFactory, connecter, ligne_make

PARIS = ZoneInfo("Europe/Paris")
# Thursday 3 December 2026.
AUJOURDHUI = datetime(2026, 12, 3, 10, 0, tzinfo=PARIS)


def _demande(adherent: Any, n: int, echeance: date, type_demande: str = TypeDemande.DOCUMENT) -> Demande:
    return Demande.objects.create(
        numero=f"D2026-{n:06d}", adherent=adherent, type_demande=type_demande, echeance=echeance, objet="autre"
    )


def _en_revue(beneficiaire: Any, **kwargs: Any) -> Any:
    ligne = ligne_make(beneficiaire=beneficiaire, statut=Statut.EN_COURS, **kwargs)
    ligne.motif_revue = "Dépassement au-delà du seuil"
    ligne.save(update_fields=["motif_revue"])
    return ligne


def test_the_service_level_counts_working_days_only() -> None:
    # Due 2 working days after arrival: on Thursday 3 Dec, what came on Monday 30 Nov is late
    # (due Wed 2), Tuesday's is due today, Wednesday's tomorrow.
    en_retard, du_jour = seuils(2, date(2026, 12, 3))
    assert en_retard == date(2026, 11, 30)
    assert du_jour == date(2026, 12, 1)
    # Over a weekend and Christmas (Fri 25 is a holiday): on Monday 28 Dec, Wednesday 23's is due
    # today (Thu 24, Mon 28), Tuesday 22's is late (due Thu 24), Thursday 24's is due Tuesday 29.
    en_retard, du_jour = seuils(2, date(2026, 12, 28))
    assert du_jour == date(2026, 12, 23)
    assert en_retard == date(2026, 12, 22)


@pytest.mark.django_db
def test_counts_and_states_of_a_queue(adherent: Any, gestionnaire: Any) -> None:
    with time_machine.travel(AUJOURDHUI, tick=False):
        _demande(adherent, 1, date(2026, 12, 1))
        _demande(adherent, 2, date(2026, 12, 3))
        _demande(adherent, 3, date(2026, 12, 7))
        file = FILES["documents"]
        c = compteurs(file, gestionnaire)
        assert (c["total"], c["en_retard"], c["aujourdhui"], c["libres"], c["moi"]) == (3, 1, 1, 3, 0)
        etats = [e.etat for e in elements(file, list(file.ouverts()))]
        assert etats == [Etat.EN_RETARD, Etat.AUJOURDHUI, Etat.A_TEMPS]


@pytest.mark.django_db
def test_the_list_filters_by_state_and_shows_who_took_what(client: Any, adherent: Any, gestionnaire: Any) -> None:
    with time_machine.travel(AUJOURDHUI, tick=False):
        en_retard = _demande(adherent, 1, date(2026, 11, 20))
        _demande(adherent, 2, date(2026, 12, 10))
        connecter(client, gestionnaire)
        page = client.get(reverse("backoffice:file", kwargs={"cle": "documents"}), {"etat": "en_retard"})
        assert [e.objet for e in page.context["lignes"]] == [en_retard]
        client.post(reverse("backoffice:prendre", kwargs={"cle": "documents", "pk": en_retard.pk}))
        page = client.get(reverse("backoffice:file", kwargs={"cle": "documents"}), {"prise": "moi"})
        assert [(e.objet, e.pris_par) for e in page.context["lignes"]] == [(en_retard, gestionnaire)]
        accueil = client.get(reverse("backoffice:accueil")).content.decode()
        assert "Documents reçus" in accueil and "En retard" in accueil


@pytest.mark.django_db
def test_an_item_taken_by_one_handler_cannot_be_taken_by_another(
    client: Any, adherent: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    demande = _demande(adherent, 1, date(2026, 12, 10))
    collegue: Any = UserFactory(username="collegue", role=Role.GESTIONNAIRE, is_staff=True)
    connecter(client, gestionnaire)
    reponse = client.post(reverse("backoffice:prendre", kwargs={"cle": "documents", "pk": demande.pk}))
    assert reponse["Location"].startswith(reverse("requests_gestion:detail", kwargs={"numero": demande.numero}))
    connecter(client, collegue)
    client.post(reverse("backoffice:prendre", kwargs={"cle": "documents", "pk": demande.pk}))
    assert Affectation.objects.get().gestionnaire == gestionnaire
    client.post(reverse("backoffice:liberer", kwargs={"cle": "documents", "pk": demande.pk}))
    assert Affectation.objects.get().gestionnaire == gestionnaire
    assert AuditLog.objects.filter(action="backoffice.element.taken", acteur=gestionnaire).count() == 1


@pytest.mark.django_db
def test_a_supervisor_reassigns_and_it_is_audited(
    client: Any, adherent: Any, gestionnaire: Any, responsable: Any, mutuelle: Any
) -> None:
    demandes = [_demande(adherent, n, date(2026, 12, 10)) for n in (1, 2)]
    connecter(client, responsable)
    client.post(
        reverse("backoffice:reattribuer", kwargs={"cle": "documents"}),
        {"gestionnaire": gestionnaire.pk, "element": [d.pk for d in demandes]},
    )
    assert set(Affectation.objects.values_list("gestionnaire", flat=True)) == {gestionnaire.pk}
    assert AuditLog.objects.filter(action="backoffice.element.reassigned", acteur=responsable).count() == 2
    # A handler may not reassign.
    connecter(client, gestionnaire)
    reponse = client.post(
        reverse("backoffice:reattribuer", kwargs={"cle": "documents"}),
        {"gestionnaire": responsable.pk, "element": [demandes[0].pk]},
    )
    assert reponse.status_code == 403


@pytest.mark.django_db
def test_next_opens_the_most_urgent_item_and_a_decision_opens_the_one_after(
    client: Any, contrat: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    beneficiaire = contrat.beneficiaires.first()
    premiere = _en_revue(beneficiaire)
    deuxieme = _en_revue(beneficiaire)
    connecter(client, gestionnaire)
    reponse = client.post(reverse("backoffice:suivant", kwargs={"cle": "revue"}))
    assert reponse["Location"] == reverse("claims:revue_detail", kwargs={"pk": premiere.pk}) + "?file=revue"
    assert Affectation.objects.get(objet_id=premiere.pk).gestionnaire == gestionnaire
    reponse = client.post(reponse["Location"], {"action": "valider", "motif": ""})
    assert reponse["Location"] == reverse("claims:revue_detail", kwargs={"pk": deuxieme.pk}) + "?file=revue"
    premiere.refresh_from_db()
    assert premiere.statut == Statut.VALIDE
    reponse = client.post(reponse["Location"], {"action": "valider", "motif": ""})
    assert reponse["Location"] == reverse("backoffice:file", kwargs={"cle": "revue"})


@pytest.mark.django_db
def test_a_page_of_reviewed_lines_is_validated_in_one_go_each_line_traced(
    client: Any, contrat: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    beneficiaire = contrat.beneficiaires.first()
    lignes = [_en_revue(beneficiaire, amc="10.34") for _ in range(3)]
    connecter(client, gestionnaire)
    client.post(reverse("backoffice:revue_valider_lot"), {"element": [lignes[0].pk, lignes[1].pk]})
    statuts = [ligne.statut for ligne in type(lignes[0]).objects.filter(pk__in=[x.pk for x in lignes]).order_by("pk")]
    assert statuts == [Statut.VALIDE, Statut.VALIDE, Statut.EN_COURS]
    assert EvenementLigne.objects.filter(vers=Statut.VALIDE, par=gestionnaire).count() == 2
    assert AuditLog.objects.filter(action="claims.ligne.validated", acteur=gestionnaire).count() == 2
    lignes[0].refresh_from_db()
    assert lignes[0].montant_amc == Decimal("10.34")


@pytest.mark.django_db
def test_a_noemie_signalement_is_handled_and_leaves_the_queue(
    client: Any, contrat: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.first())
    rejet = RejetNoemie.objects.create(
        fichier=ligne.decompte.fichier,
        decompte_numero=77,
        ligne_numero=1,
        nir="180057512345612",
        date_soins=date(2026, 11, 2),
        code_prestation=1111,
        montant_depense=Decimal("25.00"),
        motif="beneficiaire_inconnu",
    )
    connecter(client, gestionnaire)
    url = reverse("backoffice:signalement", kwargs={"pk": rejet.pk}) + "?file=signalements"
    page = client.get(url)
    assert "Aucune personne connue sous ce NIR" in page.content.decode()
    assert client.post(url, {"commentaire": ""}).status_code == 400
    reponse = client.post(url, {"commentaire": "Retourné à la caisse : personne inconnue."})
    assert reponse["Location"] == reverse("backoffice:file", kwargs={"cle": "signalements"})
    rejet.refresh_from_db()
    assert rejet.traite and rejet.traite_par == gestionnaire
    assert compteurs(FILES["signalements"], gestionnaire)["total"] == 0
    assert AuditLog.objects.filter(action="claims.rejet.processed", cible_id=str(rejet.pk)).exists()


@pytest.mark.django_db
def test_the_locked_accounts_queue_holds_accounts_locked_now_and_leads_to_the_unlock_form(
    client: Any, adherent: Any, autre_adherent: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    def echecs(user: Any, n: int, il_y_a: timedelta = timedelta(0)) -> None:
        tentative = AccessAttempt.objects.create(
            username=f"compte:{user.pk}",
            failures_since_start=n,
            ip_address="127.0.0.1",
            user_agent="test",
            http_accept="*/*",
            path_info="/connexion/",
            get_data="",
            post_data="",
        )
        AccessAttempt.objects.filter(pk=tentative.pk).update(attempt_time=timezone.now() - il_y_a)

    echecs(adherent.user, 3)
    echecs(autre_adherent.user, 2)  # below the threshold
    echecs(gestionnaire, 3, il_y_a=timedelta(hours=2))  # the lockout is over
    file = FILES["deverrouillages"]
    (element,) = elements(file, list(file.ouverts()))
    assert element.adherent == adherent
    assert element.url == f"{reverse('accounts_gestion:deverrouiller')}?numero={adherent.numero}&file=deverrouillages"
    connecter(client, gestionnaire)
    formulaire = client.get(element.url).context["form"]
    assert formulaire.initial["numero"] == adherent.numero


@pytest.mark.django_db
def test_work_taken_is_work_owned_until_a_supervisor_reassigns_it(
    client: Any, contrat: Any, adherent: Any, gestionnaire: Any, responsable: Any, mutuelle: Any
) -> None:
    """A line taken with « Traiter le suivant » is decided by its holder: another handler's decision
    is refused with who holds it (409, the line unchanged), in the page, one by one or in a batch;
    even a supervisor reassigns first, then the new holder decides."""
    beneficiaire = contrat.beneficiaires.first()
    ligne = _en_revue(beneficiaire)
    connecter(client, gestionnaire)
    client.post(reverse("backoffice:suivant", kwargs={"cle": "revue"}))
    page = reverse("claims:revue_detail", kwargs={"pk": ligne.pk})
    assert "Vous avez pris cet élément en charge" in client.get(page).content.decode()
    collegue: Any = UserFactory(username="collegue", role=Role.GESTIONNAIRE, is_staff=True)
    for qui in (collegue, responsable):
        connecter(client, qui)
        texte = client.get(page).content.decode()
        assert f"Pris en charge par {gestionnaire}" in texte
        reponse = client.post(page, {"action": "rejeter", "motif": "Doublon"})
        assert reponse.status_code == 409 and "lui seul décide" in reponse.content.decode()
        client.post(reverse("backoffice:revue_valider_lot"), {"element": [ligne.pk]})
        ligne.refresh_from_db()
        assert ligne.statut == Statut.EN_COURS
    # A request taken by one handler is closed by them only, too.
    demande = _demande(adherent, 7, date(2026, 12, 10))
    connecter(client, gestionnaire)
    client.post(reverse("backoffice:prendre", kwargs={"cle": "documents", "pk": demande.pk}))
    connecter(client, collegue)
    detail = reverse("requests_gestion:detail", kwargs={"numero": demande.numero})
    reponse = client.post(detail, {"vers": "traitee", "decision": "traite", "message": "Reçu."})
    assert reponse.status_code == 409
    demande.refresh_from_db()
    assert demande.statut != "traitee"
    # Reassigned by the supervisor, the colleague decides.
    connecter(client, responsable)
    client.post(
        reverse("backoffice:reattribuer", kwargs={"cle": "revue"}),
        {"gestionnaire": collegue.pk, "element": [ligne.pk]},
    )
    connecter(client, collegue)
    assert client.post(page, {"action": "valider", "motif": ""}).status_code == 302
    ligne.refresh_from_db()
    assert ligne.statut == Statut.VALIDE
