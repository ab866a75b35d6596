"""Member login, logout, first connection, forgotten secret, letter codes.

Every failure of the login, first-connection and letter-code forms counts against the ACCOUNT the
identifier names (django-axes, ``mutuelle.accounts.verrouillage``); an identifier that names no
account counts and locks the same way, and the messages never say which case it was.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from mutuelle.accounts.forms import (
    MESSAGE_ECHEC,
    CodeCourrierForm,
    ConnexionForm,
    DeverrouillageForm,
    NouveauSecretForm,
    OubliForm,
    PremiereConnexionForm,
)
from mutuelle.accounts.identifiants import adherent_pour, normaliser
from mutuelle.accounts.middleware import CONNEXION
from mutuelle.accounts.models import Courrier, ObjetJeton, Role, User
from mutuelle.accounts.services import (
    activation_envoyer,
    compte_deverrouiller,
    courrier_valide,
    identite_verifier,
    jeton_valide,
    lien_utiliser,
    nouveau_secret_demander,
    secret_definir,
)
from mutuelle.accounts.verrouillage import cle_compte, seuil, verrouille_jusqua
from mutuelle.core.permissions import gestion_required

SESSION_COURRIER = "_courrier_valide"


def suite_sure(request: HttpRequest, suite: str | None) -> str:
    """Where to go after login: ``next`` only when it stays on this site, over the same scheme."""
    if suite and url_has_allowed_host_and_scheme(
        suite, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return suite
    if getattr(request.user, "role", None) == Role.ADHERENT:
        return resolve_url("espace:accueil")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _credentials(identifiant: str) -> dict[str, str]:
    """What the lockout counts on: a member identifier, or a staff username (letters in it)."""
    valeur = normaliser(identifiant)
    if valeur and (valeur.isdigit() or len(valeur) in (13, 15)):
        return {"identifiant": identifiant}
    return {"username": identifiant.strip()}


def reponse_verrouillage(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The lockout page (django-axes' AXES_LOCKOUT_CALLABLE): until when, and what to do."""
    credentials = credentials or _credentials(str(request.POST.get("identifiant", "")))
    fin = verrouille_jusqua(cle_compte(request, credentials))
    contexte = {
        "form": ConnexionForm(),
        "verrouille_jusqua": timezone.localtime(fin) if fin else None,
        "seuil": seuil(),
    }
    return render(request, "accounts/connexion.html", contexte, status=429)


@sensitive_post_parameters("secret", "identifiant")
@never_cache
@require_http_methods(["GET", "POST"])
def connexion(request: HttpRequest) -> HttpResponse:
    suite = request.POST.get("next") or request.GET.get("next")
    if request.user.is_authenticated:
        return redirect(suite_sure(request, suite))
    form = ConnexionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        identifiant, secret = form.cleaned_data["identifiant"], form.cleaned_data["secret"]
        credentials = _credentials(identifiant)
        key = "identifiant" if "identifiant" in credentials else "username"
        user = authenticate(request, **{key: credentials[key], "password": secret})
        if user is not None:
            login(request, user)
            request.session[CONNEXION] = timezone.now().timestamp()
            return redirect(suite_sure(request, suite))
        form.add_error(None, MESSAGE_ECHEC)  # the password field never shows what was typed
    elif request.method == "POST":
        status = 400
    if request.session.pop("_expiree", False):
        messages.info(request, "Votre session a expiré après une période d'inactivité : reconnectez-vous.")
    return render(
        request,
        "accounts/connexion.html",
        {"form": form, "next": suite if suite and suite_sure(request, suite) == suite else ""},
        status=status,
    )


@require_POST
def deconnexion(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "Vous êtes déconnecté.")
    return redirect("accounts:connexion")


def _echec(request: HttpRequest, identifiant: str) -> None:
    """Count a failed identity check or letter code against the account, as a failed login."""
    user_login_failed.send(sender=__name__, credentials=_credentials(identifiant), request=request)


def _verrouille(request: HttpRequest, identifiant: str) -> bool:
    return bool(AxesProxyHandler.is_locked(request, _credentials(identifiant)))


