"""“Sécurité de mon compte” (``/compte/``), for every logged-in user: password or access code, email
address (members), second factor (app, recovery codes, passkeys), trusted browsers, open sessions,
and the recent logins. Every change asks for the current secret again (``reauthentification``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from mutuelle.accounts import appareils, second_facteur, verrouillage
from mutuelle.accounts.forms import (
    CodeAccesForm,
    CodeTotpForm,
    ConfirmationForm,
    formulaire_secret,
)
from mutuelle.accounts.limites import ip_limitee, reponse_limite_ip
from mutuelle.accounts.middleware import REAUTH
from mutuelle.accounts.models import Appareil, Role, User
from mutuelle.accounts.services import (
    email_masque,
    secret_changer,
)
from mutuelle.core import actions
from mutuelle.core.actions import Action
from mutuelle.core.models import AuditLog

REAUTH_SECONDES = 5 * 60

DERNIERES_CONNEXIONS = actions.codes(Action.CONNEXION_REUSSIE, Action.CONNEXION_ECHOUEE, Action.COMPTE_VERROUILLE)


def utilisateur(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def reauthentification(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The current secret, typed again within the last 5 minutes, before a sensitive change."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if time.time() - float(request.session.get(REAUTH, 0) or 0) > REAUTH_SECONDES:
            if request.headers.get("Accept", "").startswith("application/json"):
                return JsonResponse({"erreur": "Confirmez d'abord votre identité.", "reauth": True}, status=403)
            suite = request.get_full_path() if request.method == "GET" else resolve_url("compte:securite")
            return redirect(resolve_url("compte:confirmer") + "?" + urlencode({"suite": suite}))
        return view(request, *args, **kwargs)

    return wrapper


def _code_acces(user: User) -> bool:
    from mutuelle.accounts.views import code_acces

    return user.role == Role.ADHERENT and code_acces()


@login_required
@never_cache
def securite(request: HttpRequest) -> HttpResponse:
    user = utilisateur(request)
    adherent = getattr(user, "adherent", None)
    cle_session = request.session.session_key
    sessions = appareils.sessions_ouvertes(user, cle_session)
    connexions = AuditLog.objects.filter(
        cible_type=User._meta.label_lower, cible_id=str(user.pk), action__in=DERNIERES_CONNEXIONS
    ).order_by("-cree_le")[:10]
    contexte = {
        "adherent": adherent,
        "email": email_masque(adherent.email) if adherent is not None and adherent.email else "",
        "code_acces": _code_acces(user),
        "totp": second_facteur.totp_de(user),
        "cles": list(user.cles_acces.all()),
        "codes_restants": second_facteur.codes_secours_restants(user),
        "obligatoire": user.second_facteur_obligatoire,
        "appareils": Appareil.objects.filter(user=user, revoque_le__isnull=True),
        "appareil_actuel": appareils.appareil_de(request, user),
        "sessions": [(s, vue, s.session_key == cle_session) for s, vue in sessions],
        "autres_sessions": sum(1 for s, _ in sessions if s.session_key != cle_session),
        "connexions": [(c, appareils.libelle(c.user_agent)) for c in connexions],
    }
    return render(request, "accounts/securite.html", contexte)


@sensitive_post_parameters("secret", "code")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirmer(request: HttpRequest) -> HttpResponse:
    """Re-authentication: the current secret; a wrong one counts towards the lockout like a login."""
    from mutuelle.accounts.views import credentials_de, reponse_verrouillage

    user = utilisateur(request)
    suite = request.POST.get("suite") or request.GET.get("suite") or ""
    if not url_has_allowed_host_and_scheme(
        suite, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        suite = resolve_url("compte:securite")
    if AxesProxyHandler.is_locked(request, credentials_de(user)):
        return reponse_verrouillage(request, credentials=credentials_de(user))
    if request.method == "POST" and ip_limitee(request):
        return reponse_limite_ip(request)
    # With an authenticator app enrolled, its code (or a recovery code) is asked too: a stolen
    # password alone changes nothing sensitive.
    device = second_facteur.totp_de(user)
    form = ConfirmationForm(request.POST or None, avec_code=device is not None)
    if _code_acces(user):
        form.fields["secret"].label = "Votre code d'accès actuel"
    if request.method == "POST" and form.is_valid():
        with verrouillage.essai(request, credentials_de(user)):  # checked and counted as one step
            if AxesProxyHandler.is_locked(request, credentials_de(user)):
                return reponse_verrouillage(request, credentials=credentials_de(user))
            secret_ok = user.check_password(form.cleaned_data["secret"])
            code = form.cleaned_data.get("code", "")
            code_ok = device is None or (
                secret_ok
                and (
                    second_facteur.totp_verifier(device, code)
                    or second_facteur.code_secours_utiliser(user=user, code=code, request=request)
                )
            )
            if not (secret_ok and code_ok):
                user_login_failed.send(sender=__name__, credentials=credentials_de(user), request=request)
        if secret_ok and code_ok:
            request.session[REAUTH] = time.time()
            return redirect(suite)
        if getattr(request, "axes_locked_out", False):
            return reponse_verrouillage(request, credentials=credentials_de(user))
        if not secret_ok:
            form.add_error("secret", "Ce n'est pas le bon secret.")
        else:
            form.add_error(
                "code", "Ce code ne convient pas : saisissez celui que votre application affiche maintenant."
            )
    return render(
        request, "accounts/confirmer.html", {"form": form, "suite": suite}, status=400 if form.errors else 200
    )


@sensitive_post_parameters("new_password1", "new_password2")
@login_required
@reauthentification
@never_cache
@require_http_methods(["GET", "POST"])
def secret_modifier(request: HttpRequest) -> HttpResponse:
    user = utilisateur(request)
    form = formulaire_secret(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        fermees = secret_changer(request=request, user=user, password=form.cleaned_data["new_password1"])
        texte = (
            "Votre code d'accès est changé." if isinstance(form, CodeAccesForm) else "Votre mot de passe est changé."
        )
        if fermees:
            texte += f" {fermees} autre(s) session(s) ont été fermées."
        messages.success(request, texte)
        return redirect("compte:securite")
    return render(
        request,
        "accounts/secret_definir.html",
        {"form": form, "changement": True, "code_acces": isinstance(form, CodeAccesForm)},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("code")
@login_required
@reauthentification
@never_cache
@require_http_methods(["GET", "POST"])
def totp_ajouter(request: HttpRequest) -> HttpResponse:
    user = utilisateur(request)
    device = second_facteur.totp_en_preparation(user) if request.method == "POST" else None
    device = device or second_facteur.totp_preparer(user)
    form = CodeTotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Behind a full login and a re-authentication that asked for the current app's code.
        codes = second_facteur.totp_confirmer(
            user=user, code=form.cleaned_data["code"], request=request, remplacer=True
        )
        if codes is not None:
            request.session["_codes_a_montrer"] = codes
            messages.success(request, gettext("L'application d'authentification est activée."))
            return redirect("compte:codes")
        form.add_error(
            "code", "Ce code ne correspond pas : vérifiez l'heure du téléphone et saisissez le code affiché."
        )
    contexte = {
        "form": form,
        "qr": second_facteur.totp_qr_svg(device, user),
        "secret": second_facteur.totp_secret_lisible(device),
        "obligatoire": False,
    }
    return render(request, "accounts/totp_ajouter.html", contexte, status=400 if form.errors else 200)


def _dernier_facteur(user: User, retire: str) -> bool:
    """Whether removing this factor would leave a staff member or broker without any."""
    if not user.second_facteur_obligatoire:
        return False
    totp = second_facteur.totp_de(user) is not None
    cles = user.cles_acces.count()
    restant = (cles if retire == "totp" else cles - 1) + (0 if retire == "totp" else int(totp))
    return restant <= 0


@login_required
@reauthentification
@require_POST
def totp_supprimer(request: HttpRequest) -> HttpResponse:
    user = utilisateur(request)
    if _dernier_facteur(user, "totp"):
        messages.error(
            request,
            gettext("Votre rôle demande un second facteur : ajoutez une clé d'accès avant de retirer l'application."),
        )
    else:
        second_facteur.totp_retirer(user=user, request=request)
        messages.success(request, gettext("L'application d'authentification est retirée de votre compte."))
    return redirect("compte:securite")


@login_required
@reauthentification
@require_POST
def codes_regenerer(request: HttpRequest) -> HttpResponse:
    user = utilisateur(request)
    if not second_facteur.a_un_facteur(user):
        messages.error(request, gettext("Les codes de secours accompagnent un second facteur : activez-en un d'abord."))
        return redirect("compte:securite")
    request.session["_codes_a_montrer"] = second_facteur.codes_secours_generer(user=user, request=request)
    return redirect("compte:codes")


@login_required
@never_cache
def codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once right after they were generated."""
    liste = request.session.pop("_codes_a_montrer", None)
    suite = request.GET.get("suite", "")
    if not url_has_allowed_host_and_scheme(
        suite, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        suite = resolve_url("compte:securite")
    if not liste:
        return redirect(suite)
    return render(request, "accounts/codes_secours.html", {"codes": liste, "suite": suite})


@login_required
@reauthentification
@require_POST
def cle_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        second_facteur.cle_options_creation(request, utilisateur(request)), content_type="application/json"
    )


