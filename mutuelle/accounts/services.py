"""Roles and their permissions; member accounts: creation, activation, new secret, letters.

Single-use links are random 256-bit tokens of which only the SHA-256 is stored; they are built from
``MUTUELLE_BASE_URL``, never from the request. Letters carry a random code, also stored hashed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from mutuelle.accounts.identifiants import adherent_pour
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
from mutuelle.accounts.verrouillage import deverrouiller
from mutuelle.core.langues import dans_sa_langue
from mutuelle.core.models import AuditLog
from mutuelle.core.pdf import pdf_depuis_html
from mutuelle.core.services import audit_log, mutuelle_ou_rien
from mutuelle.members.models import Adherent

# (app_label, model) → actions, per role. Administrators are superusers.
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
        # Queue service levels and ready answers (the only models of these apps in the admin).
        "backoffice": ("view", "add", "change"),
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
        for app_label, actions in apps.items():
            for action in actions:
                perms.extend(
                    Permission.objects.filter(content_type__app_label=app_label, codename__startswith=f"{action}_")
                )
        group.permissions.set(perms)
        groups[role] = group
    return groups


# -- member accounts --------------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper
CODE_LONGUEUR = 10
CODE_JOURS = 30


def _empreinte(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def email_masque(email: str) -> str:
    """c•••••@exemple.fr: enough for the member to recognise the address, not to learn it."""
    local, _, domaine = email.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domaine}"


@transaction.atomic
def compte_adherent_creer(*, adherent: Adherent, par: Any = None) -> User:
    """The member's account, inactive until the member activates it (first connection)."""
    if adherent.user_id is not None:
        return adherent.user  # type: ignore[return-value]
    user = User(username=f"adh{adherent.numero}", role=Role.ADHERENT, is_active=False)
    user.first_name, user.last_name = adherent.prenom[:150], adherent.nom[:150]
    user.set_unusable_password()
    user.save()
    adherent.user = user
    adherent.save(update_fields=["user"])
    audit_log(action="accounts.compte.created", par=par, target=user, adherent=adherent)
    return user


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
        audit_log(
            action="accounts.compte.enabled" if actif else "accounts.compte.disabled",
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


def alerte_espace(adherent: Adherent, titre: Any, texte: Any = "") -> None:
    """A security event in the member's space too (the notice itself went by email, to the address on
    file, or to the previous one): whoever reads the space sees what changed."""
    # the base telling the member's space (domain): an upward call to remove with the member-account split
    from mutuelle.notifications.models import Categorie
    from mutuelle.notifications.services import notifier

    notifier(
        adherent=adherent,
        categorie=Categorie.INFORMATION,
        cle=f"securite-{secrets.token_hex(8)}",
        titre=titre,
        texte=texte or gettext_lazy("Si vous n'êtes pas à l'origine de ce changement, appelez-nous sans attendre."),
        email=False,
    )


def email_compte(user: User, sujet: Any, template: str, contexte: dict[str, Any]) -> None:
    """A security notice to an account's owner, after the commit: a member at the address on file,
    staff and brokers at their account's address. Nothing is sent where no address is known (the
    audit row stays)."""
    adherent = Adherent.objects.filter(user=user).first()
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
        empreinte=_empreinte(secret),
        expire_le=now + timedelta(seconds=settings.MUTUELLE_LIEN_SECONDES),
    )
    return jeton, _lien(objet, secret)


@transaction.atomic
def lien_envoyer(*, adherent: Adherent, objet: str, request: HttpRequest | None = None) -> JetonCompte:
    """Email a single-use link (valid MUTUELLE_LIEN_SECONDES); earlier live links of the account stop working."""
    user = adherent.user
    assert user is not None and adherent.email
    jeton, lien = jeton_creer(user=user, objet=objet)
    minutes = settings.MUTUELLE_LIEN_SECONDES // 60
    if objet == ObjetJeton.ACTIVATION:
        sujet, template = gettext_lazy("activez votre espace adhérent"), "accounts/email_activation.txt"
    else:
        sujet, template = gettext_lazy("choisissez un nouveau mot de passe"), "accounts/email_nouveau_secret.txt"
    email_adherent(adherent, sujet, template, {"lien": lien, "minutes": minutes})
    audit_log(action=f"accounts.lien.{objet}.sent", target=user, adherent=adherent, request=request, par=None)
    return jeton


