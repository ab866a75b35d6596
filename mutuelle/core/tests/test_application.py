"""The web app's pieces: the manifest, the icons drawn from the mutuelle's branding, the service
worker served from the root with its URLs from the URL conf, and the offline page that holds nothing
personal. The browser walk is tests/browser/test_application.py."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from PIL import Image

from mutuelle.core.application import initiales_marque
from tests.factories import connecter

pytestmark = pytest.mark.django_db


def test_the_manifest_installs_the_member_space_with_the_mutuelles_name_and_colour(mutuelle):
    reponse = Client().get("/manifest.webmanifest")
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/manifest+json"
    manifeste = json.loads(reponse.content)
    assert manifeste["short_name"] == mutuelle.nom_court and manifeste["lang"] == "fr"
    assert manifeste["start_url"] == "/espace/" and manifeste["scope"] == "/"
    assert manifeste["display"] == "standalone" and manifeste["theme_color"] == mutuelle.couleur_principale
    assert {i["sizes"] for i in manifeste["icons"]} == {"192x192", "512x512"}
    assert any(i["purpose"] == "maskable" for i in manifeste["icons"])
    assert {"url": "/espace/documents/carte/", "name": "Ma carte de tiers payant"} in manifeste["shortcuts"]
    for icone in manifeste["icons"]:
        png = Client().get(icone["src"])
        assert png["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(png.content))
        assert f"{image.width}x{image.height}" == icone["sizes"]
        # The corner is the mutuelle's colour (full bleed, so a maskable crop shows no white edge).
        assert "#{:02x}{:02x}{:02x}".format(*image.getpixel((2, 2))) == mutuelle.couleur_principale.lower()


def test_icons_exist_only_in_the_sizes_offered():
    assert Client().get("/icone-180.png").status_code == 200
    assert Client().get("/icone-64.png").status_code == 404


def test_the_icons_letters_skip_articles_and_prepositions():
    assert initiales_marque("Mutuelle des Tilleuls") == "MT"
    assert initiales_marque("Mutuelle de l'Estuaire") == "ME"
    assert initiales_marque("Solidaris") == "S"
    assert initiales_marque("La Mutuelle") == "M"
    assert initiales_marque("") == "M"


def test_the_service_worker_is_served_from_the_root_with_the_sites_urls(mutuelle):
    reponse = Client().get("/sw.js")
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/javascript")
    assert reponse["Cache-Control"] == "no-cache"
    texte = reponse.content.decode()
    config = json.loads(texte.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["urls"]["carte"] == "/espace/documents/carte/"
    assert config["urls"]["deconnexion"] == "/connexion/deconnexion/"
    assert "/hors-ligne/" in config["precharger"] and "/static/css/site.css" in config["precharger"]
    assert len(config["version"]) == 12


def test_every_page_links_the_manifest_and_the_script(mutuelle):
    page = Client().get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'src="/static/js/app.js" data-service-worker="/sw.js"' in page


def test_the_offline_page_holds_nothing_personal_even_when_fetched_logged_in(adherent, contrat):
    client = connecter(Client(), adherent.user)
    page = client.get("/hors-ligne/").content.decode()
    assert "Vous êtes hors connexion" in page
    for personnel in (adherent.nom, adherent.numero, "Se déconnecter", "csrfmiddlewaretoken"):
        assert personnel not in page
