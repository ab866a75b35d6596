"""The member's own account pages, before and after login: first connection (identity check), forgotten
secret, a letter's code, and the email address changed by the member. Every failure of the identity
check and of a letter's code counts against the account as a failed login (``accounts.verrouillage``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from mutuelle.accounts import verrouillage
from mutuelle.accounts.appareils import appareil_approuver
from mutuelle.accounts.forms import (
    CodeAccesForm,
    CodeCourrierForm,
    EmailForm,
    OubliForm,
    PremiereConnexionForm,
    formulaire_secret,
)
from mutuelle.accounts.limites import GROUPE_OUBLI, ip_limitee, reponse_limite_ip
from mutuelle.accounts.models import Courrier, ObjetJeton, User
from mutuelle.accounts.services import email_masque, jeton_valide, secret_definir
from mutuelle.accounts.views import credentials_pour, echec_compter, est_verrouille, reponse_verrouillage
from mutuelle.accounts.views_securite import reauthentification, utilisateur
from mutuelle.members.comptes import (
    activation_envoyer,
    adherent_pour,
    courrier_valide,
    email_changer_demander,
    email_confirmer,
    identite_verifier,
    nouveau_secret_demander,
)

SESSION_COURRIER = "_courrier_valide"


@sensitive_post_parameters("identifiant", "date_naissance", "nir_fin", "code_postal")
@never_cache
@require_http_methods(["GET", "POST"])
def premiere_connexion(request: HttpRequest) -> HttpResponse:
    form = PremiereConnexionForm(request.POST or None)
    if request.method == "POST" and ip_limitee(request):
        return reponse_limite_ip(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with verrouillage.essai(request, credentials_pour(data["identifiant"])):
            if est_verrouille(request, data["identifiant"]):
                return reponse_verrouillage(request, credentials=credentials_pour(data["identifiant"]))
            adherent = identite_verifier(
                identifiant=data["identifiant"],
                date_naissance=data["date_naissance"],
                nir_fin=data["nir_fin"],
                code_postal=data["code_postal"],
            )
            if adherent is None:
                echec_compter(request, data["identifiant"])
        if adherent is None:
            if getattr(request, "axes_locked_out", False):
                return reponse_verrouillage(request, credentials=credentials_pour(data["identifiant"]))
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
    if request.method == "POST" and (ip_limitee(request) or ip_limitee(request, groupe=GROUPE_OUBLI)):
        return reponse_limite_ip(request)
    if request.method == "POST" and form.is_valid():
        nouveau_secret_demander(identifiant=form.cleaned_data["identifiant"], request=request)
        return render(request, "accounts/oubli_envoye.html")
    return render(request, "accounts/oubli.html", {"form": form})


@sensitive_post_parameters("identifiant", "code", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def code_courrier(request: HttpRequest) -> HttpResponse:
    """A letter's code, then the new password (two steps; the code is checked once, counted like a login)."""
    courrier_id = request.session.get(SESSION_COURRIER)
    courrier = Courrier.objects.select_related("adherent__user").filter(pk=courrier_id).first() if courrier_id else None
    if courrier is not None and courrier.adherent.user is not None:
        form = formulaire_secret(courrier.adherent.user, request.POST or None)
        if request.method == "POST" and "new_password1" in request.POST and form.is_valid():
            user: User = courrier.adherent.user
            secret_definir(user=user, password=form.cleaned_data["new_password1"], request=request, via="courrier")
            request.session.pop(SESSION_COURRIER, None)
            messages.success(request, gettext("C'est fait : connectez-vous avec votre nouveau secret."))
            # The letter proved the postal address: this browser is trusted (access-code policy).
            return appareil_approuver(request, user, redirect("accounts:connexion"))
        return render(
            request,
            "accounts/secret_definir.html",
            {"form": form, "activation": False, "code_acces": isinstance(form, CodeAccesForm)},
        )
    form_code = CodeCourrierForm(request.POST or None)
    if request.method == "POST" and ip_limitee(request):
        return reponse_limite_ip(request)
    if request.method == "POST" and form_code.is_valid():
        identifiant = form_code.cleaned_data["identifiant"]
        with verrouillage.essai(request, credentials_pour(identifiant)):
            if est_verrouille(request, identifiant):
                return reponse_verrouillage(request, credentials=credentials_pour(identifiant))
            adherent = adherent_pour(identifiant)
            trouve = courrier_valide(adherent=adherent, code=form_code.cleaned_data["code"]) if adherent else None
            if trouve is None:
                echec_compter(request, identifiant)
        if trouve is None:
            if getattr(request, "axes_locked_out", False):
                return reponse_verrouillage(request, credentials=credentials_pour(identifiant))
            form_code.add_error(None, "Ce code ne correspond pas, a déjà servi ou a expiré.")
        else:
            request.session.cycle_key()
            request.session[SESSION_COURRIER] = trouve.pk
            return redirect("compte_adherent:code_courrier")
    return render(request, "accounts/code_courrier.html", {"form": form_code})


@login_required
@reauthentification
@never_cache
@require_http_methods(["GET", "POST"])
def email_modifier(request: HttpRequest) -> HttpResponse:
    user = utilisateur(request)
    adherent = getattr(user, "adherent", None)
    if adherent is None:
        messages.info(request, gettext("L'adresse email du personnel est gérée par l'administrateur."))
        return redirect("compte:securite")
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip()
        if email.lower() == (adherent.email or "").lower():
            form.add_error("email", "C'est déjà l'adresse enregistrée.")
        else:
            email_changer_demander(request=request, adherent=adherent, email=email)
            messages.success(
                request,
                gettext(
                    "Un lien de confirmation est envoyé à %(adresse)s (valable 1 heure). L'adresse actuelle "
                    "reste en service jusqu'à votre confirmation."
                )
                % {"adresse": email_masque(email)},
            )
            return redirect("compte:securite")
    return render(request, "accounts/email_modifier.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def email_confirmer_vue(request: HttpRequest, jeton: str) -> HttpResponse:
    """The link from the new address: GET shows a button (mail scanners follow links), POST confirms."""
    trouve = jeton_valide(jeton, ObjetJeton.EMAIL)
    if trouve is None:
        return render(request, "accounts/lien_invalide.html", status=410)
    if request.method == "POST":
        adherent = email_confirmer(jeton=trouve, request=request)
        if adherent is None:
            return render(request, "accounts/lien_invalide.html", status=410)
        messages.success(request, gettext("Votre nouvelle adresse email est enregistrée."))
        return redirect("compte:securite" if request.user.is_authenticated else "accounts:connexion")
    return render(request, "accounts/email_confirmer.html", {"email": email_masque(trouve.donnee)})
