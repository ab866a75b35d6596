"""A member's account, from the member's side: activation (identity check, then a link by email or a
code by letter), forgotten secret, a handler lifting a lockout, the email address changed by the
member or by the mutuelle.

The account itself (users, links, letters, passwords, sessions) is the base's (``accounts``); what is
here needs the member's file: the identity items, the postal address, the email on file.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from mutuelle.accounts.identifiants import critere
from mutuelle.accounts.models import Courrier, JetonCompte, ObjetJeton, Role, StatutCourrier, TypeCourrier, User
from mutuelle.accounts.services import (
    CODE_ALPHABET,
    CODE_JOURS,
    CODE_LONGUEUR,
    COURRIER_PREPARE,
    courrier_depuis_html,
    email_adherent,
    email_masque,
    empreinte,
    jeton_creer,
    sujet_email,
)
from mutuelle.accounts.signals import alerte_securite
from mutuelle.accounts.verrouillage import deverrouiller, verrouille_jusqua
from mutuelle.core.actions import Action, codes
from mutuelle.core.langues import dans_sa_langue
from mutuelle.core.models import AuditLog
from mutuelle.core.services import journal_ecrire, mutuelle_ou_rien
from mutuelle.members.models import Adherent

LIEN_ENVOYE: dict[str, Action] = {
    ObjetJeton.ACTIVATION: Action.LIEN_ACTIVATION_ENVOYE,
    ObjetJeton.SECRET: Action.LIEN_SECRET_ENVOYE,
}


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
    journal_ecrire(action=Action.COMPTE_CREE, par=par, target=user, adherent=adherent)
    return user


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
    journal_ecrire(action=LIEN_ENVOYE[objet], target=user, adherent=adherent, request=request, par=None)
    return jeton


ADRESSE = ("adresse_ligne1", "adresse_ligne2", "code_postal", "ville")


# A postal address changed this recently does not receive codes that open the account.
ADRESSE_RECENTE_JOURS = 30


def adresse_sure(adherent: Adherent) -> dict[str, str] | None:
    """Where a code that opens the account must go when the postal address was changed in the last
    ``ADRESSE_RECENTE_JOURS`` days: the address as it stood before (rebuilt from the audit rows of
    the changes, newest first). None when the address has not changed since: the one on file."""
    depuis = timezone.now() - timedelta(days=ADRESSE_RECENTE_JOURS)
    changements = AuditLog.objects.filter(
        action__in=codes(Action.COORDONNEES_MODIFIEES),
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
            "adresse": settings.MUTUELLE_BASE_URL + reverse("compte_adherent:code_courrier"),
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
    courrier.code_empreinte = empreinte(code)
    courrier.code_expire_le = expire
    courrier.save()
    journal_ecrire(
        action=COURRIER_PREPARE[type_courrier],
        target=courrier,
        adherent=adherent,
        request=request,
        new={"adresse": "précédente (changée depuis moins de 30 jours)"} if destinataire else None,
    )
    return courrier


def courrier_valide(*, adherent: Adherent, code: str) -> Courrier | None:
    """The live letter whose code this is (spaces and case ignored)."""
    propre = "".join(code.split()).upper()
    if not propre or len(propre) > 20:
        return None
    return (
        Courrier.objects.filter(
            adherent=adherent,
            code_empreinte=empreinte(propre),
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
    from mutuelle.members.tasks import secret_oubli

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
        journal_ecrire(action=Action.SECRET_DEMANDE_INCONNU, request=request, par=None)
        return "inconnu"
    user = User.objects.select_for_update().get(pk=adherent.user.pk)  # one request at a time per account
    depuis = timezone.now() - timedelta(hours=24)
    envoyes = (
        JetonCompte.objects.filter(user=user, objet=ObjetJeton.SECRET, cree_le__gte=depuis).count()
        + Courrier.objects.filter(adherent=adherent, type_courrier=TypeCourrier.SECRET, cree_le__gte=depuis).count()
    )
    if envoyes >= OUBLI_PAR_JOUR:
        deja_dit = AuditLog.objects.filter(
            action__in=codes(Action.SECRET_DEMANDES_SUSPENDUES), cible_id=str(user.pk), cree_le__gte=depuis
        ).exists()
        journal_ecrire(
            action=Action.SECRET_DEMANDES_SUSPENDUES if not deja_dit else Action.SECRET_DEMANDE_IGNOREE,
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
        journal_ecrire(
            action=Action.DEVERROUILLAGE_REFUSE,
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
    journal_ecrire(
        action=Action.COMPTE_DEVERROUILLE,
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
        empreinte=empreinte(secret),
        expire_le=now + timedelta(seconds=settings.MUTUELLE_LIEN_SECONDES),
        donnee=email,
    )
    lien = settings.MUTUELLE_BASE_URL + reverse("compte_adherent:email_confirmer", kwargs={"jeton": secret})
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
    alerte_securite.send(
        __name__,
        adherent=adherent,
        titre=gettext_lazy("Changement d'adresse email demandé"),
        texte=format_lazy(
            gettext_lazy(
                "Vers {adresse} : il prendra effet une fois confirmé depuis cette adresse. Si vous n'êtes "
                "pas à l'origine de cette demande, changez votre mot de passe et appelez-nous."
            ),
            adresse=email_masque(email),
        ),
    )
    journal_ecrire(action=Action.EMAIL_CHANGEMENT_DEMANDE, par=user, target=user, adherent=adherent, request=request)
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
    alerte_securite.send(
        __name__,
        adherent=adherent,
        titre=gettext_lazy("Votre adresse email a été changée par la mutuelle"),
        texte=format_lazy(
            gettext_lazy(
                "L'adresse de votre espace est désormais {adresse}. Si vous n'avez rien demandé, appelez-nous."
            ),
            adresse=email_masque(adherent.email or ""),
        ),
    )
    journal_ecrire(
        action=Action.EMAIL_CHANGEMENT_SIGNALE,
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
    journal_ecrire(
        action=Action.EMAIL_CHANGE,
        par=locked.user,
        target=adherent,
        adherent=adherent,
        request=request,
        old={"email": email_masque(ancienne) if ancienne else ""},
        new={"email": email_masque(adherent.email)},
    )
    return adherent


def adherent_pour(identifiant: str) -> Adherent | None:
    """The member an identifier names, written any way (``accounts.identifiants.critere``)."""
    recherche = critere(identifiant)
    return Adherent.objects.select_related("user").filter(**recherche).first() if recherche else None