@login_required
@reauthentification
@require_POST
def cle_ajouter(request: HttpRequest) -> HttpResponse:
    user = utilisateur(request)
    nom = request.GET.get("nom", "")[:60]
    cle = second_facteur.cle_enregistrer(
        request=request, user=user, reponse=request.body.decode("utf-8", "replace")[:20_000], nom=nom
    )
    if cle is None:
        return JsonResponse({"erreur": "La clé d'accès n'a pas pu être enregistrée. Réessayez."}, status=400)
    messages.success(request, f"La clé d'accès « {cle.nom} » est ajoutée.")
    suite = resolve_url("compte:codes") if request.session.get("_codes_a_montrer") else resolve_url("compte:securite")
    return JsonResponse({"suite": suite})


@login_required
@reauthentification
@require_POST
def cle_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    user = utilisateur(request)
    if _dernier_facteur(user, "cle"):
        messages.error(request, gettext("Votre rôle demande un second facteur : gardez au moins une méthode."))
    elif second_facteur.cle_retirer(user=user, cle_id=pk, request=request):
        messages.success(request, gettext("La clé d'accès est retirée."))
    else:
        messages.error(request, gettext("Cette clé d'accès n'existe pas ou plus."))
    return redirect("compte:securite")


@login_required
@require_POST
def appareil_supprimer(request: HttpRequest, pk: int) -> HttpResponse:
    if appareils.appareil_revoquer(user=utilisateur(request), appareil_id=pk, request=request):
        messages.success(request, gettext("Ce navigateur n'est plus reconnu : il faudra s'y identifier de nouveau."))
    else:
        messages.error(request, gettext("Ce navigateur n'est pas (ou plus) dans la liste."))
    return redirect("compte:securite")


@login_required
@require_POST
def sessions_fermer(request: HttpRequest) -> HttpResponse:
    n = appareils.autres_sessions_fermer(request=request, user=utilisateur(request))
    messages.success(request, f"{n} autre(s) session(s) fermée(s)." if n else "Aucune autre session n'était ouverte.")
    return redirect("compte:securite")
