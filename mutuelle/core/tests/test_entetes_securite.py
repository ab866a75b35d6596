"""Security headers on every page, as a ZAP baseline scan would check them."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, connecter

pytestmark = pytest.mark.django_db

PAGES = ["/", "/connexion/", "/connexion/premiere-connexion/", "/connexion/mot-de-passe-oublie/"]


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_a_strict_content_security_policy(mutuelle, url):
    response = Client().get(url)
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]  # no inline script, no other origin
    assert csp["style-src"] == ["'self'"]  # no <style> element
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    assert "<script>" not in response.content.decode() and "<style" not in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_the_other_security_headers(mutuelle, url):
    response = Client().get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_hsts_in_production_over_https(mutuelle, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_brand_colours_come_as_a_stylesheet(mutuelle):
    response = Client().get("/marque.css")
    assert response["Content-Type"].startswith("text/css")
    assert mutuelle.couleur_principale in response.content.decode()


def test_the_session_cookie_is_httponly_and_samesite(adherent):
    client = Client()
    client.post("/connexion/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_authenticated_pages_are_never_stored_by_the_browser(adherent):
    client = Client()
    connecter(client, adherent.user)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
