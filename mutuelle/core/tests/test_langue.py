"""French by default, whatever the browser asks; English when the visitor chooses it in the footer,
from a catalogue that covers every string of the templates."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _page(client: Client, url: str = "/connexion/") -> str:
    return html.unescape(client.get(url).content.decode())


def test_an_english_browser_gets_the_french_interface_and_french_errors(mutuelle):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = _page(client)
    assert '<html lang="fr">' in page and "Connexion à votre espace" in page
    erreur = html.unescape(client.post("/connexion/", {"identifiant": "", "secret": ""}).content.decode())
    assert "Ce champ est obligatoire." in erreur and "This field is required." not in erreur


def test_the_footer_switches_to_english_and_back(mutuelle):
    client = Client()
    page = _page(client)
    assert 'action="/i18n/setlang/"' in page and '<option value="en" lang="en">English</option>' in page
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/connexion/"})["Location"] == "/connexion/"
    anglais = _page(client)
    assert '<html lang="en">' in anglais and "Log in to your space" in anglais and "Forgotten password?" in anglais
    assert '<option value="en" lang="en" selected>English</option>' in anglais
    assert "Member number or social security number" in anglais  # a form label, defined in Python
    refus = html.unescape(client.post("/connexion/", {"identifiant": "123", "secret": "faux"}).content.decode())
    assert "Wrong username or password." in refus
    client.post("/i18n/setlang/", {"language": "fr", "next": "/connexion/"})
    assert "Connexion à votre espace" in _page(client)


def test_an_unknown_language_cookie_falls_back_to_french(mutuelle):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert '<html lang="fr">' in _page(client)


def _chaine(valeur: str) -> str:
    """A .po string, possibly on several quoted lines (its escapes are JSON's)."""
    return "".join(json.loads(morceau) for morceau in re.findall(r'^".*"$', valeur, re.M))


def _catalogue() -> dict[str, str]:
    """msgid → msgstr of the English catalogue (singular entries)."""
    entrees = {}
    for bloc in PO.read_text(encoding="utf-8").split("\n\n"):
        ident = re.search(r'^msgid ((?:".*"\n?)+)', bloc + "\n", re.M)
        chaine = re.search(r'^msgstr ((?:".*"\n?)+)', bloc + "\n", re.M)
        if ident and chaine:
            entrees[_chaine(ident.group(1))] = _chaine(chaine.group(1))
    return entrees


def test_every_simple_template_string_has_an_english_translation():
    catalogue = _catalogue()
    manquants = []
    for gabarit in sorted((ROOT / "mutuelle" / "templates").rglob("*.html")):
        for texte in re.findall(r'{% (?:translate|trans) "([^"]+)"', gabarit.read_text(encoding="utf-8")):
            # Django writes a literal « % » of {% translate %} as « %% » in the catalogue.
            if not catalogue.get(texte) and not catalogue.get(texte.replace("%", "%%")):
                manquants.append(f"{gabarit.relative_to(ROOT)}: {texte}")
    assert not manquants, "Run `make messages` and translate:\n" + "\n".join(manquants)
    assert not [ident for ident, traduction in catalogue.items() if ident and not traduction]
    # A guess of msgmerge's is not a translation (compilemessages would drop it silently).
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_a_member_reads_the_dashboard_in_english(adherent, contrat):
    from tests.factories import connecter, ligne_make

    ligne_make(beneficiaire=contrat.beneficiaires.first())
    client = connecter(Client(), adherent.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/espace/"})
    page = _page(client, "/espace/")
    # The page's own words, the type of care and the status (both defined in Python) are in English.
    for texte in ("Latest reimbursements", "GP's consultation and visit", "Reimbursement paid", "My family"):
        assert texte in page, texte
    assert "Derniers remboursements" not in page


def test_the_members_forms_speak_english_labels_and_errors_included(adherent, contrat):
    from tests.factories import connecter

    client = connecter(Client(), adherent.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/espace/"})
    page = _page(client, "/espace/demandes/estimer-un-devis/")
    assert "Price on the quote (€)" in page and "Prix sur le devis" not in page
    assert "Secteur 1 (Sécurité sociale tariffs)" in page
    refus = html.unescape(client.post("/espace/demandes/envoyer-un-document/", {"objet": "autre"}).content.decode())
    assert "Attach at least one file." in refus and "Joignez au moins un fichier." not in refus
    releve = _page(client, "/espace/documents/")
    assert "Last quarter" in releve and "Le trimestre dernier" not in releve
