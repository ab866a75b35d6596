"""The work queues of the back office, described once: what is open in each, since when, by when it is
due (service level in working days), where an item is worked, and whose file it belongs to.

The home page, each queue's list, the "next item" button and the supervisors' dashboard all read this
table; a queue is added here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from mutuelle.accounts.models import Courrier, StatutCourrier, User
from mutuelle.accounts.verrouillage import duree, verrouille_jusqua
from mutuelle.backoffice.models import Affectation
from mutuelle.brokers.models import Affiliation, StatutAffiliation
from mutuelle.claims.models import EvenementLigne, LigneRemboursement, RejetNoemie, Statut
from mutuelle.core import delais
from mutuelle.core.actions import Action
from mutuelle.core.calendrier import jour_ouvre, jours_ouvres_apres
from mutuelle.members.models import Adherent, Beneficiaire
from mutuelle.messaging.models import Fil, Message, StatutFil
from mutuelle.payments.services import adherents_sans_compte, lignes_a_payer
from mutuelle.requests.genres import GENRES
from mutuelle.requests.models import Demande, StatutDemande


class Etat:
    A_TEMPS = "a_temps"
    AUJOURDHUI = "aujourdhui"
    EN_RETARD = "en_retard"
    LIBELLES = {A_TEMPS: "Dans les délais", AUJOURDHUI: "À traiter aujourd'hui", EN_RETARD: "En retard"}


Traite = tuple[date, date, date | None]


@dataclass(frozen=True)
class File:
    cle: str  # its service level is core.delais.NIVEAUX[cle]
    ouverts: Callable[[], QuerySet[Any]]
    # The datetime the item entered the queue (a path the ORM can read, e.g. "fichier__recu_le").
    champ_recu: str
    url: Callable[[Any], str]
    adherent: Callable[[Any], Any]
    resume: Callable[[Any], str]
    # A date field holding the item's own due date (requests, messages); else recu + the queue's delay.
    champ_echeance: str | None = None
    # Items can be taken one by one (letters are printed in batches instead).
    prise: bool = True
    # For the dashboard: the items that left the queue between two instants, each as (arrival day,
    # day processed, its own due date or None); ``None``: not measured.
    traites: Callable[[datetime, datetime], list[Traite]] | None = None
    # For the dashboard: when items came in between two instants.
    arrivees: Callable[[datetime, datetime], list[datetime]] | None = None
    aide: str = ""
    # Who works this queue (the home page lists it to them only, and only they take its items).
    droit: str = "traiter"
    filtres: dict[str, Callable[[QuerySet[Any], str], QuerySet[Any]]] = field(default_factory=dict)

    @property
    def modele(self) -> type[models.Model]:
        return self.ouverts().model

    @property
    def libelle(self) -> str:
        return delais.NIVEAUX[self.cle].libelle

    def delai(self) -> int:
        return delais.delai(self.cle)


def _local(moment: datetime | date | None) -> date:
    if moment is None:
        raise ValueError("date manquante")
    return timezone.localtime(moment).date() if isinstance(moment, datetime) else moment


def seuils(delai: int, aujourdhui: date) -> tuple[date, date]:
    """For items due ``delai`` working days after the day they came in: the last arrival day that is
    late today, and the last one due today (arrival dates are ordered like due dates)."""
    jour = aujourdhui
    dernier_du_jour: date | None = None
    for _ in range(400):
        echeance = jours_ouvres_apres(jour, delai)
        if echeance < aujourdhui:
            return jour, dernier_du_jour or jour
        if echeance == aujourdhui and dernier_du_jour is None:
            dernier_du_jour = jour
        jour -= timedelta(days=1)
    raise AssertionError("délai hors limites")  # pragma: no cover - delai is capped at 60


def jours_ouvres_entre(debut: date, fin: date) -> int:
    """Working days from ``debut`` (excluded) to ``fin`` (included): an item's age."""
    jours = 0
    jour = debut
    while jour < fin:
        jour += timedelta(days=1)
        if jour_ouvre(jour):
            jours += 1
    return jours


@dataclass
class Element:
    file: File
    objet: Any
    recu: date
    echeance: date
    etat: str
    age: int
    pris_par: Any
    adherent: Any

    @property
    def url(self) -> str:
        return lien(self.file, self.objet)

    @property
    def titre(self) -> str:
        return self.file.resume(self.objet)

    @property
    def etat_libelle(self) -> str:
        return Etat.LIBELLES[self.etat]