def jeton_valide(secret: str, objet: str) -> JetonCompte | None:
    """The live link behind a secret from an email, if it still works."""
    if not secret or len(secret) > 100:
        return None
    jeton = (
        JetonCompte.objects.select_related("user")
        .filter(empreinte=_empreinte(secret), objet=objet, utilise_le__isnull=True, annule_le__isnull=True)
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
    adherent = Adherent.objects.filter(user=locked).first()
    if adherent is not None:
        Courrier.objects.filter(adherent=adherent, code_utilise_le__isnull=True).exclude(
            statut=StatutCourrier.ANNULE
        ).update(code_utilise_le=now)
    deverrouiller(f"compte:{locked.pk}")
    from mutuelle.accounts.appareils import confiance_retirer, toutes_sessions_fermer

    toutes_sessions_fermer(locked)
    confiance_retirer(locked)
    audit_log(
        action="accounts.compte.activated" if premiere else "accounts.secret.changed",
        target=locked,
        adherent=adherent,
        request=request,
        par=None,
        new={"via": via},
    )
    if adherent is not None and not premiere:
        alerte_espace(adherent, gettext_lazy("Votre mot de passe a été changé"))
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


ADRESSE = ("adresse_ligne1", "adresse_ligne2", "code_postal", "ville")
# A postal address changed this recently does not receive codes that open the account.
ADRESSE_RECENTE_JOURS = 30


def adresse_sure(adherent: Adherent) -> dict[str, str] | None:
    """Where a code that opens the account must go when the postal address was changed in the last
    ``ADRESSE_RECENTE_JOURS`` days: the address as it stood before (rebuilt from the audit rows of
    the changes, newest first). None when the address has not changed since: the one on file."""
    depuis = timezone.now() - timedelta(days=ADRESSE_RECENTE_JOURS)
    changements = AuditLog.objects.filter(
        action="members.adherent.coordonnees",
        cible_type=Adherent._meta.label_lower,
        cible_id=str(adherent.pk),
        cree_le__gte=depuis,
    ).order_by("-cree_le", "-pk")
    adresse = {champ: getattr(adherent, champ) for champ in ADRESSE}
    for changement in changements.values_list("ancienne_valeur", flat=True):
        for champ in ADRESSE:
            if isinstance(changement, dict) and champ in changement:
                adresse[champ] = str(changement[champ] or "")
    return None if all(adresse[c] == getattr(adherent, c) for c in ADRESSE) else adresse


@transaction.atomic
def _courrier_code_html(
    adherent: Adherent, mutuelle: Any, type_courrier: str, now: Any, code: str, expire: Any, destinataire: Any
) -> str:
    activation = type_courrier == TypeCourrier.ACTIVATION
    return render_to_string(
        "accounts/courrier_code.html",
        {
            "adherent": adherent,
            "mutuelle": mutuelle,
            "titre": gettext("Votre code d'activation de l'espace adhérent")
            if activation
            else gettext("Votre code pour choisir un nouveau mot de passe"),
            "emis_le": now,
            "code": f"{code[:5]} {code[5:]}",
            "expire_le": expire,
            "activation": activation,
            "adresse": settings.MUTUELLE_BASE_URL + reverse("accounts:code_courrier"),
            "destinataire": destinataire,
        },
    )


def courrier_creer(*, adherent: Adherent, type_courrier: str, request: HttpRequest | None = None) -> Courrier:
    """A letter with a single-use code, as a PDF in the "letters to print" queue. A code for a new
    password goes to the previous postal address when the address was just changed: whoever changed
    it (having the account, or a handler deceived) does not receive the key to the account."""
    now = timezone.now()
    destinataire = adresse_sure(adherent) if type_courrier == TypeCourrier.SECRET else None
    Courrier.objects.filter(adherent=adherent, type_courrier=type_courrier, statut=StatutCourrier.A_IMPRIMER).update(
        statut=StatutCourrier.ANNULE
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LONGUEUR))
    expire = now + timedelta(days=CODE_JOURS)
    mutuelle = mutuelle_ou_rien()
    with dans_sa_langue(adherent):
        html = _courrier_code_html(adherent, mutuelle, type_courrier, now, code, expire, destinataire)
    courrier = courrier_depuis_html(
        adherent=adherent, type_courrier=type_courrier, html=html, request=request, enregistrer=False
    )
    courrier.code_empreinte = _empreinte(code)
    courrier.code_expire_le = expire
    courrier.save()
    audit_log(
        action=f"accounts.courrier.{type_courrier}",
        target=courrier,
        adherent=adherent,
        request=request,
        new={"adresse": "précédente (changée depuis moins de 30 jours)"} if destinataire else None,
    )
    return courrier


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
        audit_log(action=f"accounts.courrier.{type_courrier}", target=courrier, adherent=adherent, request=request)
    return courrier


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
        audit_log(
            action="accounts.courrier.printed",
            par=par,
            target=courrier,
            adherent=courrier.adherent,
            request=request,
            new={"lot": lot.pk},
        )
    audit_log(action="accounts.lot.prepared", par=par, target=lot, request=request, new={"courriers": len(courriers)})
    return lot


