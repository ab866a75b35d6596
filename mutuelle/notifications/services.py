"""Telling members: one in-app notification per event, and an email after the commit when wanted.

Emails never carry health detail: an amount and a link, nothing about the care or the person."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from mutuelle.core.actions import Action
from mutuelle.core.langues import dans_sa_langue, langue_de_code
from mutuelle.core.services import journal_ecrire, mutuelle_ou_rien
from mutuelle.core.templatetags.format_fr import euros
from mutuelle.members.models import Adherent
from mutuelle.notifications.models import Categorie, Notification, PreferencesCommunication, ResumeMensuel


def preferences(adherent: Adherent) -> PreferencesCommunication:
    """The member's preferences; the defaults (unsaved) when they never changed them."""
    try:
        return adherent.preferences_communication
    except PreferencesCommunication.DoesNotExist:
        return PreferencesCommunication(adherent=adherent)


def _veut_un_email(prefs: PreferencesCommunication, categorie: str) -> bool:
    if categorie == Categorie.PAIEMENT:
        return prefs.email_paiement and not prefs.resume_mensuel
    if categorie == Categorie.COMPLEMENT:
        return prefs.email_complement
    if categorie in (Categorie.REPONSE, Categorie.MESSAGE):
        return prefs.email_reponse
    return False


def notifier(
    *,
    adherent: Adherent,
    categorie: str,
    cle: str,
    titre: str | Promise,
    texte: str | Promise = "",
    lien: str = "",
    montant: Decimal | None = None,
    email: bool = True,
) -> Notification:
    """Write the notification of an event once (``cle``), and queue its email after the commit
    (``email=False`` when the event's own message was already sent, a security notice). ``titre``
    and ``texte`` may be lazy (``format_lazy``): they are written in the member's language."""
    with dans_sa_langue(adherent):
        titre, texte = str(titre)[:200], str(texte)[:500]
    notification, creee = Notification.objects.get_or_create(
        adherent=adherent,
        cle=cle,
        defaults={"categorie": categorie, "titre": titre, "texte": texte, "lien": lien, "montant": montant},
    )
    if creee and email and adherent.email and _veut_un_email(preferences(adherent), categorie):
        from mutuelle.notifications.tasks import notification_email

        pk = notification.pk
        transaction.on_commit(lambda: notification_email.delay(pk))
    return notification


@dataclass(frozen=True)
class Evenement:
    adherent_id: int
    categorie: str
    cle: str
    titre: str | Promise  # lazy strings are written in each member's language
    texte: str | Promise = ""
    lien: str = ""
    montant: Decimal | None = None


def notifier_lot(evenements: list[Evenement]) -> int:
    """``notifier`` for many events at once (a bank's report): the notifications in bulk, once per
    event (unique key), and their emails queued after the commit for the members who want them."""
    if not evenements:
        return 0
    langues = dict(Adherent.objects.filter(pk__in={e.adherent_id for e in evenements}).values_list("pk", "langue"))

    def ecrite(e: Evenement) -> Notification:
        with translation.override(langue_de_code(langues.get(e.adherent_id))):
            return Notification(
                adherent_id=e.adherent_id,
                categorie=e.categorie,
                cle=e.cle,
                titre=str(e.titre)[:200],
                texte=str(e.texte)[:500],
                lien=e.lien,
                montant=e.montant,
            )

    Notification.objects.bulk_create(
        (ecrite(e) for e in evenements),
        batch_size=5000,
        ignore_conflicts=True,
    )
    adherents = {e.adherent_id for e in evenements}
    avec_email = set(Adherent.objects.filter(pk__in=adherents).exclude(email="").values_list("pk", flat=True))
    prefs = {p.adherent_id: p for p in PreferencesCommunication.objects.filter(adherent_id__in=avec_email)}
    a_envoyer = [
        pk
        for pk, adherent_id, categorie in Notification.objects.filter(
            adherent_id__in=avec_email, cle__in=[e.cle for e in evenements], email_envoye_le__isnull=True
        ).values_list("pk", "adherent_id", "categorie")
        if _veut_un_email(prefs.get(adherent_id) or PreferencesCommunication(adherent_id=adherent_id), categorie)
    ]
    if a_envoyer:
        from mutuelle.notifications.tasks import notification_email

        transaction.on_commit(lambda: [notification_email.delay(pk) for pk in a_envoyer])
    return len(evenements)


