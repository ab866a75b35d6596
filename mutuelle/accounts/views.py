"""Member login, logout, first connection, forgotten secret, letter codes.

Every failure of the login, first-connection and letter-code forms counts against the ACCOUNT the
identifier names (django-axes, ``mutuelle.accounts.verrouillage``); an identifier that names no
account counts and locks the same way, and the messages never say which case it was.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from mutuelle.accounts import verrouillage
from mutuelle.accounts.appareils import appareil_approuver
from mutuelle.accounts.forms import (
    MESSAGE_ECHEC,
    CodeAccesForm,
    CodeTotpForm,
    CodeVerificationForm,
    ConnexionForm,
    formulaire_secret,
)
from mutuelle.accounts.identifiants import est_identifiant_adherent
from mutuelle.accounts.limites import ip_limitee, reponse_limite_ip
from mutuelle.accounts.middleware import CONNEXION, REAUTH, SECOND_FACTEUR
from mutuelle.accounts.models import ObjetJeton, Role, User
from mutuelle.accounts.services import (
    email_masque,
    jeton_valide,
    lien_utiliser,
    sujet_email,
)
from mutuelle.accounts.verrouillage import cle_compte, seuil, verrouille_jusqua
from mutuelle.core.actions import Action
from mutuelle.core.langues import dans_sa_langue
from mutuelle.core.models import PolitiqueConnexion
from mutuelle.core.services import journal_ecrire, mutuelle_ou_rien


def suite_sure(request: HttpRequest, suite: str | None) -> str:
    """Where to go after login: ``next`` only when it stays on this site, over the same scheme."""
    if suite and url_has_allowed_host_and_scheme(
        suite, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return suite
    if getattr(request.user, "role", None) == Role.ADHERENT:
        return resolve_url("espace:accueil")
    if getattr(request.user, "is_gestion", False):
        return resolve_url("backoffice:accueil")  # staff land on their work queues
    if getattr(request.user, "role", None) == Role.COURTIER:
        return resolve_url("courtier:accueil")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def credentials_pour(identifiant: str) -> dict[str, str]:
    """What the lockout counts on: a member identifier, or a staff username (letters in it)."""
    if est_identifiant_adherent(identifiant):
        return {"identifiant": identifiant}
    return {"username": identifiant.strip()}


def reponse_verrouillage(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The lockout page (django-axes' AXES_LOCKOUT_CALLABLE): until when, and what to do."""
    credentials = credentials or credentials_pour(str(request.POST.get("identifiant", "")))
    fin = verrouille_jusqua(cle_compte(request, credentials))
    contexte = {
        "form": ConnexionForm(code_acces=code_acces()),
        "verrouille_jusqua": timezone.localtime(fin) if fin else None,
        "seuil": seuil(),
    }
    return render(request, "accounts/connexion.html", contexte, status=429)


def code_acces() -> bool:
    """Whether the mutuelle's members log in with their NIR and a 6-digit access code."""
    mutuelle = mutuelle_ou_rien()
    return mutuelle is not None and mutuelle.politique_connexion == PolitiqueConnexion.NIR_CODE


def credentials_de(user: User) -> dict[str, str]:
    """The credentials that name this account for the lockout counter."""
    adherent = getattr(user, "adherent", None)
    if user.role == Role.ADHERENT and adherent is not None:
        return {"identifiant": adherent.numero}
    return {"username": user.username}


def connexion_terminer(
    request: HttpRequest, user: User, *, backend: str, suite: str, methode: str, confiance: bool
) -> HttpResponse:
    """Open the session once every required factor was passed."""
    from mutuelle.accounts.appareils import connexion_enregistrer, cookie_poser
    from mutuelle.accounts.second_facteur import attente_fermer

    attente_fermer(request)
    login(request, user, backend=backend)
    maintenant = timezone.now().timestamp()
    request.session[CONNEXION] = maintenant
    request.session[REAUTH] = maintenant
    request.session[SECOND_FACTEUR] = methode
    verrouillage.deverrouiller(f"compte:{user.pk}")
    connexion_enregistrer(request, user, confiance=confiance)
    if methode != "aucun":
        journal_ecrire(
            action=Action.SECOND_FACTEUR_VERIFIE, par=user, target=user, request=request, new={"methode": methode}
        )
    destination = suite_sure(request, suite)
    if request.session.get("_codes_a_montrer"):
        destination = resolve_url("compte:codes") + "?" + urlencode({"suite": destination})
    return cookie_poser(request, redirect(destination))


