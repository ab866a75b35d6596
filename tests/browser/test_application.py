"""The member's web app on a phone, in a real browser, on the demo's data: installable (manifest,
icons, service worker), the card and the attestation kept on the device and shown without network
(the Data Matrix decoded from the screen), forgotten at logout; and every member page fits a 360-px
screen with its header on one row and no badge cut."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import expect

from mutuelle.claims.models import LigneRemboursement
from mutuelle.core.models import AuditLog
from mutuelle.core.services import mutuelle_lire
from mutuelle.demo.seed import DEMO_PASSWORD
from mutuelle.documents import contenus
from mutuelle.documents.models import Document, TypeDocument
from mutuelle.members.models import Adherent
from mutuelle.messaging.models import Fil
from mutuelle.requests.models import Demande
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.pdf import png_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TELEPHONE = {"width": 360, "height": 780}


@pytest.fixture
def premier(settings: Any, tmp_path: Path) -> Adherent:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--members", "3", stdout=StringIO())
    return Adherent.objects.get(numero="100000017")


@pytest.fixture
def telephone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, viewport=TELEPHONE, device_scale_factor=2, service_workers="allow"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert not violations, f"the page broke its Content Security Policy: {violations}"


def _connexion(page: Any, numero: str) -> None:
    page.goto("/connexion/")
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(numero)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace/")


def _datamatrix(page: Any, nom: str) -> list[bytes]:
    SCREENSHOTS.mkdir(exist_ok=True)
    chemin = SCREENSHOTS / f"{nom}.png"
    page.locator(".carte-tp-code").screenshot(path=str(chemin))
    return png_codes(chemin)["datamatrix"]


def test_the_card_and_the_attestation_stay_on_the_phone_without_network(telephone: Any, premier: Adherent) -> None:
    page = telephone
    manifeste = page.request.get("/manifest.webmanifest")
    assert manifeste.headers["content-type"].startswith("application/manifest+json")
    donnees = json.loads(manifeste.text())
    assert donnees["start_url"] == "/espace/" and donnees["display"] == "standalone"
    for icone in donnees["icons"]:
        assert page.request.get(icone["src"]).headers["content-type"] == "image/png"

    _connexion(page, premier.numero)
    # The header is one row: the name and the menu, the navigation folded behind it.
    entete = page.locator(".site-header").bounding_box()
    assert entete is not None and entete["height"] < 70, entete
    expect(page.locator("#navigation-principale")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Documents")).to_be_visible()
    page.get_by_role("link", name="Documents").click()
    page.get_by_role("link", name="Afficher ma carte").click()
    page.wait_for_url("**/espace/documents/carte/")
    expect(page.locator("[data-garder-hors-ligne]")).to_have_attribute("data-gardee", "oui")
    attendu = contenus.carte_tiers_payant(premier, mutuelle_lire()).contexte["donnees"]
    assert _datamatrix(page, "application-carte-en-ligne") == [attendu.encode()]
    attestation = Document.objects.filter(
        adherent=premier, type_document=TypeDocument.ATTESTATION_DROITS, remplace_le__isnull=True
    ).latest("emis_le")
    carte = Document.objects.filter(
        adherent=premier, type_document=TypeDocument.CARTE_TIERS_PAYANT, remplace_le__isnull=True
    ).latest("emis_le")
    # Kept once each, and the audit says the app kept them (not that the member downloaded them).
    gardes = AuditLog.objects.filter(action="documents.document.kept_offline", adherent=premier)
    assert sorted(int(a.cible_id) for a in gardes) == sorted([attestation.pk, carte.pk])

    page.context.set_offline(True)
    page.reload()
    bandeau = page.locator(".hors-ligne-bandeau")
    expect(bandeau).to_be_visible()
    expect(bandeau).to_contain_text("valable jusqu'au 31/12/")
    expect(page.locator(".carte-tp")).to_contain_text("Théophile Jourdan")
    expect(page.get_by_text(f"valable jusqu'au {attestation.valide_jusqu_au:%d/%m/%Y}")).to_be_visible()
    assert _datamatrix(page, "application-carte-hors-ligne") == [attendu.encode()]
    screenshot(page, "application-carte-hors-ligne")
    # The PDFs it lists come from the device too.
    pdf = page.evaluate(
        """async (url) => { const r = await fetch(url); const b = new Uint8Array(await r.arrayBuffer());
           return [r.status, String.fromCharCode(...b.slice(0, 5))]; }""",
        reverse("documents:telecharger", args=[attestation.pk]),
    )
    assert pdf == [200, "%PDF-"]
    # Another page without network: the "hors ligne" page, which offers the kept card.
    page.goto("/espace/remboursements/")
    expect(page.get_by_role("heading", name="Vous êtes hors connexion")).to_be_visible()
    page.get_by_role("link", name="Afficher ma carte de tiers payant").click()
    expect(page.locator(".carte-tp")).to_contain_text("Théophile Jourdan")

    # Logging out forgets the card: offline, the card's address no longer shows it.
    page.context.set_offline(False)
    page.goto("/espace/")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/")
    page.context.set_offline(True)
    page.goto("/espace/documents/carte/")
    expect(page.get_by_role("heading", name="Vous êtes hors connexion")).to_be_visible()
    expect(page.get_by_text("Aucune carte n'est enregistrée sur cet appareil")).to_be_visible()
    assert "Jourdan" not in page.content()


# Member pages that are not pages: actions (POST), file downloads and links sent by email.
PAS_DES_PAGES = {
    "espace:notification",  # marks read, then redirects
    "espace:notifications_tout_lire",
    "espace:donnees_archive",
    "espace:donnees_telecharger",
    "requests:piece",
    "messaging:clore",
    "messaging:piece",
    "documents:emettre",
    "documents:telecharger",
    "compte:confirmer",
    "compte_adherent:email_confirmer",
    "compte:totp_retirer",
    "compte:codes_regenerer",
    "compte:cle_options",
    "compte:cle_ajouter",
    "compte:cle_retirer",
    "compte:appareil_retirer",
    "compte:sessions_fermer",
}


def _pages_membre() -> list[str]:
    """Every URL name of the member's space (its namespaces), to be sure none is left out."""
    noms = []
    for espace in ("espace", "requests", "messaging", "documents", "compte"):
        resolver = get_resolver().namespace_dict[espace][1]
        for motif in resolver.url_patterns:
            assert isinstance(motif, URLPattern | URLResolver)
            if isinstance(motif, URLPattern) and motif.name:
                noms.append(f"{espace}:{motif.name}")
    return noms