@transaction.atomic
def lot_confirmer(*, lot: LotCourriers, par: Any, request: HttpRequest | None = None) -> None:
    """The batch is printed and in its envelopes: its PDF (codes in clear) is deleted."""
    if lot.pdf:
        lot.pdf.delete(save=False)
    lot.confirme_le = timezone.now()
    lot.confirme_par = par
    lot.save(update_fields=["pdf", "confirme_le", "confirme_par"])
    audit_log(action="accounts.lot.confirmed", par=par, target=lot, request=request)


def courrier_valide(*, adherent: Adherent, code: str) -> Courrier | None:
    """The live letter whose code this is (spaces and case ignored)."""
    propre = "".join(code.split()).upper()
    if not propre or len(propre) > 20:
        return None
    return (
        Courrier.objects.filter(
            adherent=adherent,
            code_empreinte=_empreinte(propre),
            code_utilise_le__isnull=True,
            code_expire_le__gt=timezone.now(),
        )
        .exclude(statut=StatutCourrier.ANNULE)
        .first()
    )


@dataclass(frozen=True)
class Envoi:
    """What the member is told after a correct identity check: where the next step went."""

    canal: str  # "email" | "courrier"
    email: str = ""


def identite_verifier(
    *, identifiant: str, date_naissance: date | None, nir_fin: str, code_postal: str
) -> Adherent | None:
    """The member, if every item of the identity check matches (first connection)."""
    adherent = adherent_pour(identifiant)
    if adherent is None or adherent.user is None or date_naissance is None:
        return None
    ok = (
        adherent.date_naissance == date_naissance
        and secrets.compare_digest(adherent.nir[-4:], nir_fin.strip())
        and secrets.compare_digest(adherent.code_postal, code_postal.strip())
    )
    return adherent if ok else None


def activation_envoyer(*, adherent: Adherent, request: HttpRequest | None = None) -> Envoi:
    if adherent.email:
        lien_envoyer(adherent=adherent, objet=ObjetJeton.ACTIVATION, request=request)
        return Envoi("email", email_masque(adherent.email))
    courrier_creer(adherent=adherent, type_courrier=TypeCourrier.ACTIVATION, request=request)
    return Envoi("courrier")


# A forgotten secret is sent at most this many times a day per account, by email or by letter.
OUBLI_PAR_JOUR = 3