@sensitive_post_parameters("identifiant", "date_naissance", "nir_fin", "code_postal")
@never_cache
@require_http_methods(["GET", "POST"])
def premiere_connexion(request: HttpRequest) -> HttpResponse:
    form = PremiereConnexionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _verrouille(request, data["identifiant"]):
            return reponse_verrouillage(request, credentials=_credentials(data["identifiant"]))
        adherent = identite_verifier(
            identifiant=data["identifiant"],
            date_naissance=data["date_naissance"],
            nir_fin=data["nir_fin"],
            code_postal=data["code_postal"],
        )
        if adherent is None:
            _echec(request, data["identifiant"])
            if getattr(request, "axes_locked_out", False):
                return reponse_verrouillage(request, credentials=_credentials(data["identifiant"]))
            form.add_error(
                None,
                "Ces informations ne permettent pas de vous identifier. Vérifiez-les (elles figurent sur votre "
                "carte de tiers payant et vos relevés) ou appelez-nous.",
            )
        else:
            assert adherent.user is not None
            if adherent.user.is_active:
                messages.info(
                    request,
                    "Votre espace est déjà activé : connectez-vous, ou choisissez un nouveau mot de passe si vous "
                    "l'avez oublié.",
                )
                return redirect("accounts:connexion")
            envoi = activation_envoyer(adherent=adherent, request=request)
            return render(request, "accounts/premiere_envoyee.html", {"envoi": envoi})
    return render(request, "accounts/premiere_connexion.html", {"form": form})


@sensitive_post_parameters("identifiant")
@never_cache
@require_http_methods(["GET", "POST"])
def oubli(request: HttpRequest) -> HttpResponse:
    form = OubliForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        nouveau_secret_demander(identifiant=form.cleaned_data["identifiant"], request=request)
        return render(request, "accounts/oubli_envoye.html")
    return render(request, "accounts/oubli.html", {"form": form})


def _definir_par_lien(request: HttpRequest, jeton_secret: str, objet: str) -> HttpResponse:
    jeton = jeton_valide(jeton_secret, objet)
    if jeton is None:
        return render(request, "accounts/lien_invalide.html", status=410)
    form = NouveauSecretForm(jeton.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        lien_utiliser(jeton=jeton, password=form.cleaned_data["new_password1"], request=request)
        messages.success(
            request,
            "Votre espace est activé : connectez-vous avec votre nouveau mot de passe."
            if objet == ObjetJeton.ACTIVATION
            else "Votre mot de passe est changé : connectez-vous avec le nouveau.",
        )
        return redirect("accounts:connexion")
    return render(
        request,
        "accounts/secret_definir.html",
        {"form": form, "activation": objet == ObjetJeton.ACTIVATION},
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


@sensitive_post_parameters("identifiant", "code", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def code_courrier(request: HttpRequest) -> HttpResponse:
    """A letter's code, then the new password (two steps; the code is checked once, counted like a login)."""
    courrier_id = request.session.get(SESSION_COURRIER)
    courrier = Courrier.objects.select_related("adherent__user").filter(pk=courrier_id).first() if courrier_id else None
    if courrier is not None and courrier.adherent.user is not None:
        form = NouveauSecretForm(courrier.adherent.user, request.POST or None)
        if request.method == "POST" and "new_password1" in request.POST and form.is_valid():
            user: User = courrier.adherent.user
            secret_definir(user=user, password=form.cleaned_data["new_password1"], request=request, via="courrier")
            request.session.pop(SESSION_COURRIER, None)
            messages.success(request, "C'est fait : connectez-vous avec votre nouveau mot de passe.")
            return redirect("accounts:connexion")
        return render(request, "accounts/secret_definir.html", {"form": form, "activation": False})
    form_code = CodeCourrierForm(request.POST or None)
    if request.method == "POST" and form_code.is_valid():
        identifiant = form_code.cleaned_data["identifiant"]
        if _verrouille(request, identifiant):
            return reponse_verrouillage(request, credentials=_credentials(identifiant))
        adherent = adherent_pour(identifiant)
        trouve = courrier_valide(adherent=adherent, code=form_code.cleaned_data["code"]) if adherent else None
        if trouve is None:
            _echec(request, identifiant)
            if getattr(request, "axes_locked_out", False):
                return reponse_verrouillage(request, credentials=_credentials(identifiant))
            form_code.add_error(None, "Ce code ne correspond pas, a déjà servi ou a expiré.")
        else:
            request.session.cycle_key()
            request.session[SESSION_COURRIER] = trouve.pk
            return redirect("accounts:code_courrier")
    return render(request, "accounts/code_courrier.html", {"form": form_code})


@gestion_required
@never_cache
@require_http_methods(["GET", "POST"])
def deverrouiller(request: HttpRequest) -> HttpResponse:
    """Back office: unlock a member's account after an identity check with the caller."""
    form = DeverrouillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resultat = compte_deverrouiller(
            numero=data["numero"],
            date_naissance=data["date_naissance"],
            element=data["element"],
            valeur=data["valeur"],
            motif=data["motif"],
            actor=request.user,
            request=request,
        )
        if resultat.ok:
            messages.success(request, resultat.message)
            return redirect("accounts:deverrouiller")
        form.add_error(None, resultat.message)
    return render(request, "accounts/deverrouiller.html", {"form": form})
