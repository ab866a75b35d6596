"""Second factors: TOTP (django-otp), recovery codes, passkeys (WebAuthn), and the one-time code
emailed to a member logging in from a new browser under the access-code policy.

Members choose whether to enrol a factor; staff and brokers must (``User.second_facteur_obligatoire``).
A factor is asked after the password, before the session is opened: until then the session holds
only ``EN_ATTENTE`` (who passed the first step, when, and where they were going), never a login.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from mutuelle.accounts.models import CleAcces, CodeSecours, User
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire, mutuelle_ou_rien

EN_ATTENTE = "_connexion_en_attente"
ATTENTE_SECONDES = 10 * 60
CODES_SECOURS = 10
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
EMAIL_CODE_SECONDES = 10 * 60
EMAIL_CODE_ESSAIS = 5
CHALLENGE = "_webauthn_challenge"


# -- the pending login -------------------------------------------------------------------------------


@dataclass
class Attente:
    """Who passed the first step of the login and may now prove the second."""

    user: User
    backend: str
    suite: str
    data: dict[str, Any]


def attente_ouvrir(request: HttpRequest, user: User, suite: str, *, enrolement: bool = False) -> None:
    """Remember that ``user`` passed the first step. ``enrolement`` says that the account had no
    second factor at that moment, so the pending login may set one up instead of proving one: a
    password alone never reaches the enrolment page of an account that already has a factor."""
    request.session.cycle_key()
    request.session[EN_ATTENTE] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "mutuelle.accounts.backends.IdentifiantBackend"),
        "suite": suite,
        "le": time.time(),
        "enrolement": enrolement,
    }


def attente(request: HttpRequest) -> Attente | None:
    data = request.session.get(EN_ATTENTE)
    if not data or time.time() - float(data.get("le", 0)) > ATTENTE_SECONDES:
        request.session.pop(EN_ATTENTE, None)
        return None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        return None
    return Attente(user=user, backend=str(data["backend"]), suite=str(data.get("suite", "")), data=data)


def attente_maj(request: HttpRequest, **valeurs: Any) -> None:
    data = dict(request.session.get(EN_ATTENTE) or {})
    data.update(valeurs)
    request.session[EN_ATTENTE] = data


def attente_fermer(request: HttpRequest) -> None:
    request.session.pop(EN_ATTENTE, None)
    request.session.pop(CHALLENGE, None)


# -- what an account has enrolled ----------------------------------------------------------------------


def totp_de(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def a_un_facteur(user: User) -> bool:
    return totp_de(user) is not None or CleAcces.objects.filter(user=user).exists()


def codes_secours_restants(user: User) -> int:
    return CodeSecours.objects.filter(user=user, utilise_le__isnull=True).count()


# -- TOTP -------------------------------------------------------------------------------------------


def totp_preparer(user: User) -> TOTPDevice:
    """An unconfirmed TOTP device (a new secret) for the enrolment page; replaces an earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)