def lien(file: File, objet: Any) -> str:
    """Where an item is worked, remembering the queue it was opened from."""
    url = file.url(objet)
    return f"{url}{'&' if '?' in url else '?'}file={file.cle}"


def avec_affectation(file: File, qs: QuerySet[Any]) -> QuerySet[Any]:
    ct = ContentType.objects.get_for_model(qs.model)
    affectations = Affectation.objects.filter(type_objet=ct, objet_id=OuterRef("pk"))
    return qs.annotate(_pris_par=Subquery(affectations.values("gestionnaire")[:1]))


def filtrer(
    file: File, qs: QuerySet[Any], *, etat: str = "", prise: str = "", user: Any = None, aujourdhui: date | None = None
) -> QuerySet[Any]:
    """Narrow a queue by service-level state and by who took the items ("moi", "libres", "pris")."""
    aujourdhui = aujourdhui or timezone.localdate()
    if etat:
        qs = qs.filter(q_etat(file, etat, aujourdhui))
    if prise:
        ct = ContentType.objects.get_for_model(qs.model)
        pris = Affectation.objects.filter(type_objet=ct)
        if prise == "moi" and user is not None:
            qs = qs.filter(pk__in=pris.filter(gestionnaire=user).values("objet_id"))
        elif prise == "libres":
            qs = qs.exclude(pk__in=pris.values("objet_id"))
        elif prise == "pris":
            qs = qs.filter(pk__in=pris.values("objet_id"))
    return qs


def q_etat(file: File, etat: str, aujourdhui: date) -> Q:
    if file.champ_echeance:
        champ = file.champ_echeance
        return {
            Etat.EN_RETARD: Q(**{f"{champ}__lt": aujourdhui}),
            Etat.AUJOURDHUI: Q(**{champ: aujourdhui}),
            Etat.A_TEMPS: Q(**{f"{champ}__gt": aujourdhui}),
        }[etat]
    en_retard, du_jour = seuils(file.delai(), aujourdhui)
    champ = f"{file.champ_recu}__date"
    return {
        Etat.EN_RETARD: Q(**{f"{champ}__lte": en_retard}),
        Etat.AUJOURDHUI: Q(**{f"{champ}__gt": en_retard, f"{champ}__lte": du_jour}),
        Etat.A_TEMPS: Q(**{f"{champ}__gt": du_jour}),
    }[etat]


def _valeur(objet: Any, chemin: str) -> Any:
    for attr in chemin.split("__"):
        objet = getattr(objet, attr)
    return objet


def elements(file: File, objets: list[Any], aujourdhui: date | None = None) -> list[Element]:
    """A page of a queue, each item with its arrival, due date, state, age and taker."""

    aujourdhui = aujourdhui or timezone.localdate()
    delai = file.delai()
    preneurs = {u.pk: u for u in User.objects.filter(pk__in={getattr(o, "_pris_par", None) for o in objets} - {None})}
    rows = []
    for objet in objets:
        recu = _local(_valeur(objet, file.champ_recu))
        echeance = _valeur(objet, file.champ_echeance) if file.champ_echeance else jours_ouvres_apres(recu, delai)
        etat = Etat.EN_RETARD if echeance < aujourdhui else Etat.AUJOURDHUI if echeance == aujourdhui else Etat.A_TEMPS
        rows.append(
            Element(
                file=file,
                objet=objet,
                recu=recu,
                echeance=echeance,
                etat=etat,
                age=jours_ouvres_entre(recu, aujourdhui),
                pris_par=preneurs.get(getattr(objet, "_pris_par", None) or 0),
                adherent=file.adherent(objet),
            )
        )
    return rows


def compteurs(file: File, user: Any, aujourdhui: date | None = None) -> dict[str, Any]:
    """One query: how many items, how many late or due today, the oldest, how many are mine or free."""
    aujourdhui = aujourdhui or timezone.localdate()
    qs = file.ouverts().order_by()
    ct = ContentType.objects.get_for_model(qs.model)
    pris = Affectation.objects.filter(type_objet=ct)
    resultat = qs.aggregate(
        total=Count("pk"),
        en_retard=Count("pk", filter=q_etat(file, Etat.EN_RETARD, aujourdhui)),
        aujourdhui=Count("pk", filter=q_etat(file, Etat.AUJOURDHUI, aujourdhui)),
        libres=Count("pk", filter=~Q(pk__in=pris.values("objet_id"))),
        moi=Count("pk", filter=Q(pk__in=pris.filter(gestionnaire=user).values("objet_id"))),
        plus_ancien=Min(file.champ_recu),
    )
    ancien = resultat["plus_ancien"]
    resultat["age_max"] = jours_ouvres_entre(_local(ancien), aujourdhui) if ancien else None
    return resultat


