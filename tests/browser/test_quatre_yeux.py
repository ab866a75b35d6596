"""The diversion the attack test found, replayed in a real browser by two members of staff and one
« member » (whoever holds the new address), and stopped where it should be:

1. the handler cannot change the email in the admin; in the back office it only proposes it;
2. while it waits, « mot de passe oublié » still writes to the member's own address;
3. a responsable — another person — approves it, seeing old and new side by side; the previous
   address is told;
4. the new address's holder resets the password and enters a new IBAN with a PDF;
5. the handler who proposed the email validates the IBAN: a first validation only, the account
   waits for a responsable, and no transfer can go to it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from mutuelle.backoffice.models import ModificationProposee, StatutModification
from mutuelle.members.services import rib_actif
from mutuelle.requests.models import Demande, StatutDemande, TypeDemande
from mutuelle.requests.tests.conftest import pdf_simple
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_demandes import _gestionnaire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIRATE = "boite.pirate@test.example"
NOUVEAU_SECRET = "une phrase que seul le pirate connait"


def _oubli(page: Any, numero: str) -> None:
    page.goto("/connexion/mot-de-passe-oublie/")
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(numero)
    page.get_by_role("button", name="Recevoir un lien ou un code").click()
    page.wait_for_load_state("networkidle")


def test_the_diversion_chain_stops_at_the_second_person(
    page: Any,
    browser: Any,
    live_server: Any,
    adherent: Any,
    contrat: Any,
    gestionnaire: Any,
    responsable: Any,
    mutuelle: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    from django.contrib.auth.models import Group

    from mutuelle.accounts.services import GROUP_NAMES, roles_installer

    settings.MUTUELLE_BASE_URL = live_server.url
    roles_installer()
    gestionnaire.groups.add(Group.objects.get(name=GROUP_NAMES[gestionnaire.role]))
    ancienne = adherent.email

    # 1. The handler: the admin shows the email but has no field for it; the back office proposes.
    guichet = _gestionnaire(browser, live_server, gestionnaire)
    guichet.goto(f"/admin/members/adherent/{adherent.pk}/change/")
    assert ancienne in guichet.locator("#content").inner_text()
    assert guichet.locator("input[name=email]").count() == 0
    guichet.goto(f"/gestion/adherents/{adherent.numero}/")
    guichet.get_by_role("link", name="Modifier l'identité ou les coordonnées").click()
    assert not axe_violations(guichet)
    guichet.locator("input[name=email]").fill(PIRATE)
    guichet.get_by_label("Motif et pièce justificative").fill("Appel de l'adhérente, nouvelle adresse.")
    guichet.get_by_role("button", name="Proposer la modification").click()
    guichet.wait_for_load_state("networkidle")
    main = guichet.locator("main").inner_text()
    assert "En attente d'un second valideur" in main and "Valider et appliquer" not in main
    screenshot(guichet, "quatre-yeux-proposee")
    adherent.refresh_from_db()
    assert adherent.email == ancienne

    # 2. While it waits, a reset link goes to the member's own address only.
    _oubli(page, adherent.numero)
    assert [m.to for m in mail.outbox] == [[ancienne]]

    # 3. A responsable, another person, approves it from the queue.
    chef = _gestionnaire(browser, live_server, responsable)
    chef.goto("/gestion/files/quatre_yeux/")
    chef.get_by_role("button", name="Traiter le suivant").click()
    chef.wait_for_load_state("networkidle")
    valeurs = chef.locator("main table").inner_text()
    assert ancienne in valeurs and PIRATE in valeurs
    assert not axe_violations(chef)
    screenshot(chef, "quatre-yeux-a-valider")
    chef.get_by_role("button", name="Valider et appliquer").click()
    chef.wait_for_load_state("networkidle")
    assert ModificationProposee.objects.get().statut == StatutModification.APPLIQUEE
    assert any(m.to == [ancienne] and "changée" in str(m.body) for m in mail.outbox)  # the previous address told
    chef.context.close()

    # 4. Whoever holds the new address resets the password and enters a new IBAN.
    mail.outbox.clear()
    _oubli(page, adherent.numero)
    (lien,) = [m for m in mail.outbox if m.to == [PIRATE]]
    chemin = re.search(r"/connexion/nouveau-mot-de-passe/\S+/", str(lien.body))
    assert chemin
    page.goto(chemin.group(0))
    page.get_by_label("Nouveau mot de passe").fill(NOUVEAU_SECRET)
    page.get_by_label("Confirmez le mot de passe").fill(NOUVEAU_SECRET)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state("networkidle")
    page.goto("/connexion/")
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(adherent.numero)
    page.get_by_label("Mot de passe").fill(NOUVEAU_SECRET)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace/")
    scan = tmp_path / "rib.pdf"
    scan.write_bytes(pdf_simple("Relevé d'identité bancaire"))
    page.goto("/espace/profil/")
    page.get_by_role("link", name="Indiquer mon compte bancaire").click()
    page.get_by_label("Titulaire du compte").fill("Camille Lefebvre")
    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_label("Votre RIB (PDF, JPEG ou PNG)").set_input_files(str(scan))
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state("networkidle")
    assert "Un gestionnaire vérifie le RIB" in page.locator("main").inner_text()

    # 5. The handler who proposed the email validates the IBAN: a first validation only.
    demande = Demande.objects.get(type_demande=TypeDemande.RIB)
    guichet.goto(f"/gestion/demandes/{demande.numero}/")
    signaux = guichet.locator("main").inner_text()
    assert "L'adresse email de l'adhérent a changé le" in signaux
    guichet.get_by_label("Décision").select_option("rib_valide")
    guichet.get_by_label("Réponse à l'adhérent").fill("RIB conforme.")
    guichet.get_by_role("button", name="Clore la demande").click()
    guichet.wait_for_load_state("networkidle")
    screenshot(guichet, "quatre-yeux-rib-premiere-validation")
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.EN_COURS and demande.premiere_validation_par == gestionnaire
    assert rib_actif(adherent) is None  # nothing can be paid to it yet
    guichet.context.close()
