"""The admin is a tool, not a back door: a gestionnaire or a responsable reads a member's identity,
contact, contract broker and premium payments there but cannot change them; every change records
its old and new values; a page showing a full NIR is journaled as a read; an email is
changed by nobody here, an administrator included (the back office proposes, a second person
approves)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from mutuelle.accounts.models import Courrier
from mutuelle.accounts.services import GROUP_NAMES, roles_installer
from mutuelle.core.models import AuditLog
from tests.factories import UserFactory, connecter

pytestmark = pytest.mark.django_db


def _personnel(user: Any) -> Client:
    from django.contrib.auth.models import Group

    roles_installer()
    if user.role in GROUP_NAMES:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[user.role]))
    return connecter(Client(), user)


def _donnees(reponse: Any, **changes: Any) -> dict[str, Any]:
    """What the admin's change form posts back as it stands, with ``changes``."""
    from django.db.models import Model

    def valeur(v: Any) -> Any:
        if isinstance(v, Model):
            return v.pk
        if isinstance(v, date):
            return v.isoformat()
        return "" if v is None else v

    data: dict[str, Any] = {}
    form = reponse.context["adminform"].form
    for nom, champ in form.fields.items():
        v = form.initial.get(nom, champ.initial)
        if v is not False:
            data[nom] = valeur(v)
    for inline in reponse.context["inline_admin_formsets"]:
        fs = inline.formset
        for nom in fs.management_form.fields:
            data[f"{fs.prefix}-{nom}"] = fs.management_form.initial.get(nom, fs.management_form[nom].value())
        for f in fs.forms:
            for nom, champ in f.fields.items():
                v = f.initial.get(nom, champ.initial)
                if v is not False:
                    data[f"{f.prefix}-{nom}"] = valeur(v)
    data.update(changes)
    return data


def test_a_gestionnaire_cannot_change_a_members_email_or_identity_in_the_admin(
    adherent: Any, contrat: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    """Step 1 of the diversion the attack test found: the handler sets another address. Refused."""
    client = _personnel(gestionnaire)
    url = f"/admin/members/adherent/{adherent.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    texte = page.content.decode()
    assert 'name="email"' not in texte and 'name="nir"' not in texte and 'name="nom"' not in texte
    assert adherent.email in texte  # read, not written
    ancienne = adherent.email
    reponse = client.post(url, _donnees(page, email="detourne@test.example", nom="Autre", preference_courrier="papier"))
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    adherent.refresh_from_db()
    assert (adherent.email, adherent.nom) == (ancienne, "Lefebvre")
    # What a gestionnaire may change is journaled with its old and new value.
    change = AuditLog.objects.get(action="members.adherent.changed")
    assert change.ancienne_valeur == {"preference_courrier": "email"} and change.nouvelle_valeur == {
        "preference_courrier": "papier"
    }
    # The page showed the full NIR: a read of the member's data, like the member file.
    assert (
        AuditLog.objects.filter(action="members.adherent.viewed", adherent=adherent, acteur=gestionnaire).count() == 1
    )


def test_the_broker_of_a_contract_and_a_premiums_payment_are_read_only_for_staff(
    adherent: Any, contrat: Any, responsable: Any
) -> None:
    import re
    from decimal import Decimal

    from mutuelle.members.models import Cotisation

    client = _personnel(responsable)
    reponse = client.get(f"/admin/members/contrat/{contrat.pk}/change/")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert contrat.numero in page  # the page is the contract's, shown
    assert 'name="courtier"' not in page and 'name="adherent"' not in page
    julien = contrat.beneficiaires.get(prenom="Julien")
    assert julien.nir in page and not re.search(r'name="[^"]*-nir"', page)  # the family read, not written
    assert re.search(r'name="[^"]*-date_sortie"', page)  # what is not protected stays editable
    cotisation = Cotisation.objects.create(
        contrat=contrat, echeance=date(2026, 1, 1), montant=Decimal("80.00"), montant_paye=Decimal("80.00"),
        date_paiement=date(2026, 1, 5), mode_paiement="prelevement",
    )  # fmt: skip
    reponse = client.get(f"/admin/members/cotisation/{cotisation.pk}/change/")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "80,00" in page or "80.00" in page
    assert 'name="montant_paye"' not in page and 'name="date_paiement"' not in page


def test_an_administrator_cannot_change_a_members_email_in_the_admin_either(adherent: Any, contrat: Any) -> None:
    """No single person changes it, an administrator included: the admin shows it, the back office
    proposes it and another person approves (``backoffice/tests/test_quatre_yeux.py``)."""
    administrateur: Any = UserFactory(username="admin", role="administrateur", is_staff=True, is_superuser=True)
    client = _personnel(administrateur)
    url = f"/admin/members/adherent/{adherent.pk}/change/"
    ancienne = adherent.email
    page = client.get(url)
    assert page.status_code == 200 and 'name="email"' not in page.content.decode()
    reponse = client.post(url, _donnees(page, email="camille.autre@test.example"))
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    adherent.refresh_from_db()
    assert adherent.email == ancienne
    assert not mail.outbox and not Courrier.objects.filter(adherent=adherent).exists()
    # A new member is still typed in whole on the add page.
    ajout = client.get("/admin/members/adherent/add/").content.decode()
    assert 'name="email"' in ajout and 'name="nir"' in ajout