# -- the queues -------------------------------------------------------------------------------------


def _revue() -> QuerySet[Any]:

    return (
        LigneRemboursement.objects.filter(statut=Statut.EN_COURS)
        .select_related("beneficiaire", "contrat__adherent", "decompte")
        .order_by("cree_le", "pk")
    )


def _revue_traites(debut: datetime, fin: datetime) -> list[Traite]:

    rows = EvenementLigne.objects.filter(
        de=Statut.EN_COURS,
        vers__in=[Statut.VALIDE, Statut.REJETE, Statut.COMPLEMENT],
        par__isnull=False,
        le__gte=debut,
        le__lt=fin,
    ).values_list("ligne__cree_le", "le")
    return [(_local(recu), _local(le), None) for recu, le in rows]


def _arrivees(modele: str, champ: str, **filtres: Any) -> Callable[[datetime, datetime], list[datetime]]:
    """Arrival instants of a model's rows between two instants (``modele``: "app.Model")."""

    def arrivees(debut: datetime, fin: datetime) -> list[datetime]:
        from django.apps import apps

        qs = apps.get_model(modele).objects.filter(**{f"{champ}__gte": debut, f"{champ}__lt": fin}, **filtres)
        return list(qs.values_list(champ, flat=True))

    return arrivees


def _revue_arrivees(debut: datetime, fin: datetime) -> list[datetime]:

    qs = LigneRemboursement.objects.filter(cree_le__gte=debut, cree_le__lt=fin).exclude(motif_revue="")
    return list(qs.values_list("cree_le", flat=True))


def _signalements() -> QuerySet[Any]:

    return RejetNoemie.objects.filter(traite=False).select_related("fichier").order_by("fichier__recu_le", "pk")


def _signalements_traites(debut: datetime, fin: datetime) -> list[Traite]:

    rows = RejetNoemie.objects.filter(traite=True, traite_le__gte=debut, traite_le__lt=fin).values_list(
        "fichier__recu_le", "traite_le"
    )
    return [(_local(recu), _local(le), None) for recu, le in rows]


def _signalement_adherent(rejet: Any) -> Any:

    beneficiaire = (
        Beneficiaire.objects.filter(nir=rejet.nir, rang_gemellaire=rejet.rang_gemellaire)
        .select_related("contrat__adherent")
        .first()
    )
    return beneficiaire.contrat.adherent if beneficiaire is not None else None


def _demandes(*types: str) -> Callable[[], QuerySet[Any]]:
    def ouverts() -> QuerySet[Any]:

        return (
            Demande.objects.filter(type_demande__in=types, statut__in=[StatutDemande.RECUE, StatutDemande.EN_COURS])
            .select_related("adherent")
            .order_by("echeance", "cree_le", "pk")
        )

    return ouverts


def _demandes_traitees(*types: str) -> Callable[[datetime, datetime], list[Traite]]:
    def traites(debut: datetime, fin: datetime) -> list[Traite]:

        rows = Demande.objects.filter(type_demande__in=types, traitee_le__gte=debut, traitee_le__lt=fin).values_list(
            "cree_le", "traitee_le", "echeance"
        )
        return [(_local(recu), _local(le), echeance) for recu, le, echeance in rows]

    return traites


def _fils() -> QuerySet[Any]:

    return (
        Fil.objects.filter(statut=StatutFil.A_TRAITER)
        .select_related("adherent")
        .order_by("echeance", "attente_depuis", "pk")
    )


def _fils_traites(debut: datetime, fin: datetime) -> list[Traite]:

    # A reply that ended a wait keeps when the wait began and by when it was due.
    rows = Message.objects.filter(attente_depuis__isnull=False, cree_le__gte=debut, cree_le__lt=fin).values_list(
        "attente_depuis", "cree_le", "echeance"
    )
    return [(_local(recu), _local(le), echeance) for recu, le, echeance in rows]