def totp_en_preparation(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def _code_propre(code: str) -> str:
    return "".join(code.split())[:12]


def totp_verifier(device: TOTPDevice, code: str) -> bool:
    """A code from the app (±1 time step, never twice the same: django-otp keeps the last one used;
    django-otp also slows down repeated failures)."""
    propre = _code_propre(code)
    if not propre.isdigit() or len(propre) != device.digits:
        return False
    allowed, _ = device.verify_is_allowed()
    return bool(allowed) and bool(device.verify_token(propre))


class FacteurDejaEnPlace(Exception):
    """An enrolment that would replace a confirmed factor without having proved it."""


@transaction.atomic
def totp_confirmer(
    *, user: User, code: str, request: HttpRequest | None = None, remplacer: bool = False
) -> list[str] | None:
    """Enrolment ends with a first correct code: the device is confirmed and fresh recovery codes are
    returned (to be shown once); the account's owner is told by email.

    A confirmed app already on the account is replaced only with ``remplacer``, which the security
    page passes after a full login and a re-authentication that asked for that app's code. Without
    it, an account that already has a factor raises ``FacteurDejaEnPlace`` and nothing changes: a
    password alone can never swap the owner's authenticator for an attacker's."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time per account
    if not remplacer and a_un_facteur(user):
        journal_ecrire(action=Action.TOTP_AJOUT_REFUSE, par=user, target=user, request=request)
        raise FacteurDejaEnPlace
    device = totp_en_preparation(user)
    if device is None or not totp_verifier(device, code):
        return None
    remplaces = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    journal_ecrire(
        action=Action.TOTP_AJOUTE,
        par=user,
        target=user,
        request=request,
        new={"remplace": bool(remplaces)},
    )
    facteur_annoncer(user=user, quoi="une application d'authentification", remplace=bool(remplaces))
    return codes_secours_generer(user=user, request=request)


def facteur_annoncer(*, user: User, quoi: str, remplace: bool = False) -> None:
    """Tell the account's owner, at the address on file and after the commit, that a second factor
    was added to the account, so that an enrolment they did not make does not go unnoticed."""
    from mutuelle.accounts.services import email_compte

    email_compte(
        user,
        gettext_lazy("un second facteur a été ajouté à votre compte"),
        "accounts/email_facteur_ajoute.txt",
        {"quoi": quoi, "remplace": remplace, "le": timezone.localtime()},
    )


@transaction.atomic
def totp_retirer(*, user: User, request: HttpRequest | None = None) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    if not CleAcces.objects.filter(user=user).exists():
        CodeSecours.objects.filter(user=user).delete()
    journal_ecrire(action=Action.TOTP_RETIRE, par=user, target=user, request=request)


def totp_qr_svg(device: TOTPDevice, user: User) -> SafeString:
    """The provisioning URI as an inline SVG QR code (segno), for the authenticator app to scan."""
    import segno

    svg: str = segno.make(totp_uri(device, user), error="m").svg_inline(
        scale=4, dark="#111", light="#fff", omitsize=True
    )
    return mark_safe(svg)  # noqa: S308 (segno's own markup; the data it encodes is ours)


def totp_uri(device: TOTPDevice, user: User) -> str:
    from base64 import b32encode
    from urllib.parse import quote

    mutuelle = mutuelle_ou_rien()
    emetteur = mutuelle.nom_court if mutuelle else "Mutuelle"
    secret = b32encode(device.bin_key).decode().rstrip("=")
    compte = quote(f"{emetteur}:{user.username}")
    return (
        f"otpauth://totp/{compte}?secret={secret}&issuer={quote(emetteur)}&digits={device.digits}&period={device.step}"
    )


def totp_secret_lisible(device: TOTPDevice) -> str:
    """The secret in groups of four, for typing it into an app that cannot scan."""
    from base64 import b32encode

    brut = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(brut[i : i + 4] for i in range(0, len(brut), 4))


# -- recovery codes ------------------------------------------------------------------------------------


@transaction.atomic
def codes_secours_generer(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """Ten new codes (the old ones stop working); returned once, stored hashed."""
    CodeSecours.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(10)) for _ in range(CODES_SECOURS)]
    CodeSecours.objects.bulk_create([CodeSecours(user=user, empreinte=make_password(code)) for code in codes])
    journal_ecrire(action=Action.CODES_SECOURS_GENERES, par=user, target=user, request=request)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@transaction.atomic
def code_secours_utiliser(*, user: User, code: str, request: HttpRequest | None = None) -> bool:
    propre = _code_propre(code).replace("-", "").lower()
    if len(propre) != 10:
        return False
    for row in CodeSecours.objects.select_for_update().filter(user=user, utilise_le__isnull=True):
        if check_password(propre, row.empreinte):
            row.utilise_le = timezone.now()
            row.save(update_fields=["utilise_le"])
            journal_ecrire(
                action=Action.CODE_SECOURS_UTILISE,
                par=user,
                target=user,
                request=request,
                new={"restants": codes_secours_restants(user)},
            )
            return True
    return False


# -- the emailed one-time code (access-code policy, new browser) ---------------------------------------


def _empreinte_code(request: HttpRequest, code: str) -> str:
    return salted_hmac("mutuelle.accounts.code_email", f"{request.session.session_key}:{code}").hexdigest()


def code_email_preparer(request: HttpRequest) -> str:
    """A 6-digit code for the pending login; only its HMAC stays in the (server-side) session."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    attente_maj(
        request, email_code=_empreinte_code(request, code), email_expire=time.time() + EMAIL_CODE_SECONDES, essais=0
    )
    return code


def code_email_verifier(request: HttpRequest, code: str) -> bool:
    data = request.session.get(EN_ATTENTE) or {}
    attendu = data.get("email_code")
    if not attendu or time.time() > float(data.get("email_expire", 0)):
        return False
    essais = int(data.get("essais", 0)) + 1
    if essais > EMAIL_CODE_ESSAIS:
        attente_maj(request, email_code=None)
        return False
    attente_maj(request, essais=essais)
    ok = constant_time_compare(_empreinte_code(request, _code_propre(code)), attendu)
    if ok:
        attente_maj(request, email_code=None)
    return ok


# -- passkeys (WebAuthn) ---------------------------------------------------------------------------------


def rp_id() -> str:
    return settings.MUTUELLE_WEBAUTHN_RP_ID or (urlsplit(settings.MUTUELLE_BASE_URL).hostname or "localhost")


def origine() -> str:
    parts = urlsplit(settings.MUTUELLE_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def cle_options_creation(request: HttpRequest, user: User) -> str:
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    mutuelle = mutuelle_ou_rien()
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=mutuelle.nom_court if mutuelle else "Mutuelle",
        user_id=f"compte-{user.pk}".encode(),
        user_name=user.username,
        user_display_name=str(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(c.credential_id)) for c in CleAcces.objects.filter(user=user)
        ],
    )
    request.session[CHALLENGE] = options.challenge.hex()
    return str(options_to_json(options))


def _challenge(request: HttpRequest) -> bytes | None:
    valeur = request.session.pop(CHALLENGE, None)
    return bytes.fromhex(valeur) if valeur else None