def nouveau_secret_demander(*, identifiant: str, request: HttpRequest | None = None) -> None:
    """Forgotten secret: the view answers at once, the same page whether or not the identifier names
    an account, and in the same time: the work that differs (a link by email, a letter rendered as a
    PDF, nothing) is handed to a task (``accounts.secret_oubli``) in every case. Only the account's
    id goes to the broker, never what was typed (it may be a NIR)."""
    from mutuelle.accounts.tasks import secret_oubli

    adherent = adherent_pour(identifiant)
    adherent_id = adherent.pk if adherent is not None and adherent.user_id is not None else None
    meta = request.META if request is not None else {}
    secret_oubli.delay(adherent_id, meta.get("REMOTE_ADDR"), str(meta.get("HTTP_USER_AGENT", ""))[:300])


def _origine(ip: str | None, user_agent: str) -> HttpRequest:
    """Where a request came from, for the audit rows a task writes on its behalf."""
    origine = HttpRequest()
    origine.META = {"REMOTE_ADDR": ip or "", "HTTP_USER_AGENT": user_agent}
    return origine


@transaction.atomic
def secret_oubli_traiter(*, adherent_id: int | None, ip: str | None = None, user_agent: str = "") -> str:
    """Send a forgotten secret's link (email) or code (letter), at most ``OUBLI_PAR_JOUR`` times in
    24 hours per account: beyond, nothing more goes out, the member is told once by email that the
    requests are suspended, and the audit says so. Returns what was done."""
    request = _origine(ip, user_agent)
    adherent = Adherent.objects.select_related("user").filter(pk=adherent_id).first() if adherent_id else None
    if adherent is None or adherent.user is None:
        audit_log(action="accounts.secret.requested_unknown", request=request, par=None)
        return "inconnu"
    user = User.objects.select_for_update().get(pk=adherent.user.pk)  # one request at a time per account
    depuis = timezone.now() - timedelta(hours=24)
    envoyes = (
        JetonCompte.objects.filter(user=user, objet=ObjetJeton.SECRET, cree_le__gte=depuis).count()
        + Courrier.objects.filter(adherent=adherent, type_courrier=TypeCourrier.SECRET, cree_le__gte=depuis).count()
    )
    if envoyes >= OUBLI_PAR_JOUR:
        deja_dit = AuditLog.objects.filter(
            action="accounts.secret.requests_suspended", cible_id=str(user.pk), cree_le__gte=depuis
        ).exists()
        audit_log(
            action="accounts.secret.requests_suspended" if not deja_dit else "accounts.secret.request_ignored",
            target=user,
            adherent=adherent,
            request=request,
            par=None,
            new={"envoyes_24h": envoyes},
        )
        if not deja_dit and adherent.email:
            transaction.on_commit(
                lambda: email_adherent(
                    adherent,
                    gettext_lazy("demandes de nouveau mot de passe suspendues"),
                    "accounts/email_oubli_suspendu.txt",
                    {"nombre": envoyes, "heures": 24},
                )
            )
        return "limite"
    if adherent.email:
        lien_envoyer(adherent=adherent, objet=ObjetJeton.SECRET, request=request)
        return "email"
    courrier_creer(adherent=adherent, type_courrier=TypeCourrier.SECRET, request=request)
    return "courrier"


# The third item a handler may check, and how the audit row names it (never its value).
IDENTITE_ELEMENTS = {"code_postal": "code postal", "nir_fin": "fin du NIR", "email": "adresse email"}


def _element_correct(adherent: Adherent, element: str, valeur: str) -> bool:
    attendu = {
        "code_postal": adherent.code_postal,
        "nir_fin": adherent.nir[-4:],
        "email": adherent.email.lower(),
    }[element]
    donne = valeur.strip().lower() if element == "email" else "".join(valeur.split())
    return bool(attendu) and secrets.compare_digest(attendu, donne)