def _verrouillages() -> QuerySet[Any]:
    from axes.models import AccessAttempt

    # Only keys that failed within the lockout period can be locked now.
    cles = (
        AccessAttempt.objects.filter(username__startswith="compte:", attempt_time__gte=timezone.now() - duree())
        .values("username")
        .annotate(dernier=Min("pk"))
        .values_list("username", "dernier")
    )
    ids = [dernier for cle, dernier in cles if verrouille_jusqua(cle) is not None]
    return AccessAttempt.objects.filter(pk__in=ids).order_by("attempt_time", "pk")


def _compte(attempt: Any) -> Any:

    pk = attempt.username.removeprefix("compte:")
    return Adherent.objects.filter(user_id=int(pk)).first() if pk.isdigit() else None


def _verrouillage_url(attempt: Any) -> str:
    adherent = _compte(attempt)
    numero = adherent.numero if adherent is not None else ""
    return reverse("accounts_gestion:deverrouiller") + (f"?numero={numero}" if numero else "")


def _sans_rib() -> QuerySet[Any]:

    premiere = (
        lignes_a_payer()
        .filter(decompte__tiers_payant=False, contrat__adherent=OuterRef("pk"))
        .order_by("modifie_le")
        .values("modifie_le")[:1]
    )
    return adherents_sans_compte().annotate(_attente=Subquery(premiere)).order_by("_attente", "pk")


def _courriers() -> QuerySet[Any]:

    return (
        Courrier.objects.filter(statut=StatutCourrier.A_IMPRIMER).select_related("adherent").order_by("cree_le", "pk")
    )


def _courriers_traites(debut: datetime, fin: datetime) -> list[Traite]:

    rows = Courrier.objects.filter(imprime_le__gte=debut, imprime_le__lt=fin).values_list("cree_le", "imprime_le")
    return [(_local(recu), _local(le), None) for recu, le in rows]


def _affiliations() -> QuerySet[Any]:

    return (
        Affiliation.objects.filter(statut=StatutAffiliation.SOUMISE)
        .select_related("formule", "courtier__user")
        .order_by("echeance", "cree_le", "pk")
    )


def _affiliations_traitees(debut: datetime, fin: datetime) -> list[Traite]:

    rows = Affiliation.objects.filter(traitee_le__gte=debut, traitee_le__lt=fin).values_list(
        "cree_le", "traitee_le", "echeance"
    )
    return [(_local(recu), _local(le), echeance) for recu, le, echeance in rows]


def _modifications() -> QuerySet[Any]:
    from mutuelle.backoffice.models import ModificationProposee, StatutModification

    return (
        ModificationProposee.objects.filter(statut=StatutModification.EN_ATTENTE)
        .select_related("adherent", "proposee_par")
        .order_by("proposee_le", "pk")
    )


def _modifications_traitees(debut: datetime, fin: datetime) -> list[Traite]:
    from mutuelle.backoffice.models import ModificationProposee

    rows = ModificationProposee.objects.filter(decidee_le__gte=debut, decidee_le__lt=fin).values_list(
        "proposee_le", "decidee_le"
    )
    return [(_local(recu), _local(le), None) for recu, le in rows]


def _demande_url(demande: Any) -> str:
    return reverse("requests_gestion:detail", kwargs={"numero": demande.numero})


def _demande_resume(demande: Any) -> str:
    return f"{demande.numero} — {demande.get_type_demande_display()}"