def _apres_mot_de_passe(request: HttpRequest, user: User, suite: str) -> HttpResponse:
    """The first factor is right: open the session, or ask for the second one."""
    from mutuelle.accounts.appareils import de_confiance
    from mutuelle.accounts.second_facteur import a_un_facteur, attente_ouvrir

    backend = getattr(user, "backend", "")
    membre = user.role == Role.ADHERENT
    if a_un_facteur(user):
        if membre and de_confiance(request, user):
            return connexion_terminer(request, user, backend=backend, suite=suite, methode="appareil", confiance=True)
        attente_ouvrir(request, user, suite)
        return redirect("accounts:verification")
    if user.second_facteur_obligatoire:
        attente_ouvrir(request, user, suite, enrolement=True)
        messages.info(
            request, gettext("Votre rôle demande un second facteur : configurez-le maintenant pour continuer.")
        )
        return redirect("accounts:second_facteur_obligatoire")
    if membre and code_acces() and not de_confiance(request, user):
        attente_ouvrir(request, user, suite)
        _code_email_envoyer(request, user)
        return redirect("accounts:verification")
    return connexion_terminer(request, user, backend=backend, suite=suite, methode="aucun", confiance=False)


def _code_email_envoyer(request: HttpRequest, user: User) -> bool:
    from mutuelle.accounts.second_facteur import attente_maj, code_email_preparer

    adherent = getattr(user, "adherent", None)
    if adherent is None or not adherent.email:
        return False
    code = code_email_preparer(request)
    mutuelle = mutuelle_ou_rien()
    with dans_sa_langue(adherent):
        message = render_to_string(
            "accounts/email_code_connexion.txt",
            {"adherent": adherent, "mutuelle": mutuelle, "code": code, "minutes": 10},
        )
        sujet = sujet_email(gettext("votre code de connexion"))
    send_mail(sujet, message, None, [adherent.email])
    attente_maj(
        request, email_envois=int((request.session.get("_connexion_en_attente") or {}).get("email_envois", 0)) + 1
    )
    journal_ecrire(action=Action.CODE_EMAIL_ENVOYE, par=None, target=user, adherent=adherent, request=request)
    return True


@sensitive_post_parameters("secret", "identifiant")
@never_cache
@require_http_methods(["GET", "POST"])
def connexion(request: HttpRequest, portail: str = "") -> HttpResponse:
    """The login page; ``portail="courtier"`` is the brokers' entry point (same checks, own wording)."""
    suite = request.POST.get("next") or request.GET.get("next")
    if request.user.is_authenticated:
        return redirect(suite_sure(request, suite))
    form = ConnexionForm(request.POST or None, code_acces=code_acces() and portail != "courtier")
    if portail == "courtier":
        form.fields["identifiant"].label = "Identifiant"
    status = 200
    if request.method == "POST" and ip_limitee(request):
        return reponse_limite_ip(request)
    if request.method == "POST" and form.is_valid():
        identifiant, secret = form.cleaned_data["identifiant"], form.cleaned_data["secret"]
        credentials = credentials_pour(identifiant)
        key = "identifiant" if "identifiant" in credentials else "username"
        with verrouillage.essai(request, credentials):  # checked and counted as one step
            user = authenticate(request, **{key: credentials[key], "password": secret})
        if user is not None:
            return _apres_mot_de_passe(request, user, suite or "")
        form.add_error(None, MESSAGE_ECHEC)  # the password field never shows what was typed
    elif request.method == "POST":
        status = 400
    if request.session.pop("_expiree", False):
        messages.info(request, gettext("Votre session a expiré après une période d'inactivité : reconnectez-vous."))
    return render(
        request,
        "accounts/connexion.html",
        {
            "form": form,
            "next": suite if suite and suite_sure(request, suite) == suite else "",
            "portail": portail,
            "action": request.path,
        },
        status=status,
    )