def remboursement_paye(*, ligne: Any) -> Notification | None:
    """A reimbursement line reached ``paye``: tell the member (nothing when the mutuelle paid nothing)."""
    if ligne.montant_amc <= 0:
        return None
    adherent = ligne.contrat.adherent
    return notifier(
        adherent=adherent,
        categorie=Categorie.PAIEMENT,
        cle=f"ligne:{ligne.pk}:paye",
        titre=format_lazy(
            gettext_lazy("Un remboursement de {montant} a été effectué"), montant=euros(ligne.montant_amc)
        ),
        texte=format_lazy(
            gettext_lazy("Soins du {le} pour {prenom}."),
            le=f"{ligne.date_soins:%d/%m/%Y}",
            prenom=ligne.beneficiaire.prenom,
        ),
        lien=reverse("espace:remboursement", kwargs={"pk": ligne.pk}),
        montant=ligne.montant_amc,
    )


def complement_demande(*, ligne: Any, motif: str) -> Notification:
    """The mutuelle needs something from the member to finish a reimbursement."""
    return notifier(
        adherent=ligne.contrat.adherent,
        categorie=Categorie.COMPLEMENT,
        cle=f"ligne:{ligne.pk}:complement:{timezone.now():%Y%m%d%H%M%S}",
        titre=gettext_lazy("Nous avons besoin d'une information pour un remboursement"),
        texte=motif[:500],
        lien=reverse("espace:remboursement", kwargs={"pk": ligne.pk}),
    )


def remboursement_rejete(*, ligne: Any, motif: str) -> Notification:
    """A handler rejected a reimbursement: the member is told why, and that the mutuelle pays nothing."""
    return notifier(
        adherent=ligne.contrat.adherent,
        categorie=Categorie.REPONSE,
        cle=f"ligne:{ligne.pk}:rejete:{timezone.now():%Y%m%d%H%M%S}",
        titre=gettext_lazy("Un remboursement a été refusé"),
        texte=format_lazy(
            gettext_lazy("Soins du {le} pour {prenom} : la mutuelle ne rembourse pas cet acte. Motif : {motif}"),
            le=f"{ligne.date_soins:%d/%m/%Y}",
            prenom=ligne.beneficiaire.prenom,
            motif=motif,
        ),
        lien=reverse("espace:remboursement", kwargs={"pk": ligne.pk}),
    )


def remboursement_ajuste(*, ligne: Any, avant: Decimal, motif: str) -> Notification:
    """A handler changed the mutuelle's share of a reimbursement: the member is told the new amount
    and why."""
    return notifier(
        adherent=ligne.contrat.adherent,
        categorie=Categorie.REPONSE,
        cle=f"ligne:{ligne.pk}:ajuste:{timezone.now():%Y%m%d%H%M%S}",
        titre=format_lazy(gettext_lazy("Part de la mutuelle ajustée à {montant}"), montant=euros(ligne.montant_amc)),
        texte=format_lazy(
            gettext_lazy(
                "Soins du {le} pour {prenom} : la part de la mutuelle passe de {avant} à {apres} ; "
                "reste à votre charge {reste}. Motif : {motif}"
            ),
            le=f"{ligne.date_soins:%d/%m/%Y}",
            prenom=ligne.beneficiaire.prenom,
            avant=euros(avant),
            apres=euros(ligne.montant_amc),
            reste=euros(ligne.reste_a_charge),
            motif=motif,
        ),
        lien=reverse("espace:remboursement", kwargs={"pk": ligne.pk}),
        montant=ligne.montant_amc,
    )


def _envoyer(adherent: Adherent, *, sujet: str, template: str, contexte: dict[str, Any]) -> None:
    """One email to the member, in their language (``Adherent.langue``)."""
    mutuelle = mutuelle_ou_rien()
    contexte = {"adherent": adherent, "mutuelle": mutuelle, "base_url": settings.MUTUELLE_BASE_URL, **contexte}
    with dans_sa_langue(adherent):
        message = EmailMultiAlternatives(
            subject=f"{mutuelle.nom_court if mutuelle else gettext('Votre mutuelle')} — {sujet}",
            body=render_to_string(f"{template}.txt", contexte),
            to=[adherent.email],
        )
        message.attach_alternative(render_to_string(f"{template}.html", contexte), "text/html")
    message.send()


