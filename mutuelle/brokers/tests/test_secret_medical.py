"""Medical secrecy: a broker's session reaches no health data. Every URL of the project outside the
broker space and the account pages answers 404 to a broker — tried with the ids of the broker's own
client's reimbursement, documents, requests and messages — and the broker space itself never shows a
reimbursement, an act or an amount of care."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from mutuelle.core.services import mutuelle_lire
from mutuelle.documents import contenus
from mutuelle.documents.services import document_emettre
from mutuelle.espace_courtier.middleware import ESPACES
from mutuelle.messaging.services import fil_creer
from mutuelle.requests.models import Demande, TypeDemande

pytestmark = pytest.mark.django_db


def _motifs(resolver: URLResolver | None = None, prefixe: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """Every URL pattern of the project as (route, namespace)."""
    resolver = resolver or get_resolver()
    out: list[tuple[str, str]] = []
    for motif in resolver.url_patterns:
        route = prefixe + str(motif.pattern)
        if isinstance(motif, URLResolver):
            out += _motifs(motif, route, motif.namespace or namespace)
        elif isinstance(motif, URLPattern):
            out.append((route, namespace))
    return out


def _remplir(route: str, valeurs: dict[str, str]) -> str:
    """A concrete URL: each ``<conv:name>`` gets the client's id for that name (or a plausible one)."""

    def valeur(m: re.Match[str]) -> str:
        conv, nom = (m.group(1) or "str"), m.group(2)
        if nom in valeurs:
            return valeurs[nom]
        return "1" if conv == "int" else "x"

    url = re.sub(r"<(?:(\w+):)?(\w+)>", valeur, route)
    return "/" + url.lstrip("^").rstrip("$").replace("\\", "")


@pytest.fixture
def sante_du_client(ligne_du_client: Any, famille_du_client: Any) -> dict[str, Any]:
    """Health data of the broker's own client: a reimbursement, a relevé, a contest, a message."""
    adherent = famille_du_client
    releve = document_emettre(
        adherent=adherent,
        contenu=contenus.releve(adherent, mutuelle_lire(), du=date(2026, 1, 1), au=date(2026, 6, 30)),
        demande_par=adherent.user,
    )
    demande = Demande.objects.create(
        numero="D2026-000777",
        adherent=adherent,
        type_demande=TypeDemande.CONTESTATION,
        ligne=ligne_du_client,
        echeance=date(2026, 12, 20),
    )
    fil = fil_creer(
        adherent=adherent,
        sujet="remboursement",
        objet="Mes soins dentaires",
        texte="Question sur mes soins.",
        envois=[],
        par=adherent.user,
    )
    return {"ligne": ligne_du_client, "releve": releve, "demande": demande, "fil": fil, "adherent": adherent}


def test_every_url_outside_the_broker_space_answers_404_to_a_broker(
    session_courtier: Client, sante_du_client: dict[str, Any]
) -> None:
    s = sante_du_client
    valeurs = {
        "pk": str(s["ligne"].pk),
        "numero": s["demande"].numero,
        "jeton": "x" * 20,
        "type_document": "releve",
        "cle": "revue",
        "code": "ABCD",
        "path": "x",
    }
    variantes = (
        valeurs,
        {**valeurs, "pk": str(s["releve"].pk), "numero": s["fil"].numero},
        {**valeurs, "numero": s["adherent"].numero},
    )
    essayees = 0
    for route, namespace in _motifs():
        if namespace in ESPACES or route.startswith(("static/", "media/")):
            continue
        # A route with parameters is tried with each family of ids; POST once (it is refused before any view).
        urls = dict.fromkeys(_remplir(route, params) for params in variantes)
        for rang, url in enumerate(urls):
            if url in ("/", "/contact/", "/marque.css", "/sante/", "/i18n/setlang/"):
                continue  # public pages, no health data
            for methode in ("get", "post") if rang == 0 else ("get",):
                response = getattr(session_courtier, methode)(url)
                assert response.status_code == 404, f"{methode.upper()} {url} → {response.status_code}"
                essayees += 1
    # The walk did cover the member space, the back office and the exports (522 requests today).
    assert essayees > 500, essayees


def test_the_member_sides_health_urls_with_the_clients_own_ids(
    session_courtier: Client, sante_du_client: dict[str, Any]
) -> None:
    s = sante_du_client
    for url in (
        "/espace/",
        "/espace/remboursements/",
        "/espace/remboursements/?export=csv",
        f"/espace/remboursements/{s['ligne'].pk}/",
        "/espace/depenses/",
        "/espace/documents/",
        f"/espace/documents/{s['releve'].pk}/pdf/",
        f"/espace/demandes/{s['demande'].numero}/",
        f"/espace/messagerie/{s['fil'].numero}/",
        f"/gestion/adherents/{s['adherent'].numero}/",
        f"/gestion/adherents/{s['adherent'].numero}/?onglet=remboursements",
        f"/gestion/remboursements/revue/{s['ligne'].pk}/",
        f"/gestion/demandes/{s['demande'].numero}/",
        "/gestion/tableau-de-bord/?export=lignes",
        "/admin/claims/ligneremboursement/",
    ):
        assert session_courtier.get(url).status_code == 404, url


def test_the_broker_space_shows_no_care(
    session_courtier: Client, sante_du_client: dict[str, Any], courtier: Any
) -> None:
    s = sante_du_client
    contrat = s["adherent"].contrats.get()
    pages = [
        "/courtier/",
        "/courtier/portefeuille/",
        f"/courtier/portefeuille/?q={s['adherent'].numero}",
        f"/courtier/contrats/{contrat.numero}/",
        "/courtier/affiliations/",
        "/courtier/commissions/?du=2026-01-01&au=2026-12-31",
    ]
    for url in pages:
        page = session_courtier.get(url).content.decode()
        for trace in ("987", "SOINS DENTAIRES", "Mes soins dentaires", s["demande"].numero, "Relevé de prestations"):
            assert trace not in page, (url, trace)
    # The broker's own requests list never includes the member's contest.
    assert s["demande"].numero not in session_courtier.get("/courtier/").content.decode()
