"""Four-eyes on what staff change in a member's file: identity, contact, a contract's broker, a
premium's payment.

A handler proposes the change from the member file (``proposer``); it is applied only when a
responsable — another person — approves it (``approuver``), who sees the old and new values side by
side with the risk signals computed when it was proposed. Proposed, approved, refused or gone stale:
each step writes an audit row with the old and the new values, and the member is told what changed
(the email change by the previous address, a letter and the space).

The admin shows these fields read-only to everyone (``core.admin_mixins.ChampsProteges``): this is
the only way a member of staff changes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.forms import modelform_factory
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from mutuelle.accounts.appareils import appareil_nouveau_depuis
from mutuelle.accounts.permissions import Droit, peut
from mutuelle.backoffice.models import ModificationProposee, StatutModification
from mutuelle.core.actions import Action, codes
from mutuelle.core.models import AuditLog
from mutuelle.core.services import journal_ecrire
from mutuelle.members import champs_proteges
from mutuelle.members.comptes import email_change_par_la_mutuelle_signaler
from mutuelle.members.models import Adherent, Beneficiaire, Contrat, CoordonneesBancaires, Cotisation
from mutuelle.notifications.services import alerte_espace
from mutuelle.requests.models import Demande, StatutDemande, TypeDemande

RECENT_JOURS = 30


@dataclass(frozen=True)
class Cible:
    cle: str
    modele: str  # "app.Model"
    champs: tuple[str, ...]
    titre: str
    libelle: Callable[[Any], str]
    adherent: Callable[[Any], Any]
    # The objects of this kind in one member's file (a change is proposed only for those).
    du_dossier: Callable[[Any], models.QuerySet[Any]]

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.modele)


def _beneficiaires(adherent: Any) -> models.QuerySet[Any]:

    return Beneficiaire.objects.filter(contrat__adherent=adherent)


def _contrats(adherent: Any) -> models.QuerySet[Any]:

    return Contrat.objects.filter(adherent=adherent)


def _cotisations(adherent: Any) -> models.QuerySet[Any]:

    return Cotisation.objects.filter(contrat__adherent=adherent)


def _adherents(adherent: Any) -> models.QuerySet[Any]:
    return type(adherent)._default_manager.filter(pk=adherent.pk)


CIBLES: dict[str, Cible] = {
    c.cle: c
    for c in (
        Cible(
            "adherent",
            "members.Adherent",
            champs_proteges.ADHERENT,
            "Identité et coordonnées de l'adhérent",
            lambda a: f"Adhérent {a.numero} — {a.prenom} {a.nom}",
            lambda a: a,
            _adherents,
        ),
        Cible(
            "beneficiaire",
            "members.Beneficiaire",
            champs_proteges.BENEFICIAIRE,
            "Identité d'un bénéficiaire",
            lambda b: f"Bénéficiaire {b.prenom} {b.nom} (contrat {b.contrat.numero})",
            lambda b: b.contrat.adherent,
            _beneficiaires,
        ),
        Cible(
            "contrat",
            "members.Contrat",
            champs_proteges.CONTRAT,
            "Courtier d'un contrat",
            lambda c: f"Contrat {c.numero}",
            lambda c: c.adherent,
            _contrats,
        ),
        Cible(
            "cotisation",
            "members.Cotisation",
            champs_proteges.COTISATION,
            "Paiement d'une cotisation",
            lambda c: f"Cotisation {c.echeance:%m/%Y} du contrat {c.contrat.numero}",
            lambda c: c.contrat.adherent,
            _cotisations,
        ),
    )
}


class ModificationRefusee(ValidationError):
    """The change cannot be proposed or decided; the message says why (``code`` for the view)."""


# -- values as the proposal keeps them ------------------------------------------------------------


def _brut(objet: models.Model, nom: str) -> Any:
    champ = objet._meta.get_field(nom)
    return getattr(objet, champ.attname)  # type: ignore[union-attr]


def _json(valeur: Any) -> Any:
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, Decimal):
        return str(valeur)
    return valeur


def _python(modele: type[models.Model], nom: str, valeur: Any) -> Any:
    champ = modele._meta.get_field(nom)
    if valeur is None:
        return None
    if isinstance(champ, models.ForeignKey):
        return champ.target_field.to_python(valeur)
    return champ.to_python(valeur)  # type: ignore[union-attr]


def valeurs(objet: models.Model, champs: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {nom: _json(_brut(objet, nom)) for nom in champs}


def affichage(modele: type[models.Model], nom: str, valeur: Any) -> str:
    """A value as the approver reads it: a choice by its label, a broker by name, a date in French."""
    champ = modele._meta.get_field(nom)
    if valeur in (None, ""):
        return "—"
    if isinstance(champ, models.ForeignKey):
        lie = champ.related_model._default_manager.filter(pk=valeur).first()  # type: ignore[union-attr]
        return str(lie) if lie is not None else f"#{valeur}"
    python = _python(modele, nom, valeur)
    choix = getattr(champ, "choices", None)
    if choix:
        return str(dict(choix).get(python, python))
    if isinstance(python, bool):
        return "oui" if python else "non"
    if isinstance(python, date):
        return f"{python:%d/%m/%Y}"
    if isinstance(python, Decimal):
        return f"{python:.2f} €".replace(".", ",")
    return str(python)


@dataclass(frozen=True)
class Ligne:
    champ: str
    libelle: str
    avant: str
    apres: str


def lignes(modif: ModificationProposee) -> list[Ligne]:
    modele = CIBLES[modif.cible].model
    return [
        Ligne(
            nom,
            str(modele._meta.get_field(nom).verbose_name).capitalize(),  # type: ignore[union-attr]
            affichage(modele, nom, modif.avant.get(nom)),
            affichage(modele, nom, modif.apres.get(nom)),
        )
        for nom in modif.apres
    ]


# -- proposing -----------------------------------------------------------------------------------


class MotifForm(forms.Form):
    motif = forms.CharField(
        label="Motif et pièce justificative",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Pourquoi ce changement, à la demande de qui, sur quelle pièce (appel du 03/12, acte de "
        "mariage reçu…). Le responsable qui valide le lira.",
    )


def formulaire(cible: Cible, objet: models.Model, data: Any = None) -> forms.ModelForm[Any]:
    """The object's protected fields, with the model's own validation (a NIR's key, a premium paid
    no more than called…)."""
    classe = modelform_factory(cible.model, fields=cible.champs)
    copie = type(objet)._default_manager.get(pk=objet.pk)  # the form writes on its instance
    return classe(data, instance=copie)


def objet_du_dossier(cible: Cible, adherent: Any, pk: Any) -> models.Model | None:
    if not str(pk).isdigit():
        return None
    return cible.du_dossier(adherent).filter(pk=int(pk)).first()


def en_attente_pour(objet: models.Model) -> ModificationProposee | None:
    ct = ContentType.objects.get_for_model(type(objet))
    return ModificationProposee.objects.filter(
        type_objet=ct, objet_id=objet.pk, statut=StatutModification.EN_ATTENTE
    ).first()


def signaux_calculer(
    *, cible: Cible, objet: Any, adherent: Any, apres: dict[str, Any], par: Any, request: HttpRequest | None
) -> list[str]:
    """What the approver should weigh, as sentences: what changed recently on this file, the new
    address already someone else's, bank details asked at the same time, a proposer's new browser."""

    signaux = []
    depuis = timezone.now() - timedelta(days=RECENT_JOURS)
    if cible.cle == "adherent" and "email" in apres:
        recent = (
            AuditLog.objects.filter(
                adherent=adherent,
                cree_le__gte=depuis,
                action__in=codes(Action.EMAIL_CHANGE, Action.ADHERENT_MODIFIE),
            )
            .order_by("-cree_le")
            .values_list("action", "nouvelle_valeur", "cree_le")
        )
        le = next((c for a, n, c in recent if a == Action.EMAIL_CHANGE or "email" in (n or {})), None)
        if le is not None:
            signaux.append(f"L'adresse email de l'adhérent a déjà changé le {timezone.localtime(le):%d/%m/%Y}.")
        nouvelle = (apres["email"] or "").strip()
        autres = (
            Adherent.objects.filter(email__iexact=nouvelle).exclude(pk=adherent.pk).values_list("numero", flat=True)
            if nouvelle
            else []
        )
        if autres:
            signaux.append(f"La nouvelle adresse est celle d'un autre adhérent (n° {', '.join(autres)}).")
    if cible.cle == "adherent" and set(champs_proteges.COORDONNEES) & set(apres):
        rib = Demande.objects.filter(
            adherent=adherent,
            type_demande=TypeDemande.RIB,
            statut__in=[StatutDemande.RECUE, StatutDemande.EN_COURS],
        ).exists()
        # An account that replaced another within 30 days (a first account is not a change).
        comptes = CoordonneesBancaires.objects.filter(adherent=adherent)
        rib_recent = comptes.filter(cree_le__gte=depuis).exists() and comptes.count() > 1
        if rib or rib_recent:
            signaux.append(
                "Des coordonnées bancaires sont en cours de changement pour cet adhérent : "
                "changer aussi ses coordonnées est le schéma d'un détournement."
            )
    autres_propositions = (
        ModificationProposee.objects.filter(adherent=adherent, proposee_par=par, proposee_le__gte=depuis)
        .exclude(statut=StatutModification.REFUSEE)
        .count()
    )
    if autres_propositions:
        signaux.append(
            f"{par} a déjà proposé {autres_propositions} modification(s) de ce dossier ces {RECENT_JOURS} "
            "derniers jours."
        )
    nouveau = appareil_nouveau_depuis(request, par)
    if nouveau is not None:
        signaux.append(
            f"Proposée depuis un navigateur utilisé pour la première fois le {timezone.localtime(nouveau):%d/%m/%Y}."
        )
    return signaux


@transaction.atomic
def proposer(
    *, cible: Cible, objet: models.Model, form: forms.ModelForm[Any], motif: str, par: Any, request: HttpRequest | None
) -> ModificationProposee:
    """Record the change the handler typed (``form`` is valid); nothing changes on file yet."""
    champs = [c for c in cible.champs if c in form.changed_data]
    actuel = type(objet)._default_manager.select_for_update().get(pk=objet.pk)
    avant = valeurs(actuel, champs)
    apres = valeurs(form.instance, champs)
    champs = [c for c in champs if avant[c] != apres[c]]
    if not champs:
        raise ModificationRefusee("Vous n'avez rien changé : modifiez au moins un champ.", code="vide")
    avant = {c: avant[c] for c in champs}
    apres = {c: apres[c] for c in champs}
    if en_attente_pour(actuel) is not None:
        raise ModificationRefusee(
            "Une modification de cet élément attend déjà un second valideur : elle doit être validée ou "
            "refusée avant d'en proposer une autre.",
            code="en_attente",
        )
    adherent = cible.adherent(actuel)
    modif = ModificationProposee(
        type_objet=ContentType.objects.get_for_model(type(actuel)),
        objet_id=actuel.pk,
        cible=cible.cle,
        libelle=cible.libelle(actuel)[:200],
        adherent=adherent,
        avant=avant,
        apres=apres,
        motif=motif.strip(),
        signaux=signaux_calculer(cible=cible, objet=actuel, adherent=adherent, apres=apres, par=par, request=request),
        proposee_par=par,
    )
    try:
        with transaction.atomic():
            modif.save()
    except IntegrityError as exc:  # proposed by someone else a moment ago
        raise ModificationRefusee(
            "Une modification de cet élément attend déjà un second valideur.", code="en_attente"
        ) from exc
    journal_ecrire(
        action=Action.MODIFICATION_PROPOSEE,
        par=par,
        target=modif,
        adherent=adherent,
        old=avant,
        new=apres,
        request=request,
        message=f"{modif.libelle} : {modif.motif[:200]}",
    )
    return modif


# -- deciding ------------------------------------------------------------------------------------


def peut_decider(modif: ModificationProposee, user: Any) -> str:
    """Why ``user`` may not approve or refuse this change ("" when they may)."""
    if modif.statut != StatutModification.EN_ATTENTE:
        return f"Cette modification a déjà été décidée ({modif.get_statut_display().lower()})."
    if not peut(user, Droit.SUPERVISER):
        return "Seul un responsable valide une modification proposée par un gestionnaire."
    if user.pk == modif.proposee_par_id:
        return "Vous avez proposé cette modification : un autre responsable doit la valider."
    return ""


def _verrouiller(modif: ModificationProposee, par: Any) -> ModificationProposee:
    verrouillee = ModificationProposee.objects.select_for_update().get(pk=modif.pk)
    raison = peut_decider(verrouillee, par)
    if raison:
        code = "etat_change" if verrouillee.statut != StatutModification.EN_ATTENTE else "droit"
        raise ModificationRefusee(raison, code=code)
    return verrouillee


def _decider(modif: ModificationProposee, statut: str, par: Any, motif_refus: str = "") -> None:
    modif.statut = statut
    modif.decidee_par = par
    modif.decidee_le = timezone.now()
    modif.motif_refus = motif_refus
    modif.save(update_fields=["statut", "decidee_par", "decidee_le", "motif_refus"])


@transaction.atomic
def approuver(*, modif: ModificationProposee, par: Any, request: HttpRequest | None = None) -> ModificationProposee:
    """Apply the change if the values on file are still those the proposer saw; else it goes stale
    (``statut`` says which). Raises ``ModificationRefusee`` when ``par`` may not decide, or when the
    new values no longer pass the model's checks (the change stays pending)."""
    modif = _verrouiller(modif, par)
    cible = CIBLES[modif.cible]
    modele = cible.model
    objet = modele._default_manager.select_for_update().filter(pk=modif.objet_id).first()
    if objet is None or valeurs(objet, list(modif.avant)) != modif.avant:
        _decider(modif, StatutModification.PERIMEE, par, "Les données ont changé depuis la proposition.")
        journal_ecrire(
            action=Action.MODIFICATION_PERIMEE,
            par=par,
            target=modif,
            adherent=modif.adherent,
            old=modif.avant,
            new=modif.apres,
            request=request,
            message="Les valeurs enregistrées ne sont plus celles que la personne qui propose a vues.",
        )
        return modif
    avant_objet = modele._default_manager.get(pk=objet.pk)
    for nom, valeur in modif.apres.items():
        setattr(objet, modele._meta.get_field(nom).attname, _python(modele, nom, valeur))  # type: ignore[union-attr]
    try:
        objet.full_clean()
    except ValidationError as exc:
        raise ModificationRefusee(
            "Les nouvelles valeurs ne passent plus les contrôles : " + " ".join(exc.messages), code="invalide"
        ) from exc
    objet.save(update_fields=list(modif.apres))
    _decider(modif, StatutModification.APPLIQUEE, par)
    message = f"Proposée par {modif.proposee_par}, validée par {par}"
    journal_ecrire(
        action=Action(f"{modele._meta.label_lower}.changed"),  # one per model open to four-eyes
        par=par,
        target=objet,
        adherent=modif.adherent,
        old=modif.avant,
        new=modif.apres,
        request=request,
        message=message,
    )
    journal_ecrire(
        action=Action.MODIFICATION_APPROUVEE,
        par=par,
        target=modif,
        adherent=modif.adherent,
        old=modif.avant,
        new=modif.apres,
        request=request,
        message=message,
    )
    _prevenir(modif, avant_objet, objet, par)
    return modif