@transaction.atomic
def notification_email_envoyer(*, notification_id: int) -> bool:
    """Send a notification's email once; False when already sent, or no longer wanted."""
    notification = (
        Notification.objects.select_for_update().select_related("adherent").filter(pk=notification_id).first()
    )
    if notification is None or notification.email_envoye_le is not None:
        return False
    adherent = notification.adherent
    if not adherent.email or not _veut_un_email(preferences(adherent), notification.categorie):
        return False
    _envoyer(
        adherent,
        sujet=notification.titre,  # written in the member's language when the notification was
        template="notifications/email_notification",
        contexte={"notification": notification, "lien": settings.MUTUELLE_BASE_URL + (notification.lien or "/")},
    )
    notification.email_envoye_le = timezone.now()
    notification.save(update_fields=["email_envoye_le"])
    return True


def mois_precedent(aujourdhui: date) -> date:
    premier = aujourdhui.replace(day=1)
    return date(premier.year - (premier.month == 1), (premier.month - 2) % 12 + 1, 1)


def resumes_mensuels_envoyer(*, mois: date) -> int:
    """One summary email per member who chose it, for the reimbursements paid in ``mois``; a member
    already summarised for that month is skipped, so the task can run again safely."""
    debut = mois.replace(day=1)
    fin = date(debut.year + (debut.month == 12), debut.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    debut_dt = datetime(debut.year, debut.month, 1, tzinfo=zone)
    fin_dt = datetime(fin.year, fin.month, 1, tzinfo=zone)
    envoyes = 0
    adherents = Adherent.objects.filter(preferences_communication__resume_mensuel=True, email__gt="").exclude(
        pk__in=ResumeMensuel.objects.filter(mois=debut).values("adherent_id")
    )
    for adherent in adherents.iterator():
        sommes = Notification.objects.filter(
            adherent=adherent, categorie=Categorie.PAIEMENT, cree_le__gte=debut_dt, cree_le__lt=fin_dt
        ).aggregate(nombre=Count("pk"), total=Sum("montant"))
        if not sommes["nombre"]:
            continue
        with transaction.atomic():
            resume, cree = ResumeMensuel.objects.get_or_create(
                adherent=adherent, mois=debut, defaults={"nombre": sommes["nombre"], "total": sommes["total"]}
            )
            if not cree:
                continue
            with dans_sa_langue(adherent):
                nom_du_mois = date_format(debut, "F Y")
                _envoyer(
                    adherent,
                    sujet=gettext("Vos remboursements de %(mois)s") % {"mois": nom_du_mois},
                    template="notifications/email_resume",
                    contexte={
                        "resume": resume,
                        "mois": nom_du_mois,
                        "lien": settings.MUTUELLE_BASE_URL + reverse("espace:remboursements"),
                    },
                )
            envoyes += 1
    return envoyes


@transaction.atomic
def preferences_modifier(
    *, adherent: Adherent, par: Any, request: Any = None, **valeurs: bool
) -> PreferencesCommunication:
    # Read again from the database: the form validated against the cached row has changed it already.
    prefs = PreferencesCommunication.objects.filter(adherent=adherent).first() or PreferencesCommunication(
        adherent=adherent
    )
    champs = ["email_paiement", "resume_mensuel", "email_complement", "email_reponse", "releves_papier"]
    avant = {c: getattr(prefs, c) for c in champs}
    for champ in champs:
        if champ in valeurs:
            setattr(prefs, champ, bool(valeurs[champ]))
    prefs.save()
    apres = {c: getattr(prefs, c) for c in champs}
    if avant != apres:
        journal_ecrire(
            action=Action.PREFERENCES_MODIFIEES,
            par=par,
            target=prefs,
            adherent=adherent,
            old=avant,
            new=apres,
            request=request,
        )
    return prefs


def notifications_lire(*, adherent: Adherent, pk: int | None = None) -> int:
    """Mark one notification (or all) of the member as read; returns how many changed."""
    qs = Notification.objects.filter(adherent=adherent, lue_le__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(lue_le=timezone.now())


def non_lues(adherent: Adherent) -> int:
    return Notification.objects.filter(adherent=adherent, lue_le__isnull=True).count()


def alerte_espace(adherent: Adherent, titre: Any, texte: Any = "") -> None:
    """A security event in the member's space too (the notice itself went by email, to the address on
    file, or to the previous one): whoever reads the space sees what changed."""
    notifier(
        adherent=adherent,
        categorie=Categorie.INFORMATION,
        cle=f"securite-{secrets.token_hex(8)}",
        titre=titre,
        texte=texte or gettext_lazy("Si vous n'êtes pas à l'origine de ce changement, appelez-nous sans attendre."),
        email=False,
    )
