"""Issuing documents and checking them.

``document_emettre`` renders a ``Contenu`` to a PDF that carries a verification code (printed, and as
a QR code pointing to ``/verifier/<code>/``), keeps the PDF and the code's SHA-256, and writes the
audit row. ``document_verifier`` answers the public verification page from that hash alone.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutuelle.accounts.models import TypeCourrier
from mutuelle.accounts.services import courrier_depuis_html, courrier_depuis_pdf
from mutuelle.claims.models import LigneRemboursement
from mutuelle.core.actions import Action
from mutuelle.core.langues import dans_sa_langue
from mutuelle.core.pdf import Pdf, pdf_depuis_html
from mutuelle.core.services import journal_ecrire, mutuelle_lire
from mutuelle.documents import composition, contenus
from mutuelle.documents.contenus import Contenu
from mutuelle.documents.models import Document, Impression, TypeDocument
from mutuelle.documents.rendu import datamatrix_data_uri, pdf_depuis_typst, qr_data_uri
from mutuelle.members.models import Adherent
from mutuelle.members.selectors import beneficiaires_couverts, contrat_en_cours
from mutuelle.notifications.models import PreferencesCommunication

logger = logging.getLogger(__name__)

# 12 characters from 32 (no 0/O, 1/I): 60 bits, unguessable at the verification page's rate limit.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LONGUEUR = 12


def code_nouveau() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LONGUEUR))


def code_lisible(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_normaliser(saisi: str) -> str:
    """What a person typed (spaces, dashes, lower case) back to the code's 12 characters."""
    return "".join(c for c in saisi.upper() if c.isalnum())


def code_empreinte(code: str) -> str:
    return hashlib.sha256(code_normaliser(code).encode()).hexdigest()


def url_verification(code: str) -> str:
    return settings.MUTUELLE_BASE_URL + reverse("documents_publics:verifier_code", args=[code_lisible(code)])


def rendre(template: str, contexte: dict[str, Any], variantes: list[dict[str, Any]]) -> Pdf:
    """The PDF of ``template``: a Typst template (``*.typ``) fed what ``composition`` makes of the
    context, or a Django template rendered by WeasyPrint; with ``variantes``, the first whose rendering
    has the page count it expects (``pages_attendues``), else the last one whatever its count."""
    if template.endswith(".typ"):
        return pdf_depuis_typst(template, composition.donnees(template, contexte))
    *essais, derniere = variantes or [{}]
    for variante in essais:
        pdf = pdf_depuis_html(render_to_string(template, {**contexte, **variante}))
        if pdf.pages == variante["pages_attendues"]:
            return pdf
        logger.info("documents: %s en %s page(s) au lieu de %s", template, pdf.pages, variante["pages_attendues"])
    return pdf_depuis_html(render_to_string(template, {**contexte, **derniere}))


def document_emettre(
    *,
    adherent: Adherent,
    contenu: Contenu,
    demande_par: Any = None,
    request: HttpRequest | None = None,
    impression: str = Impression.AUCUNE,
    code: str | None = None,
) -> Document:
    """Render, keep and audit one document, in the member's language (``Adherent.langue``) whoever
    asks for it. A card replaces the member's previous cards. ``code`` is for the demo only (a
    verification code it can print); otherwise a random one is drawn."""
    with dans_sa_langue(adherent):
        return _emettre(
            adherent=adherent,
            contenu=contenu,
            demande_par=demande_par,
            request=request,
            impression=impression,
            code=code,
        )


def _emettre(
    *,
    adherent: Adherent,
    contenu: Contenu,
    demande_par: Any,
    request: HttpRequest | None,
    impression: str,
    code: str | None,
) -> Document:
    mutuelle = mutuelle_lire()
    code = code_normaliser(code) if code else code_nouveau()
    emis_le = timezone.now()
    url = url_verification(code)
    titre = str(contenu.titre)
    contexte = {
        **contenu.contexte,
        "adherent": adherent,
        "mutuelle": mutuelle,
        "titre": titre,
        "emis_le": emis_le,
        "valide_jusqu_au": contenu.valide_jusqu_au,
        "verification": {
            "code": code_lisible(code),
            "url": url,
            "page": settings.MUTUELLE_BASE_URL + reverse("documents_publics:verifier"),
            "qr": qr_data_uri(url),
        },
    }
    if contenu.type_document == TypeDocument.CARTE_TIERS_PAYANT:
        contexte["datamatrix"] = datamatrix_data_uri(contenu.contexte["donnees"])
    pdf = rendre(contenu.template, contexte, contenu.variantes)
    nom = f"{contenu.type_document}-{adherent.numero}-{emis_le:%Y%m%d%H%M%S}-{code[:4]}.pdf"
    with transaction.atomic():
        if contenu.type_document == TypeDocument.CARTE_TIERS_PAYANT:
            Document.objects.filter(
                adherent=adherent, type_document=TypeDocument.CARTE_TIERS_PAYANT, remplace_le__isnull=True
            ).update(remplace_le=emis_le)
        document = Document(
            adherent=adherent,
            contrat=contenu.contrat,
            type_document=contenu.type_document,
            titre=titre,
            parametres=contenu.parametres,
            empreinte=hashlib.sha256(pdf.contenu).hexdigest(),
            pages=pdf.pages,
            code_empreinte=code_empreinte(code),
            initiales=contenus.initiales(adherent.prenom, adherent.nom),
            signature=contenu.signature,
            valide_du=contenu.valide_du,
            valide_jusqu_au=contenu.valide_jusqu_au,
            demande_par=demande_par if getattr(demande_par, "pk", None) else None,
            impression=impression,
        )
        document.fichier.save(nom, ContentFile(pdf.contenu), save=False)
        try:
            document.save()
            journal_ecrire(
                action=Action.DOCUMENT_EMIS,
                par=demande_par if getattr(demande_par, "pk", None) else None,
                target=document,
                adherent=adherent,
                request=request,
                new={"type": contenu.type_document, **contenu.parametres},
            )
        except Exception:
            document.fichier.delete(save=False)
            raise
    return document