@transaction.atomic
def refuser(
    *, modif: ModificationProposee, par: Any, motif: str, request: HttpRequest | None = None
) -> ModificationProposee:
    """A responsable refuses, or the proposer withdraws their own proposal; nothing changes on file."""
    verrouillee = ModificationProposee.objects.select_for_update().get(pk=modif.pk)
    retrait = par.pk == verrouillee.proposee_par_id and verrouillee.statut == StatutModification.EN_ATTENTE
    if not retrait:
        verrouillee = _verrouiller(verrouillee, par)
    motif = motif.strip() or ("Retirée par la personne qui l'avait proposée." if retrait else "")
    if not motif:
        raise ModificationRefusee("Dites pourquoi vous refusez : la personne qui a proposé le lira.", code="motif")
    _decider(verrouillee, StatutModification.REFUSEE, par, motif)
    journal_ecrire(
        action=Action.MODIFICATION_RETIREE if retrait else Action.MODIFICATION_REFUSEE,
        par=par,
        target=verrouillee,
        adherent=verrouillee.adherent,
        old=verrouillee.avant,
        new=verrouillee.apres,
        request=request,
        message=motif[:300],
    )
    return verrouillee


def _prevenir(modif: ModificationProposee, avant: Any, apres: Any, par: Any) -> None:
    """Tell the person whose data changed: the previous email address, a letter and the space for a
    new email; the space for the rest of the member's identity and contact data."""

    if modif.cible != "adherent":
        return
    if "email" in modif.apres:
        email_change_par_la_mutuelle_signaler(adherent=apres, ancienne=avant.email or "", par=par)
    autres = [ligne.libelle.lower() for ligne in lignes(modif) if ligne.champ != "email"]
    if autres:
        alerte_espace(
            apres,
            gettext_lazy("Vos informations ont été modifiées par la mutuelle"),
            format_lazy(
                gettext_lazy("Modifié : {champs}. Si vous n'avez rien demandé, appelez-nous sans attendre."),
                champs=", ".join(autres),
            ),
        )