@dataclass(frozen=True)
class Deverrouillage:
    ok: bool
    message: str


@transaction.atomic
def compte_deverrouiller(
    *,
    numero: str,
    date_naissance: date,
    element: str,
    valeur: str,
    motif: str,
    par: Any,
    request: HttpRequest | None = None,
) -> Deverrouillage:
    """A handler lifts a member's lockout after checking, with the caller, the member number, the
    date of birth and one more item. Every attempt is audited with the items checked (never their
    values); a failed check unlocks nothing."""
    from mutuelle.accounts.verrouillage import verrouille_jusqua

    if element not in IDENTITE_ELEMENTS:
        raise ValueError(element)
    adherent = Adherent.objects.select_related("user").filter(numero="".join(numero.split()).replace(".", "")).first()
    verifies = ["numéro d'adhérent", "date de naissance", IDENTITE_ELEMENTS[element]]
    ok = (
        adherent is not None
        and adherent.user is not None
        and adherent.date_naissance == date_naissance
        and _element_correct(adherent, element, valeur)
    )
    if not ok:
        audit_log(
            action="accounts.unlock.refused",
            par=par,
            target=adherent.user if adherent is not None else None,
            adherent=adherent,
            request=request,
            new={"elements": verifies},
            message=motif[:500],
        )
        return Deverrouillage(False, "Les réponses ne correspondent pas au dossier : le compte n'est pas déverrouillé.")
    assert adherent is not None and adherent.user is not None
    cle = f"compte:{adherent.user.pk}"
    fin = verrouille_jusqua(cle)
    deverrouiller(cle)
    audit_log(
        action="accounts.unlock",
        par=par,
        target=adherent.user,
        adherent=adherent,
        request=request,
        new={"elements": verifies, "etait_verrouille": fin is not None},
        message=motif[:500],
    )
    if fin is None:
        return Deverrouillage(True, f"Identité vérifiée. Le compte de {adherent} n'était pas verrouillé.")
    return Deverrouillage(True, f"Identité vérifiée : le compte de {adherent} est déverrouillé.")


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
    adherent = Adherent.objects.filter(user=user).first()
    audit_log(
        action="accounts.secret.changed",
        par=user,
        target=user,
        adherent=adherent,
        request=request,
        new={"via": "espace", "autres_sessions_fermees": fermees},
    )
    email_compte(
        user, gettext_lazy("votre mot de passe a été changé"), "accounts/email_secret_change.txt", {"premiere": False}
    )
    adherent = Adherent.objects.filter(user=user).first()
    if adherent is not None:
        alerte_espace(adherent, gettext_lazy("Votre mot de passe a été changé"))
    return fermees


@transaction.atomic
def email_changer_demander(*, request: HttpRequest, adherent: Adherent, email: str) -> JetonCompte:
    """A new email address is confirmed at that address (single-use link, 1 hour) before it replaces
    the one on file; the current address is told of the request."""
    user = adherent.user
    assert user is not None
    now = timezone.now()
    JetonCompte.objects.filter(
        user=user, objet=ObjetJeton.EMAIL, utilise_le__isnull=True, annule_le__isnull=True
    ).update(annule_le=now)
    secret = secrets.token_urlsafe(32)
    jeton = JetonCompte.objects.create(
        user=user,
        objet=ObjetJeton.EMAIL,
        empreinte=_empreinte(secret),
        expire_le=now + timedelta(seconds=settings.MUTUELLE_LIEN_SECONDES),
        donnee=email,
    )
    lien = settings.MUTUELLE_BASE_URL + reverse("compte:email_confirmer", kwargs={"jeton": secret})
    mutuelle = mutuelle_ou_rien()
    contexte = {
        "adherent": adherent,
        "mutuelle": mutuelle,
        "lien": lien,
        "minutes": settings.MUTUELLE_LIEN_SECONDES // 60,
        "nouvelle": email_masque(email),
    }
    with dans_sa_langue(adherent):
        nouveau = render_to_string("accounts/email_changement_nouvelle.txt", contexte)
        ancien = render_to_string("accounts/email_changement_ancienne.txt", contexte)
        sujet_nouveau = sujet_email(gettext("confirmez votre nouvelle adresse email"))
        sujet_ancien = sujet_email(gettext("demande de changement d'adresse email"))
    ancienne_adresse = adherent.email

    def envoyer() -> None:
        send_mail(sujet_nouveau, nouveau, None, [email])
        if ancienne_adresse:
            send_mail(sujet_ancien, ancien, None, [ancienne_adresse])

    transaction.on_commit(envoyer)
    alerte_espace(
        adherent,
        gettext_lazy("Changement d'adresse email demandé"),
        format_lazy(
            gettext_lazy(
                "Vers {adresse} : il prendra effet une fois confirmé depuis cette adresse. Si vous n'êtes "
                "pas à l'origine de cette demande, changez votre mot de passe et appelez-nous."
            ),
            adresse=email_masque(email),
        ),
    )
    audit_log(action="accounts.email.change_requested", par=user, target=user, adherent=adherent, request=request)
    return jeton