@transaction.atomic
def cle_enregistrer(*, request: HttpRequest, user: User, reponse: str, nom: str) -> CleAcces | None:
    from webauthn import verify_registration_response
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.exceptions import WebAuthnException

    challenge = _challenge(request)
    if challenge is None:
        return None
    try:
        verifiee = verify_registration_response(
            credential=reponse, expected_challenge=challenge, expected_rp_id=rp_id(), expected_origin=origine()
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):  # a malformed body too: refused, not a 500
        return None
    cle = CleAcces.objects.create(
        user=user,
        nom=(nom.strip() or "Clé d'accès")[:60],
        credential_id=verifiee.credential_id,
        credential_id_b64=bytes_to_base64url(verifiee.credential_id),
        cle_publique=verifiee.credential_public_key,
        compteur=verifiee.sign_count,
    )
    journal_ecrire(action=Action.CLE_AJOUTEE, par=user, target=user, request=request, new={"nom": cle.nom})
    facteur_annoncer(user=user, quoi=f"une clé d'accès (« {cle.nom} »)")
    if codes_secours_restants(user) == 0:
        request.session["_codes_a_montrer"] = codes_secours_generer(user=user, request=request)
    return cle


def cle_options_connexion(request: HttpRequest, user: User) -> str:
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(c.credential_id)) for c in CleAcces.objects.filter(user=user)
        ],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[CHALLENGE] = options.challenge.hex()
    return str(options_to_json(options))


@transaction.atomic
def cle_verifier(*, request: HttpRequest, user: User, reponse: str) -> CleAcces | None:
    import json

    from webauthn import verify_authentication_response
    from webauthn.helpers.exceptions import WebAuthnException

    challenge = _challenge(request)
    try:
        ident = str(json.loads(reponse).get("id", ""))[:1400]
    except (ValueError, AttributeError):
        return None
    cle = CleAcces.objects.select_for_update().filter(user=user, credential_id_b64=ident).first()
    if challenge is None or cle is None:
        return None
    try:
        verifiee = verify_authentication_response(
            credential=reponse,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=origine(),
            credential_public_key=bytes(cle.cle_publique),
            credential_current_sign_count=cle.compteur,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):  # a malformed body too: refused, not a 500
        return None
    cle.compteur = verifiee.new_sign_count
    cle.utilisee_le = timezone.now()
    cle.save(update_fields=["compteur", "utilisee_le"])
    return cle


@transaction.atomic
def cle_retirer(*, user: User, cle_id: int, request: HttpRequest | None = None) -> bool:
    cle = CleAcces.objects.filter(user=user, pk=cle_id).first()
    if cle is None:
        return False
    nom = cle.nom
    cle.delete()
    if not a_un_facteur(user):
        CodeSecours.objects.filter(user=user).delete()
    journal_ecrire(action=Action.CLE_RETIREE, par=user, target=user, request=request, new={"nom": nom})
    return True


# -- passwordless: a passkey alone ------------------------------------------------------------------

CHALLENGE_SEULE = "_webauthn_challenge_seule"


def cle_options_sans_mot_de_passe(request: HttpRequest) -> str:
    """Options for a login with a passkey alone: no account named (the browser offers the passkeys it
    holds for this site), and the authenticator must check its owner (PIN or biometrics), so the key
    is two factors in one — something held and something known or been."""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=rp_id(), allow_credentials=[], user_verification=UserVerificationRequirement.REQUIRED
    )
    request.session[CHALLENGE_SEULE] = options.challenge.hex()
    return str(options_to_json(options))


def cle_du_compte(reponse: str) -> CleAcces | None:
    """The registered passkey a login response names (any account), before it is checked."""
    import json

    try:
        donnees = json.loads(reponse)
        ident = str(donnees.get("id", ""))[:1400]
    except (ValueError, AttributeError):
        return None
    return CleAcces.objects.select_related("user").filter(credential_id_b64=ident).first() if ident else None


@transaction.atomic
def cle_verifier_seule(*, request: HttpRequest, cle: CleAcces, reponse: str) -> bool:
    """Check a passwordless login's signature with the key it names; the owner must have been
    verified by the authenticator, and the user handle, when sent, must be this account's."""
    import json

    from webauthn import verify_authentication_response
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.exceptions import WebAuthnException

    valeur = request.session.pop(CHALLENGE_SEULE, None)
    if not valeur:
        return False
    verrouillee = CleAcces.objects.select_for_update().get(pk=cle.pk)
    try:
        poignee = (json.loads(reponse).get("response") or {}).get("userHandle")
        if poignee and base64url_to_bytes(poignee) != f"compte-{verrouillee.user_id}".encode():
            return False
        verifiee = verify_authentication_response(
            credential=reponse,
            expected_challenge=bytes.fromhex(valeur),
            expected_rp_id=rp_id(),
            expected_origin=origine(),
            credential_public_key=bytes(verrouillee.cle_publique),
            credential_current_sign_count=verrouillee.compteur,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError, AttributeError):
        return False
    verrouillee.compteur = verifiee.new_sign_count
    verrouillee.utilisee_le = timezone.now()
    verrouillee.save(update_fields=["compteur", "utilisee_le"])
    return True