def _echec_second_facteur(request: HttpRequest, user: User) -> HttpResponse | None:
    """A wrong code counts like a wrong password; at the threshold the lockout page answers."""
    from mutuelle.accounts.second_facteur import attente_fermer

    user_login_failed.send(sender=__name__, credentials=credentials_de(user), request=request)
    if getattr(request, "axes_locked_out", False):
        attente_fermer(request)
        return reponse_verrouillage(request, credentials=credentials_de(user))
    return None


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def verification(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the app, a recovery code, a passkey, or (access-code
    policy, new browser, no factor enrolled) the code just emailed."""
    from mutuelle.accounts.second_facteur import (
        attente,
    )

    en_attente = attente(request)
    if en_attente is None:
        messages.info(request, gettext("Reprenez la connexion depuis le début."))
        return redirect("accounts:connexion")
    user = en_attente.user
    if request.method == "POST":
        # The lockout checked, the code verified and a failure counted as one step (see essai).
        with verrouillage.essai(request, credentials_de(user)):
            return _verification(request, en_attente)
    return _verification(request, en_attente)


def _verification(request: HttpRequest, en_attente: Any) -> HttpResponse:
    from mutuelle.accounts.second_facteur import (
        code_email_verifier,
        code_secours_utiliser,
        totp_de,
        totp_verifier,
    )

    user = en_attente.user
    if AxesProxyHandler.is_locked(request, credentials_de(user)):
        return reponse_verrouillage(request, credentials=credentials_de(user))
    totp = totp_de(user)
    cles = user.cles_acces.exists()
    par_email = totp is None and not cles
    adherent = getattr(user, "adherent", None)
    email = adherent.email if adherent is not None else ""
    form = CodeVerificationForm(request.POST or None)
    if request.method == "POST" and ip_limitee(request):
        return reponse_limite_ip(request)
    if request.method == "POST" and request.POST.get("action") == "renvoyer" and par_email:
        if int(en_attente.data.get("email_envois", 0)) >= 3:
            messages.error(
                request, gettext("Trois codes ont déjà été envoyés : reprenez la connexion dans quelques minutes.")
            )
        elif _code_email_envoyer(request, user):
            messages.success(request, gettext("Un nouveau code vient d'être envoyé."))
        return redirect("accounts:verification")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        confiance = user.role == Role.ADHERENT and form.cleaned_data["confiance"]
        methode = ""
        if par_email and code_email_verifier(request, code):
            methode = "email"
        elif totp is not None and totp_verifier(totp, code):
            methode = "totp"
        elif not par_email and code_secours_utiliser(user=user, code=code, request=request):
            methode = "code_secours"
        if methode:
            return connexion_terminer(
                request, user, backend=en_attente.backend, suite=en_attente.suite, methode=methode, confiance=confiance
            )
        verrou = _echec_second_facteur(request, user)
        if verrou is not None:
            return verrou
        form.add_error("code", "Ce code ne convient pas (erroné, déjà utilisé ou expiré).")
    contexte = {
        "form": form,
        "totp": totp is not None,
        "cles": cles,
        "par_email": par_email,
        "email": email_masque(email) if email else "",
        "membre": user.role == Role.ADHERENT,
    }
    return render(request, "accounts/verification.html", contexte, status=400 if form.errors else 200)


@never_cache
@require_POST
def verification_cle_options(request: HttpRequest) -> HttpResponse:
    from mutuelle.accounts.second_facteur import attente, cle_options_connexion

    en_attente = attente(request)
    if en_attente is None or not en_attente.user.cles_acces.exists():
        return JsonResponse({"erreur": "Reprenez la connexion depuis le début."}, status=400)
    return HttpResponse(cle_options_connexion(request, en_attente.user), content_type="application/json")


@never_cache
@require_POST
def verification_cle(request: HttpRequest) -> HttpResponse:
    from mutuelle.accounts.second_facteur import attente, cle_verifier

    en_attente = attente(request)
    if en_attente is None:
        return JsonResponse({"erreur": "Reprenez la connexion depuis le début."}, status=400)
    user = en_attente.user
    with verrouillage.essai(request, credentials_de(user)):
        if AxesProxyHandler.is_locked(request, credentials_de(user)):
            return JsonResponse(
                {"erreur": "Compte temporairement verrouillé.", "suite": resolve_url("accounts:connexion")}, status=429
            )
        reponse = request.body.decode("utf-8", "replace")[:20_000]
        cle = cle_verifier(request=request, user=user, reponse=reponse)
        if cle is None:
            _echec_second_facteur(request, user)
    if cle is None:
        return JsonResponse(
            {"erreur": "Cette clé d'accès n'a pas été reconnue. Réessayez ou saisissez un code."}, status=400
        )
    confiance = user.role == Role.ADHERENT and request.GET.get("confiance") == "1"
    reponse_http = connexion_terminer(
        request, user, backend=en_attente.backend, suite=en_attente.suite, methode="cle_acces", confiance=confiance
    )
    json = JsonResponse({"suite": reponse_http["Location"]})
    for morsel in reponse_http.cookies.values():
        json.cookies[morsel.key] = morsel
    return json


TROP_DE_TENTATIVES = "Trop de tentatives depuis votre connexion : réessayez dans 10 minutes."


@never_cache
@require_POST
def connexion_cle_options(request: HttpRequest) -> HttpResponse:
    """Options for a login with a passkey alone (no identifier, no password)."""
    from mutuelle.accounts.second_facteur import cle_options_sans_mot_de_passe

    if ip_limitee(request):
        return JsonResponse({"erreur": TROP_DE_TENTATIVES}, status=429)
    return HttpResponse(cle_options_sans_mot_de_passe(request), content_type="application/json")


@never_cache
@require_POST
def connexion_cle(request: HttpRequest) -> HttpResponse:
    """Passwordless login: the passkey names its account; a wrong or unknown one counts as a failure
    from this address, a locked or closed account stays closed, and the session opens as after a
    second factor (the authenticator verified its owner)."""
    from mutuelle.accounts.limites import echec_compter
    from mutuelle.accounts.second_facteur import cle_du_compte, cle_verifier_seule

    if ip_limitee(request):
        return JsonResponse({"erreur": TROP_DE_TENTATIVES}, status=429)
    reponse = request.body.decode("utf-8", "replace")[:20_000]
    cle = cle_du_compte(reponse)
    refus = JsonResponse(
        {
            "erreur": "Cette clé d'accès n'est pas reconnue ici : connectez-vous avec votre identifiant et votre "
            "mot de passe, puis ajoutez-la dans « Sécurité de mon compte »."
        },
        status=400,
    )
    if cle is None:
        echec_compter(request)
        return refus
    user = cle.user
    with verrouillage.essai(request, credentials_de(user)):
        if AxesProxyHandler.is_locked(request, credentials_de(user)):
            return JsonResponse(
                {"erreur": "Compte temporairement verrouillé.", "suite": resolve_url("accounts:connexion")}, status=429
            )
        ok = user.is_active and cle_verifier_seule(request=request, cle=cle, reponse=reponse)
        if not ok:
            user_login_failed.send(sender=__name__, credentials=credentials_de(user), request=request)
    if not ok:
        return refus
    suite = request.GET.get("next") or ""
    confiance = user.role == Role.ADHERENT and request.GET.get("confiance") == "1"
    reponse_http = connexion_terminer(
        request,
        user,
        backend="django.contrib.auth.backends.ModelBackend",
        suite=suite,
        methode="cle_acces_seule",
        confiance=confiance,
    )
    json = JsonResponse({"suite": reponse_http["Location"]})
    for morsel in reponse_http.cookies.values():
        json.cookies[morsel.key] = morsel
    return json


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def second_facteur_obligatoire(request: HttpRequest) -> HttpResponse:
    """Staff and brokers without a second factor set one up (TOTP) before their session opens.

    Only a pending login opened for an account that had no factor gets here, and only while it
    still has none: an account with a factor proves it at ``verification`` instead, so knowing the
    password is never enough to enrol a new authenticator in place of the owner's."""
    from mutuelle.accounts.second_facteur import (
        FacteurDejaEnPlace,
        a_un_facteur,
        attente,
        totp_confirmer,
        totp_en_preparation,
        totp_preparer,
        totp_qr_svg,
        totp_secret_lisible,
    )

    en_attente = attente(request)
    if en_attente is None:
        messages.info(request, gettext("Reprenez la connexion depuis le début."))
        return redirect("accounts:connexion")
    user = en_attente.user
    if not en_attente.data.get("enrolement") or a_un_facteur(user):
        journal_ecrire(action=Action.TOTP_AJOUT_REFUSE, par=None, target=user, request=request)
        return redirect("accounts:verification")
    if request.method == "POST" and ip_limitee(request):
        return reponse_limite_ip(request)
    device = totp_en_preparation(user) if request.method == "POST" else None
    device = device or totp_preparer(user)
    form = CodeTotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_confirmer(user=user, code=form.cleaned_data["code"], request=request)
        except FacteurDejaEnPlace:
            return redirect("accounts:verification")
        if codes is not None:
            request.session["_codes_a_montrer"] = codes
            return connexion_terminer(
                request, user, backend=en_attente.backend, suite=en_attente.suite, methode="totp", confiance=False
            )
        form.add_error(
            "code", "Ce code ne correspond pas : vérifiez l'heure du téléphone et saisissez le code affiché."
        )
    return render(
        request,
        "accounts/totp_ajouter.html",
        {
            "form": form,
            "qr": totp_qr_svg(device, user),
            "secret": totp_secret_lisible(device),
            "obligatoire": True,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def deconnexion(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, gettext("Vous êtes déconnecté."))
    return redirect("accounts:connexion")


def echec_compter(request: HttpRequest, identifiant: str) -> None:
    """Count a failed identity check or letter code against the account, as a failed login."""
    user_login_failed.send(sender=__name__, credentials=credentials_pour(identifiant), request=request)


def est_verrouille(request: HttpRequest, identifiant: str) -> bool:
    return bool(AxesProxyHandler.is_locked(request, credentials_pour(identifiant)))


def _definir_par_lien(request: HttpRequest, jeton_secret: str, objet: str) -> HttpResponse:
    jeton = jeton_valide(jeton_secret, objet)
    if jeton is None:
        return render(request, "accounts/lien_invalide.html", status=410)
    form = formulaire_secret(jeton.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        lien_utiliser(jeton=jeton, password=form.cleaned_data["new_password1"], request=request)
        messages.success(
            request,
            "Votre espace est activé : connectez-vous avec votre nouveau secret."
            if objet == ObjetJeton.ACTIVATION
            else "C'est changé : connectez-vous avec votre nouveau secret.",
        )
        # The link proved the email address, as an emailed code would: this browser is trusted.
        return appareil_approuver(request, jeton.user, redirect("accounts:connexion"))
    return render(
        request,
        "accounts/secret_definir.html",
        {"form": form, "activation": objet == ObjetJeton.ACTIVATION, "code_acces": isinstance(form, CodeAccesForm)},
    )


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def activer(request: HttpRequest, jeton: str) -> HttpResponse:
    return _definir_par_lien(request, jeton, ObjetJeton.ACTIVATION)


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def nouveau_secret(request: HttpRequest, jeton: str) -> HttpResponse:
    return _definir_par_lien(request, jeton, ObjetJeton.SECRET)