def _depasse(page: Any) -> dict[str, Any]:
    """What sticks out: the page's width beyond the screen, and every badge cut by its box or by a
    scrolling or clipping parent."""
    return page.evaluate(
        """() => {
            const largeur = document.documentElement.clientWidth;
            const coupes = [];
            for (const el of document.querySelectorAll('.badge, .statut, .etat, .count')) {
                if (!el.offsetParent) continue;
                const r = el.getBoundingClientRect();
                if (el.scrollWidth > el.clientWidth + 1) coupes.push(el.textContent.trim() + ' (texte)');
                for (let p = el.parentElement; p; p = p.parentElement) {
                    const s = getComputedStyle(p);
                    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
                    const b = p.getBoundingClientRect();
                    if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1)
                        coupes.push(el.textContent.trim());
                    break;
                }
                if (r.right > largeur + 1) coupes.push(el.textContent.trim() + ' (écran)');
            }
            return {largeur: document.documentElement.scrollWidth, ecran: largeur, coupes: coupes};
        }"""
    )


def test_every_member_page_fits_a_360_px_phone(telephone: Any, premier: Adherent) -> None:
    ligne = LigneRemboursement.objects.filter(beneficiaire__contrat__adherent=premier).order_by("-date_soins").first()
    demande = Demande.objects.filter(adherent=premier).order_by("-pk").first()
    fil = Fil.objects.filter(adherent=premier).order_by("-pk").first()
    assert ligne and demande and fil, "the demo's first member has lines, requests and messages"
    arguments: dict[str, list[Any]] = {
        "espace:remboursement": [ligne.pk],
        "requests:contester": [ligne.pk],
        "requests:detail": [demande.numero],
        "messaging:fil": [fil.numero],
    }
    noms = [n for n in _pages_membre() if n not in PAS_DES_PAGES]
    pages = [reverse(n, args=arguments.get(n, [])) for n in noms] + [reverse("core:contact")]
    page = telephone
    _connexion(page, premier.numero)
    problemes = {}
    for largeur in (360, 1280):
        page.set_viewport_size({"width": largeur, "height": 800})
        for url in pages:
            reponse = page.goto(url)
            assert reponse is not None and reponse.status == 200, (url, reponse and reponse.status)
            mesure = _depasse(page)
            if mesure["largeur"] > mesure["ecran"] or mesure["coupes"]:
                problemes[f"{largeur} px {url}"] = mesure
                screenshot(page, f"deborde-{largeur}-{url.strip('/').replace('/', '-')}")
    assert not problemes, "\n".join(f"{k}: {v}" for k, v in problemes.items())
