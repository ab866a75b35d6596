"""A quote beside its payment: the line of a devis the mutuelle quoted (a saved estimate, a prior
approval) and the act the Sécu later sent for it, with the reasons for any difference.

Matching, one to one: a quote line matches a decided act (paid, validated, « sans objet » or rejected)
of the same person and the same poste whose date of care falls between the day of the quote and 180
days after the planned date: the one billed what the devis said, else the one nearest the planned date,
taking the quotes in the order they were made. It is computed over
all the acts of those people and postes, not over the page being shown, so a line's quote does not
depend on which page reads it. A quote whose prior approval was refused is not compared.

The reasons are read from the two explanations (the stored traces), never guessed: a different amount
billed or base, a ceiling or a renewal consumed in between, the waiting period, another guarantee, a
legal parameter whose value differs between the planned date and the date of care, a handler's
adjustment or rejection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from mutuelle.claims.models import LigneRemboursement, Statut
from mutuelle.requests.models import Decision, LigneDevisDemande
from regles.money import euros
from regles.moteur import Etape
from regles.parametres import ParametreIndisponible, parametres

DECIDES = (Statut.PAYE, Statut.VALIDE, Statut.SANS_OBJET, Statut.REJETE)
FENETRE = timedelta(days=180)

# A step of the paid act's explanation that cut more than the quote's, and what it means.
_LIMITES = {
    "amc.plafond_garantie": gettext_noop(
        "le plafond de la garantie était en partie consommé par des soins remboursés entre-temps"
    ),
    "amc.plafond_nombre": gettext_noop(
        "le nombre d'actes pris en charge sur la période était en partie atteint entre-temps"
    ),
    "amc.renouvellement": gettext_noop(
        "un équipement remboursé entre-temps n'ouvrait pas encore droit au renouvellement"
    ),
    "amc.delai_stage": gettext_noop("le délai de stage n'était pas écoulé à la date des soins"),
}


@dataclass(frozen=True)
class Comparaison:
    devis: LigneDevisDemande
    ligne: LigneRemboursement

    @property
    def estime(self) -> Decimal:
        return self.devis.mutuelle

    @property
    def paye(self) -> Decimal:
        return self.ligne.montant_amc

    @property
    def ecart(self) -> Decimal:
        return self.paye - self.estime

    @property
    def source(self) -> str:
        demande = self.devis.demande
        if demande is not None:
            return _("votre demande de prise en charge n° %(numero)s") % {"numero": demande.numero}
        return _("votre estimation du %(le)s") % {"le": f"{timezone.localtime(self.devis.cree_le):%d/%m/%Y}"}

    def raisons(self) -> list[str]:
        """Why the amount paid differs from the quote, as the two explanations say (reads the act's
        trace: for a detail page, not for every row of a list)."""
        if self.ecart == 0:
            return []
        return _raisons(self.devis, self.ligne)


def comparaisons(lignes: Iterable[LigneRemboursement]) -> dict[int, Comparaison]:
    """The quote of each decided line that has one, by line id (one query for the quotes, one for the
    acts they are matched against)."""
    lignes = [ligne for ligne in lignes if ligne.statut in DECIDES]
    if not lignes:
        return {}
    personnes = {ligne.beneficiaire_id for ligne in lignes}
    postes = {ligne.poste for ligne in lignes}
    devis = list(
        LigneDevisDemande.objects.filter(beneficiaire_id__in=personnes, poste__in=postes)
        .exclude(demande__decision=Decision.REFUS)
        .select_related("demande")
        .order_by("cree_le", "pk")
    )
    if not devis:
        return {}
    debut = min(timezone.localtime(d.cree_le).date() for d in devis)
    candidats: dict[tuple[int, str], list[tuple[Any, Decimal, int]]] = defaultdict(list)
    for pk, beneficiaire_id, poste, date_soins, depense in (
        LigneRemboursement.objects.filter(
            beneficiaire_id__in=personnes, poste__in=postes, statut__in=DECIDES, date_soins__gte=debut
        )
        .order_by("date_soins", "pk")
        .values_list("pk", "beneficiaire_id", "poste", "date_soins", "montant_depense")
    ):
        candidats[(beneficiaire_id, poste)].append((date_soins, depense, pk))
    pris: dict[int, LigneDevisDemande] = {}
    for d in devis:
        du, au = timezone.localtime(d.cree_le).date(), d.date_soins + FENETRE
        possibles = [
            (depense != d.montant, abs((date_soins - d.date_soins).days), date_soins, pk)
            for date_soins, depense, pk in candidats.get((d.beneficiaire_id or 0, d.poste), ())
            if pk not in pris and du <= date_soins <= au
        ]
        if possibles:
            # The act billed what the devis said, else the one nearest the planned date.
            pris[min(possibles)[-1]] = d
    return {ligne.pk: Comparaison(pris[ligne.pk], ligne) for ligne in lignes if ligne.pk in pris}


def _par_regle(etapes: list[Etape]) -> dict[str, Etape]:
    return {e.regle: e for e in etapes}


def _coupe(etape: Etape | None) -> Decimal:
    """What a limiting step took off the mutuelle's share."""
    if etape is None or etape.avant is None or etape.apres is None:
        return Decimal(0)
    return max(etape.avant - etape.apres, Decimal(0))