def carte_courante(
    *, adherent: Adherent, demande_par: Any = None, request: HttpRequest | None = None, contenu: Contenu | None = None
) -> Document:
    """The member's tiers-payant card for today: the one already issued if nothing it prints has
    changed (beneficiaries, formula, validity), otherwise a new one that replaces it. ``contenu`` is
    the card's content when the caller already read it."""
    contenu = contenu or contenus.carte_tiers_payant(adherent, mutuelle_lire())
    actuelle = (
        Document.objects.filter(
            adherent=adherent,
            type_document=TypeDocument.CARTE_TIERS_PAYANT,
            remplace_le__isnull=True,
            signature=contenu.signature,
        )
        .order_by("-emis_le")
        .first()
    )
    if actuelle is not None:
        return actuelle
    return document_emettre(adherent=adherent, contenu=contenu, demande_par=demande_par, request=request)


@dataclass(frozen=True)
class Verification:
    """What the public page may say of a genuine document: nothing about its content."""

    type_libelle: str
    emis_le: Any
    initiales: str
    valide: bool
    valide_jusqu_au: date | None
    remplace_le: Any


def document_verifier(code: str, *, on: date | None = None) -> Verification | None:
    normalise = code_normaliser(code)
    if len(normalise) != CODE_LONGUEUR or any(c not in CODE_ALPHABET for c in normalise):
        return None
    document = Document.objects.filter(code_empreinte=code_empreinte(normalise)).first()
    if document is None:
        return None
    on = on or timezone.localdate()
    expire = document.valide_jusqu_au is not None and document.valide_jusqu_au < on
    return Verification(
        type_libelle=document.get_type_document_display(),
        emis_le=document.emis_le,
        initiales=document.initiales,
        valide=not expire and document.remplace_le is None,
        valide_jusqu_au=document.valide_jusqu_au,
        remplace_le=document.remplace_le,
    )


def lettre_bienvenue(*, adherent: Adherent, par: Any = None, request: HttpRequest | None = None) -> Any:
    """The welcome letter of a new member, in the letters-to-print queue: the contract, the people
    covered, and how to open the member space."""

    aujourdhui = timezone.localdate()
    contrat = contrat_en_cours(adherent, aujourdhui) or adherent.contrats.order_by("-date_debut").first()
    if contrat is None:
        raise contenus.DocumentIndisponible("Cet adhérent n'a pas de contrat : pas de lettre de bienvenue.")
    jour = max(contrat.date_debut, aujourdhui)
    with dans_sa_langue(adherent):
        html = render_to_string(
            "documents/pdf/bienvenue.html",
            {
                "adherent": adherent,
                "mutuelle": mutuelle_lire(),
                "titre": _("Bienvenue"),
                "emis_le": timezone.now(),
                "contrat": contrat,
                "formule": contenus.contrat_formule_en_vigueur(contrat=contrat, on=jour),
                "beneficiaires": beneficiaires_couverts(contrat, jour),
                "adresse_espace": settings.MUTUELLE_BASE_URL + reverse("compte_adherent:premiere_connexion"),
            },
        )
    with transaction.atomic():
        courrier = courrier_depuis_html(
            adherent=adherent, type_courrier=TypeCourrier.BIENVENUE, html=html, request=request, enregistrer=False
        )
        courrier.save()
        journal_ecrire(
            action=Action.COURRIER_BIENVENUE_PREPARE, par=par, target=courrier, adherent=adherent, request=request
        )
    return courrier


def releve_papier(*, adherent: Adherent, du: date, au: date) -> Document | None:
    """A member who chose paper statements gets the month's relevé by post: the document (kept in the
    history, verifiable) and a copy in the letters-to-print queue. Once per member and period, so a
    task run twice posts nothing twice; nothing when the month had no care."""

    deja = Document.objects.filter(
        adherent=adherent,
        type_document=TypeDocument.RELEVE,
        parametres={"du": du.isoformat(), "au": au.isoformat()},
        impression__in=[Impression.A_IMPRIMER, Impression.IMPRIME],
    )
    if deja.exists():
        return None
    contenu = contenus.releve(adherent, mutuelle_lire(), du=du, au=au)
    if not contenu.contexte["nb"]:
        return None
    with transaction.atomic():
        document = document_emettre(adherent=adherent, contenu=contenu, impression=Impression.A_IMPRIMER)
        with document.fichier.open("rb") as fichier:
            courrier_depuis_pdf(
                adherent=adherent, type_courrier=TypeCourrier.RELEVE, contenu=fichier.read(), pages=document.pages
            )
    return document


def destinataires_releves_papier(du: date, au: date) -> list[int]:
    """Members who asked for paper statements and had care in the period."""

    papier = PreferencesCommunication.objects.filter(releves_papier=True).values("adherent_id")
    return sorted(
        set(
            LigneRemboursement.objects.filter(
                date_soins__gte=du, date_soins__lte=au, contrat__adherent_id__in=papier
            ).values_list("contrat__adherent_id", flat=True)
        )
    )