@transaction.atomic
def email_change_par_la_mutuelle_signaler(*, adherent: Adherent, ancienne: str, par: Any = None) -> None:
    """The mutuelle's staff changed a member's email address: the previous address is told (the new
    one masked), a letter goes to the postal address (whoever changed the address cannot intercept
    it), and the member's space says so. Nobody learns of it only at the new address."""
    mutuelle = mutuelle_ou_rien()
    contexte = {
        "adherent": adherent,
        "mutuelle": mutuelle,
        "nouvelle": email_masque(adherent.email or ""),
        "le": timezone.localtime(),
        "emis_le": timezone.now(),
        "titre": gettext_lazy("Changement de l'adresse email de votre espace adhérent"),
        # The previous postal address when it was just changed too: the letter reaches the member.
        "destinataire": adresse_sure(adherent),
    }
    with dans_sa_langue(adherent):
        sujet = sujet_email(gettext("votre adresse email a été changée"))
        texte = render_to_string("accounts/email_changement_par_la_mutuelle.txt", contexte)
        lettre = render_to_string("accounts/courrier_changement_email.html", contexte)
    if ancienne:
        transaction.on_commit(lambda: send_mail(sujet, texte, None, [ancienne]))
    courrier_depuis_html(adherent=adherent, type_courrier=TypeCourrier.COORDONNEES, html=lettre)
    alerte_espace(
        adherent,
        gettext_lazy("Votre adresse email a été changée par la mutuelle"),
        format_lazy(
            gettext_lazy(
                "L'adresse de votre espace est désormais {adresse}. Si vous n'avez rien demandé, appelez-nous."
            ),
            adresse=email_masque(adherent.email or ""),
        ),
    )
    audit_log(
        action="accounts.email.change_signale",
        par=par,
        target=adherent,
        adherent=adherent,
        new={"ancienne_adresse_prevenue": bool(ancienne), "courrier": True},
    )


@transaction.atomic
def email_confirmer(*, jeton: JetonCompte, request: HttpRequest | None = None) -> Adherent | None:
    locked = JetonCompte.objects.select_for_update().get(pk=jeton.pk)
    if locked.utilise_le is not None or locked.annule_le is not None or locked.expire_le <= timezone.now():
        return None
    adherent = Adherent.objects.select_for_update().filter(user=locked.user).first()
    if adherent is None:
        return None
    ancienne = adherent.email
    locked.utilise_le = timezone.now()
    locked.save(update_fields=["utilise_le"])
    adherent.email = locked.donnee
    adherent.save(update_fields=["email"])
    audit_log(
        action="accounts.email.changed",
        par=locked.user,
        target=adherent,
        adherent=adherent,
        request=request,
        old={"email": email_masque(ancienne) if ancienne else ""},
        new={"email": email_masque(adherent.email)},
    )
    return adherent
