"""Roles and their permissions; member accounts: creation, activation, new secret, letters.

Single-use links are random 256-bit tokens of which only the SHA-256 is stored; they are built from
``MUTUELLE_BASE_URL``, never from the request. Letters carry a random code, also stored hashed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mutuelle.accounts.models import (
    Courrier,
    JetonCompte,
    LotCourriers,
    ObjetJeton,
    Role,
    StatutCourrier,
    TypeCourrier,
    User,
)
from mutuelle.accounts.signals import alerte_securite
from mutuelle.accounts.verrouillage import deverrouiller
from mutuelle.core.actions import Action
from mutuelle.core.langues import dans_sa_langue
from mutuelle.core.pdf import pdf_depuis_html
from mutuelle.core.services import journal_ecrire, mutuelle_ou_rien

if TYPE_CHECKING:
    from mutuelle.members.models import Adherent

# app_label (or app_label.model) → actions, per role. Administrators are superusers.
ROLE_PERMISSIONS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.GESTIONNAIRE: {
        "members": ("view", "change"),
        "formules": ("view",),
        "referentiel": ("view",),
        "brokers": ("view",),
    },
    Role.RESPONSABLE: {
        "members": ("view", "add", "change"),
        "formules": ("view", "add", "change", "delete"),
        "referentiel": ("view", "add", "change"),
        "brokers": ("view", "add", "change"),
        "core": ("view", "change"),
        # Queue service levels and ready answers (the only models of messaging in the admin).
        "core.reglagefile": ("view", "add", "change"),
        "messaging": ("view", "add", "change"),
    },
}

GROUP_NAMES: dict[str, str] = {
    Role.GESTIONNAIRE: "Gestionnaires",
    Role.RESPONSABLE: "Responsables de gestion",
}


@transaction.atomic
def roles_installer() -> dict[Role, Group]:
    """Create or refresh one group per staff role with exactly its permissions. Idempotent."""
    groups = {}
    for role, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        perms: list[Permission] = []
        for cible, actions in apps.items():
            app_label, _, model = cible.partition(".")
            portee = Permission.objects.filter(content_type__app_label=app_label)
            if model:
                portee = portee.filter(content_type__model=model)
            for action in actions:
                perms.extend(portee.filter(codename__startswith=f"{action}_"))
        group.permissions.set(perms)
        groups[role] = group
    return groups


# -- member accounts --------------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper
CODE_LONGUEUR = 10
CODE_JOURS = 30


def empreinte(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def email_masque(email: str) -> str:
    """c•••••@exemple.fr: enough for the member to recognise the address, not to learn it."""
    local, _, domaine = email.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domaine}"


@transaction.atomic
def compte_actif_changer(*, user: User, actif: bool, par: Any = None, request: HttpRequest | None = None) -> None:
    """Disable or enable an account. Disabling ends every session of the account at once (they
    would otherwise work again the day it is enabled); both are audited."""
    from mutuelle.accounts.appareils import toutes_sessions_fermer

    avant = User.objects.filter(pk=user.pk).values_list("is_active", flat=True).first()
    if user.is_active != actif:
        user.is_active = actif
        user.save(update_fields=["is_active"])
    if not actif:
        toutes_sessions_fermer(user)
    if avant != actif:
        journal_ecrire(
            action=Action.COMPTE_REACTIVE if actif else Action.COMPTE_DESACTIVE,
            par=par,
            target=user,
            request=request,
            old={"is_active": avant},
            new={"is_active": actif},
        )


def _lien(objet: str, jeton: str) -> str:
    name = "accounts:activer" if objet == ObjetJeton.ACTIVATION else "accounts:nouveau_secret"
    return settings.MUTUELLE_BASE_URL + reverse(name, kwargs={"jeton": jeton})


def sujet_email(sujet: Any) -> str:
    """« Mutuelle des Tilleuls — sujet », in the language active (``sujet`` may be lazy)."""
    mutuelle = mutuelle_ou_rien()
    return f"{mutuelle.nom_court if mutuelle else gettext('Votre mutuelle')} — {sujet}"


def email_adherent(adherent: Adherent, sujet: Any, template: str, contexte: dict[str, Any]) -> None:
    """An email to the member at the address on file (the mutuelle's name in the subject), in the
    member's language; ``sujet`` is lazy (``gettext_lazy``)."""
    mutuelle = mutuelle_ou_rien()
    contexte = {"adherent": adherent, "mutuelle": mutuelle, **contexte}
    with dans_sa_langue(adherent):
        objet, texte = sujet_email(sujet), render_to_string(template, contexte)
    send_mail(subject=objet, message=texte, from_email=None, recipient_list=[adherent.email])


def email_compte(user: User, sujet: Any, template: str, contexte: dict[str, Any]) -> None:
    """A security notice to an account's owner, after the commit: a member at the address on file,
    staff and brokers at their account's address. Nothing is sent where no address is known (the
    audit row stays)."""
    adherent = getattr(user, "adherent", None)  # the member's file, when the account is a member's
    if adherent is not None and adherent.email:
        transaction.on_commit(lambda: email_adherent(adherent, sujet, template, {"user": user, **contexte}))
        return
    if not user.email:
        return
    mutuelle = mutuelle_ou_rien()
    with dans_sa_langue(user):
        message = render_to_string(template, {"user": user, "mutuelle": mutuelle, **contexte})
        sujet_complet = sujet_email(sujet)
    transaction.on_commit(lambda: send_mail(sujet_complet, message, None, [user.email]))


def jeton_creer(*, user: User, objet: str) -> tuple[JetonCompte, str]:
    """A new single-use link for an account (valid MUTUELLE_LIEN_SECONDES) and its URL; earlier live
    links of the account stop working. Only the link's SHA-256 is kept."""
    now = timezone.now()
    JetonCompte.objects.filter(user=user, utilise_le__isnull=True, annule_le__isnull=True).update(annule_le=now)
    secret = secrets.token_urlsafe(32)
    jeton = JetonCompte.objects.create(
        user=user,
        objet=objet,
        empreinte=empreinte(secret),
        expire_le=now + timedelta(seconds=settings.MUTUELLE_LIEN_SECONDES),
    )
    return jeton, _lien(objet, secret)


def jeton_valide(secret: str, objet: str) -> JetonCompte | None:
    """The live link behind a secret from an email, if it still works."""
    if not secret or len(secret) > 100:
        return None
    jeton = (
        JetonCompte.objects.select_related("user")
        .filter(empreinte=empreinte(secret), objet=objet, utilise_le__isnull=True, annule_le__isnull=True)
        .first()
    )
    if jeton is None or jeton.expire_le <= timezone.now():
        return None
    return jeton


@transaction.atomic
def secret_definir(*, user: User, password: str, request: HttpRequest | None = None, via: str) -> None:
    """Set the member's password (after a link or a letter's code): the account becomes active,
    every other link and code stops working, every session of the account ends (the session hash
    changes with the password), the lockout is lifted, and the member is told by email. The member
    is NOT logged in: they log in with the new password."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    premiere = not locked.is_active
    locked.set_password(password)
    locked.is_active = True
    locked.save(update_fields=["password", "is_active"])
    now = timezone.now()
    JetonCompte.objects.filter(user=locked, utilise_le__isnull=True, annule_le__isnull=True).update(annule_le=now)
    adherent = getattr(locked, "adherent", None)
    if adherent is not None:
        Courrier.objects.filter(adherent=adherent, code_utilise_le__isnull=True).exclude(
            statut=StatutCourrier.ANNULE
        ).update(code_utilise_le=now)
    deverrouiller(f"compte:{locked.pk}")
    from mutuelle.accounts.appareils import confiance_retirer, toutes_sessions_fermer

    toutes_sessions_fermer(locked)
    confiance_retirer(locked)
    journal_ecrire(
        action=Action.COMPTE_ACTIVE if premiere else Action.SECRET_CHANGE,
        target=locked,
        adherent=adherent,
        request=request,
        par=None,
        new={"via": via},
    )
    if adherent is not None and not premiere:
        alerte_securite.send(__name__, adherent=adherent, titre=gettext_lazy("Votre mot de passe a été changé"))
    if adherent is not None and adherent.email:
        sujet = (
            gettext_lazy("votre espace adhérent est activé")
            if premiere
            else gettext_lazy("votre mot de passe a été changé")
        )
        transaction.on_commit(
            lambda: email_adherent(adherent, sujet, "accounts/email_secret_change.txt", {"premiere": premiere})
        )


@transaction.atomic
def lien_utiliser(*, jeton: JetonCompte, password: str, request: HttpRequest | None = None) -> None:
    locked = JetonCompte.objects.select_for_update().get(pk=jeton.pk)
    if locked.utilise_le is not None or locked.annule_le is not None or locked.expire_le <= timezone.now():
        raise ValueError("Ce lien a déjà servi ou a expiré.")
    locked.utilise_le = timezone.now()
    locked.save(update_fields=["utilise_le"])
    secret_definir(user=locked.user, password=password, request=request, via=f"lien {locked.objet}")


def courrier_depuis_html(
    *, adherent: Adherent, type_courrier: str, html: str, request: HttpRequest | None = None, enregistrer: bool = True
) -> Courrier:
    """Any letter for the print queue, rendered from its HTML like every document (PDF/UA)."""
    pdf = pdf_depuis_html(html)
    return courrier_depuis_pdf(
        adherent=adherent,
        type_courrier=type_courrier,
        contenu=pdf.contenu,
        pages=pdf.pages,
        request=request,
        enregistrer=enregistrer,
    )


def courrier_depuis_pdf(
    *,
    adherent: Adherent,
    type_courrier: str,
    contenu: bytes,
    pages: int,
    request: HttpRequest | None = None,
    enregistrer: bool = True,
) -> Courrier:
    """A letter whose PDF is already made (a paper relevé: a copy of the issued document, so that
    printing it, which deletes the letter's PDF, leaves the member's document alone)."""
    now = timezone.now()
    courrier = Courrier(adherent=adherent, type_courrier=type_courrier, pages=pages)
    courrier.pdf.save(f"{type_courrier}-{adherent.numero}-{now:%Y%m%d%H%M%S%f}.pdf", ContentFile(contenu), save=False)
    if enregistrer:
        courrier.save()
        journal_ecrire(action=COURRIER_PREPARE[type_courrier], target=courrier, adherent=adherent, request=request)
    return courrier


# What the journal records when a letter joins the print queue, per kind of letter.
COURRIER_PREPARE: dict[str, Action] = {
    TypeCourrier.ACTIVATION: Action.COURRIER_ACTIVATION_PREPARE,
    TypeCourrier.SECRET: Action.COURRIER_SECRET_PREPARE,
    TypeCourrier.BIENVENUE: Action.COURRIER_BIENVENUE_PREPARE,
    TypeCourrier.RELEVE: Action.COURRIER_RELEVE_PREPARE,
    TypeCourrier.COORDONNEES: Action.COURRIER_COORDONNEES_PREPARE,
}

LOT_MAX = 300  # letters per printing batch


@transaction.atomic
def lot_preparer(*, ids: list[int], par: Any, request: HttpRequest | None = None) -> LotCourriers | None:
    """The chosen letters as one PDF for the printer, each starting on a front page (a blank page
    after an odd one, for double-sided printing). The letters count as printed and posted; their own
    PDFs are deleted, and the batch's is kept until the handler confirms it is printed."""
    import io

    from pypdf import PdfReader, PdfWriter

    courriers = list(
        Courrier.objects.select_for_update()
        .select_related("adherent")
        .filter(pk__in=ids[:LOT_MAX], statut=StatutCourrier.A_IMPRIMER)
        .order_by("cree_le", "pk")
    )
    if not courriers:
        return None
    writer = PdfWriter()
    for courrier in courriers:
        with courrier.pdf.open("rb") as fichier:
            lecteur = PdfReader(io.BytesIO(fichier.read()))
        for page in lecteur.pages:
            writer.add_page(page)
        if len(lecteur.pages) % 2:
            writer.add_blank_page()
    writer.add_metadata({"/Title": f"Lot de {len(courriers)} courrier(s)", "/Author": str(mutuelle_ou_rien() or "")})
    sortie = io.BytesIO()
    writer.write(sortie)
    now = timezone.now()
    lot = LotCourriers(nb_courriers=len(courriers), nb_pages=len(writer.pages), cree_par=par)
    lot.pdf.save(f"lot-{now:%Y%m%d%H%M%S}.pdf", ContentFile(sortie.getvalue()), save=False)
    lot.save()
    for courrier in courriers:
        courrier.pdf.delete(save=False)
        courrier.statut = StatutCourrier.IMPRIME
        courrier.imprime_le = now
        courrier.imprime_par = par
        courrier.lot = lot
        courrier.save(update_fields=["pdf", "statut", "imprime_le", "imprime_par", "lot"])
        journal_ecrire(
            action=Action.COURRIER_IMPRIME,
            par=par,
            target=courrier,
            adherent=courrier.adherent,
            request=request,
            new={"lot": lot.pk},
        )
    journal_ecrire(
        action=Action.LOT_COURRIERS_PREPARE, par=par, target=lot, request=request, new={"courriers": len(courriers)}
    )
    return lot


@transaction.atomic
def lot_confirmer(*, lot: LotCourriers, par: Any, request: HttpRequest | None = None) -> None:
    """The batch is printed and in its envelopes: its PDF (codes in clear) is deleted."""
    if lot.pdf:
        lot.pdf.delete(save=False)
    lot.confirme_le = timezone.now()
    lot.confirme_par = par
    lot.save(update_fields=["pdf", "confirme_le", "confirme_par"])
    journal_ecrire(action=Action.LOT_COURRIERS_CONFIRME, par=par, target=lot, request=request)


@transaction.atomic
def secret_changer(*, request: HttpRequest, user: User, password: str) -> int:
    """A logged-in user changes their password or access code (after re-authenticating): this
    session stays open, every other one ends, other browsers are no longer trusted, the owner is
    told by email."""
    from django.contrib.auth import update_session_auth_hash

    from mutuelle.accounts.appareils import appareil_de, autres_sessions_fermer, confiance_retirer

    user.set_password(password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)
    fermees = autres_sessions_fermer(request=request, user=user)
    confiance_retirer(user, sauf=appareil_de(request, user))
    adherent = getattr(user, "adherent", None)
    journal_ecrire(
        action=Action.SECRET_CHANGE,
        par=user,
        target=user,
        adherent=adherent,
        request=request,
        new={"via": "espace", "autres_sessions_fermees": fermees},
    )
    email_compte(
        user, gettext_lazy("votre mot de passe a été changé"), "accounts/email_secret_change.txt", {"premiere": False}
    )
    if adherent is not None:
        alerte_securite.send(__name__, adherent=adherent, titre=gettext_lazy("Votre mot de passe a été changé"))
    return fermees
