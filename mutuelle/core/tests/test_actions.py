"""The journal's actions come from one enum (core.actions), in one form and one tense; rows written
before a code was renamed still read, and are still found, as their action."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.contrib import admin

from mutuelle.core.actions import ANCIENS_CODES, Action, action_de, codes
from mutuelle.core.admin_mixins import AuditedAdmin
from mutuelle.core.models import AuditLog
from mutuelle.core.services import journal_ecrire

ROOT = Path(__file__).resolve().parents[3]
# The verb, in the past: a word of the last part ends in -ed, or is one of these.
IRREGULIERS = {"sent", "taken", "written", "withdrawn", "paid", "found", "kept"}


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_each_code_is_app_noun_then_what_was_done_in_the_past(action: Action) -> None:
    app, *_, verbe = action.value.split(".")
    assert re.fullmatch(r"[a-z_]+(\.[a-z_]+){2,3}", action.value)
    assert (ROOT / "mutuelle" / app / "apps.py").exists(), f"{action.value}: {app} is not an app"
    assert any(mot.endswith("ed") or mot in IRREGULIERS for mot in verbe.split("_")), action.value


def test_each_action_reads_as_its_own_sentence() -> None:
    libelles = [str(a.label) for a in Action]
    assert len(libelles) == len(set(libelles)), sorted({x for x in libelles if libelles.count(x) > 1})


def test_old_codes_are_not_codes_any_more_and_each_reads_as_an_action() -> None:
    assert not set(ANCIENS_CODES) & set(Action.values)
    assert action_de("accounts.login.success") == Action.CONNEXION_REUSSIE
    assert action_de("requests.rib.creee") == Action.DEMANDE_CREEE
    assert action_de("inconnue.du.journal") is None
    assert codes(Action.CONNEXION_REUSSIE) == ["accounts.login.succeeded", "accounts.login.success"]


@pytest.mark.django_db
def test_a_row_written_with_an_old_code_is_found_and_read_as_its_action(adherent) -> None:
    ancienne = AuditLog.objects.create(action="members.adherent.coordonnees", adherent=adherent, acteur_libelle="x")
    nouvelle = journal_ecrire(action=Action.COORDONNEES_MODIFIEES, adherent=adherent)
    trouvees = AuditLog.objects.filter(action__in=codes(Action.COORDONNEES_MODIFIEES))
    assert set(trouvees) == {ancienne, nouvelle}
    assert ancienne.action_libelle == nouvelle.action_libelle == "Coordonnées modifiées"
    assert ancienne.action_actuelle == nouvelle.action == "members.adherent.contact_changed"


@pytest.mark.django_db
def test_a_code_outside_the_enum_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ValueError):
        journal_ecrire(action="members.adherent.inventee")  # type: ignore[arg-type]
    assert not AuditLog.objects.exists()


def test_every_model_audited_in_the_admin_has_its_actions() -> None:
    manquantes = []
    for modele, modele_admin in admin.site._registry.items():
        if not isinstance(modele_admin, AuditedAdmin):
            continue
        verbes = ["created", "changed", "deleted"] + (["viewed"] if modele_admin.lecture_auditee else [])
        manquantes += [
            f"{modele._meta.label_lower}.{v}" for v in verbes if f"{modele._meta.label_lower}.{v}" not in Action.values
        ]
    assert manquantes == []


def test_no_call_writes_a_code_by_hand() -> None:
    """journal_ecrire(action=…) gets a member of the enum (or a table of them), never a string or an f-string."""
    fautes = []
    for chemin in sorted((ROOT / "mutuelle").rglob("*.py")):
        if "tests" in chemin.parts or "migrations" in chemin.parts:
            continue
        for noeud in ast.walk(ast.parse(chemin.read_text(encoding="utf-8"))):
            if isinstance(noeud, ast.Call) and getattr(noeud.func, "id", "") == "journal_ecrire":
                for mot in noeud.keywords:
                    if mot.arg == "action" and isinstance(mot.value, (ast.Constant, ast.JoinedStr)):
                        fautes.append(f"{chemin.relative_to(ROOT)}:{noeud.lineno}")
    assert fautes == []