def _raisons(devis: LigneDevisDemande, ligne: LigneRemboursement) -> list[str]:
    paye, estime = _par_regle(ligne.etapes), _par_regle(devis.etapes)
    raisons: list[str] = []
    decision = paye.get("amc.rejet") or paye.get("amc.ajustement")
    if decision is not None:
        motif = decision.donnees[1] if len(decision.donnees) > 1 else ""
        if decision.regle == "amc.rejet":
            raisons.append(_("l'acte a été rejeté : %(motif)s") % {"motif": motif})
        else:
            raisons.append(_("la mutuelle a ajusté le montant : %(motif)s") % {"motif": motif})
    if ligne.montant_depense != devis.montant:
        raisons.append(
            _("le montant facturé est de %(facture)s, le devis indiquait %(devis)s")
            % {"facture": euros(ligne.montant_depense), "devis": euros(devis.montant)}
        )
    if ligne.montant_amo != devis.secu:
        raisons.append(
            _("la Sécurité sociale a remboursé %(secu)s sur une base de %(base)s (estimé : %(estime)s)")
            % {
                "secu": euros(ligne.montant_amo),
                "base": euros(ligne.base_remboursement),
                "estime": euros(devis.secu),
            }
        )
    for regle, texte in _LIMITES.items():
        if _coupe(paye.get(regle)) > _coupe(estime.get(regle)) or (regle in paye and regle not in estime):
            raisons.append(_(texte))
    if devis.garantie_id is not None and ligne.garantie_id != devis.garantie_id:
        raisons.append(_("la garantie en vigueur à la date des soins n'est pas celle de l'estimation"))
    raisons += _parametres_changes(devis, ligne, [*estime.values(), *paye.values()])
    if not raisons and devis.parametres and devis.parametres != parametres().version:
        raisons.append(_("les paramètres légaux du calcul ont été mis à jour depuis l'estimation"))
    if not raisons:
        raisons.append(_("le détail du calcul ci-dessous montre l'étape qui diffère"))
    return raisons


def _parametres_changes(devis: LigneDevisDemande, ligne: LigneRemboursement, etapes: list[Etape]) -> list[str]:
    """The legal parameters either computation used (the act's Sécu share comes from the Sécu's file,
    the quote's from the parameters) whose value is not the same on the planned date and on the date
    of care."""
    if devis.date_soins == ligne.date_soins:
        return []
    tous = parametres()
    raisons = []
    for nom in sorted({e.parametre for e in etapes if e.parametre}):
        try:
            avant, apres = tous.valeur(nom, devis.date_soins), tous.valeur(nom, ligne.date_soins)
        except ParametreIndisponible:
            continue
        if avant.valeur != apres.valeur:
            raisons.append(
                _("« %(parametre)s » n'est pas le même le %(prevu)s et le %(soins)s (%(reference)s)")
                % {
                    "parametre": tous.parametre(nom).description or nom,
                    "prevu": f"{devis.date_soins:%d/%m/%Y}",
                    "soins": f"{ligne.date_soins:%d/%m/%Y}",
                    "reference": apres.reference,
                }
            )
    return raisons