def _les_files() -> dict[str, File]:

    def demandes(cle: str, aide: str = "") -> File:
        types = [t for t, genre in GENRES.items() if genre.file == cle]
        return File(
            cle=cle,
            ouverts=_demandes(*types),
            champ_recu="cree_le",
            champ_echeance="echeance",
            url=_demande_url,
            adherent=lambda d: d.adherent,
            resume=_demande_resume,
            traites=_demandes_traitees(*types),
            arrivees=_arrivees("requests.Demande", "cree_le", type_demande__in=types),
            aide=aide,
        )

    files = [
        File(
            cle="revue",
            ouverts=_revue,
            champ_recu="cree_le",
            url=lambda ligne: reverse("claims:revue_detail", kwargs={"pk": ligne.pk}),
            adherent=lambda ligne: ligne.contrat.adherent,
            resume=lambda ligne: f"Décompte {ligne.decompte.numero}-{ligne.numero} — {ligne.motif_revue[:80]}",
            traites=_revue_traites,
            arrivees=_revue_arrivees,
            aide="Lignes qu'une règle envoie en revue : dépassement, montant, accord préalable, renouvellement.",
        ),
        File(
            cle="signalements",
            ouverts=_signalements,
            champ_recu="fichier__recu_le",
            url=lambda rejet: reverse("backoffice:signalement", kwargs={"pk": rejet.pk}),
            adherent=_signalement_adherent,
            resume=lambda rejet: f"{rejet.get_motif_display()} — décompte {rejet.decompte_numero}",
            traites=_signalements_traites,
            arrivees=_arrivees("claims.RejetNoemie", "fichier__recu_le"),
            aide="Actes reçus de la caisse que la mutuelle n'a pas pu rattacher ou liquider.",
        ),
        demandes("prises_en_charge"),
        demandes("documents"),
        demandes("feuilles_soins"),
        demandes("contestations"),
        demandes("rib"),
        demandes("modifications"),
        demandes(
            "contrats",
            aide="Changements de formule et résiliations déposés par les courtiers, avec le document signé.",
        ),
        File(
            cle="quatre_yeux",
            ouverts=_modifications,
            champ_recu="proposee_le",
            url=lambda m: reverse("backoffice:modification", kwargs={"pk": m.pk}),
            adherent=lambda m: m.adherent,
            resume=lambda m: f"{m.libelle} — proposée par {m.proposee_par}",
            traites=_modifications_traitees,
            arrivees=_arrivees("backoffice.ModificationProposee", "proposee_le"),
            aide="Identité, coordonnées, courtier ou paiement d'une cotisation changés par un gestionnaire : "
            "appliqués quand un autre responsable les valide.",
            droit="superviser",
        ),
        File(
            cle="affiliations",
            ouverts=_affiliations,
            champ_recu="cree_le",
            champ_echeance="echeance",
            url=lambda a: reverse("brokers_gestion:affiliation", kwargs={"numero": a.numero}),
            adherent=lambda a: None,
            resume=lambda a: f"{a.numero} — {a.prenom} {a.nom}, {a.formule.libelle} (courtier : {a.courtier.user})",
            traites=_affiliations_traitees,
            arrivees=_arrivees("brokers.Affiliation", "cree_le"),
            aide="Nouvelles adhésions saisies par les courtiers : vérifiez le bulletin signé, acceptez ou refusez.",
        ),
        File(
            cle="messages",
            ouverts=_fils,
            champ_recu="attente_depuis",
            champ_echeance="echeance",
            url=lambda fil: reverse("messaging_gestion:fil", kwargs={"numero": fil.numero}),
            adherent=lambda fil: fil.adherent,
            resume=lambda fil: f"{fil.numero} — {fil.objet}",
            traites=_fils_traites,
            arrivees=_arrivees("messaging.Message", "cree_le", de_la_mutuelle=False),
            aide="Fils de la messagerie qui attendent une réponse de la mutuelle.",
        ),
        File(
            cle="deverrouillages",
            ouverts=_verrouillages,
            champ_recu="attempt_time",
            url=_verrouillage_url,
            adherent=_compte,
            resume=lambda attempt: "Compte verrouillé après des échecs de connexion",
            arrivees=_arrivees("core.AuditLog", "cree_le", action=Action.COMPTE_VERROUILLE),
            aide="Débloquez un compte quand l'adhérent appelle, après avoir vérifié son identité.",
        ),
        File(
            cle="sans_rib",
            ouverts=_sans_rib,
            champ_recu="_attente",
            url=lambda adherent: reverse("backoffice:fiche", kwargs={"numero": adherent.numero}) + "?onglet=paiements",
            adherent=lambda adherent: adherent,
            resume=lambda adherent: "Aucun compte bancaire valide pour verser ses remboursements",
            aide="Adhérents à qui la mutuelle doit un remboursement sans compte valide : à contacter.",
        ),
        File(
            cle="courriers",
            ouverts=_courriers,
            champ_recu="cree_le",
            url=lambda courrier: reverse("accounts_gestion:courriers"),
            adherent=lambda courrier: courrier.adherent,
            resume=lambda courrier: courrier.get_type_courrier_display(),
            prise=False,
            traites=_courriers_traites,
            arrivees=_arrivees("accounts.Courrier", "cree_le"),
            aide="Codes, lettres de bienvenue et relevés papier : imprimés par lots.",
        ),
    ]
    return {f.cle: f for f in files}


FILES: dict[str, File] = _les_files()
