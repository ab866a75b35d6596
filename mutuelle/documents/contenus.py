"""What each document says, read from the member's own family only.

Each builder returns a ``Contenu``: the template, the title, the template context, and what the
document row keeps (its parameters, validity and, for the card, a signature of what it prints). A
document that cannot be issued raises ``DocumentIndisponible`` with a sentence for the member.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutuelle.claims.models import LigneRemboursement
from mutuelle.claims.selectors_famille import lignes_famille, pour_liste, totaux
from mutuelle.core.calendrier import plus_mois
from mutuelle.documents.mise_en_page import variantes_carte
from mutuelle.documents.models import TypeDocument
from mutuelle.formules.models import Formule, Garantie
from mutuelle.members.models import (
    Adherent,
    Beneficiaire,
    Contrat,
    Cotisation,
    DroitPeriode,
    ModePaiement,
    TypeDroit,
)
from mutuelle.members.selectors import (
    beneficiaires_couverts,
    contrat_en_cours,
    contrat_formule_en_vigueur,
    contrats_famille,
    garanties_en_vigueur,
)
from mutuelle.members.services import rib_actif
from regles.money import ZERO
from regles.moteur import TypeGarantie
from regles.postes import Poste

ATTESTATION_MOIS = 3  # an attestation de droits is valid 3 months
RELEVE_DUREE_MAX = timedelta(days=3 * 366)


class DocumentIndisponible(Exception):
    """The document cannot be issued now; the message says why, for the member."""


@dataclass
class Contenu:
    type_document: str
    template: str
    titre: str | Promise  # lazy: written in the member's language by ``document_emettre``
    contexte: dict[str, Any]
    parametres: dict[str, Any] = field(default_factory=dict)
    contrat: Contrat | None = None
    valide_du: date | None = None
    valide_jusqu_au: date | None = None
    signature: str = ""
    # Layouts to try in order (context overlays), each with the page count it must render to; the
    # last is kept whatever its count. Empty: the template alone.
    variantes: list[dict[str, Any]] = field(default_factory=list)


# -- shared reads ------------------------------------------------------------------------------------


def _formule(contrat: Contrat, on: date) -> Formule:
    formule = contrat_formule_en_vigueur(contrat=contrat, on=on)
    if formule is None:
        raise DocumentIndisponible(_("Aucune formule n'est en vigueur sur votre contrat aujourd'hui : appelez-nous."))
    return formule


def _contrat_actif(adherent: Adherent, on: date) -> Contrat:
    contrat = contrat_en_cours(adherent, on)
    if contrat is None:
        raise DocumentIndisponible(_("Vous n'avez pas de contrat en cours : ce document ne peut pas être établi."))
    return contrat


def initiales(prenom: str, nom: str) -> str:
    def une(mot: str) -> str:
        # At most three parts of a compound name (« M.-B.-A. »): the field holds 40 characters.
        parties = [p for p in mot.replace("'", " ").split("-") if p.strip()][:3]
        return "-".join(f"{p.strip()[0].upper()}." for p in parties) if parties else ""

    return f"{une(prenom)} {une(nom)}".strip()


# -- the tiers-payant card ---------------------------------------------------------------------------

# Domains printed on the card (the harmonised card's abbreviations), with the postes whose guarantee
# gives the rate shown; the first poste with a guarantee wins.
DOMAINES_TIERS_PAYANT: list[tuple[str, Any, list[Poste]]] = [
    ("PHAR", gettext_lazy("Pharmacie"), [Poste.PHARMACIE_65, Poste.PHARMACIE_30, Poste.PHARMACIE_100]),
    ("MED", gettext_lazy("Médecins"), [Poste.CONSULTATION_GENERALISTE]),
    ("RADL", gettext_lazy("Radiologie"), [Poste.IMAGERIE]),
    ("LABO", gettext_lazy("Laboratoire"), [Poste.LABORATOIRE]),
    ("AUXM", gettext_lazy("Auxiliaires médicaux"), [Poste.AUXILIAIRES_MEDICAUX]),
    ("HOSP", gettext_lazy("Hospitalisation"), [Poste.HOSPITALISATION_FRAIS_SEJOUR, Poste.HOSPITALISATION_HONORAIRES]),
    ("OPTI", gettext_lazy("Optique"), [Poste.OPTIQUE_VERRES, Poste.OPTIQUE_VERRES_100_SANTE]),
    ("DENT", gettext_lazy("Dentaire"), [Poste.DENTAIRE_SOINS, Poste.DENTAIRE_PROTHESE_100_SANTE]),
    ("AUDI", gettext_lazy("Audioprothèses"), [Poste.AUDIO_CLASSE_2, Poste.AUDIO_CLASSE_1]),
    ("TRAN", gettext_lazy("Transport"), [Poste.TRANSPORT]),
]


def _taux_carte(garantie: Garantie) -> str:
    """The rate a practitioner reads on the card: the % of the BR, or PEC (ask the mutuelle for a
    prise en charge) for lump sums and real costs."""
    if garantie.type_garantie == TypeGarantie.BR and garantie.taux is not None:
        return f"{garantie.taux.normalize():f} %"
    if garantie.type_garantie == TypeGarantie.CENT_POUR_CENT_SANTE:
        return "100 % Santé"
    return "PEC"


def _taux_code(taux: str) -> str:
    """The rate in the 2D code, ASCII only (scanners read bytes): "150 %" → "150", "100 % Santé" → "100S"."""
    if taux == "100 % Santé":
        return "100S"
    return taux.removesuffix(" %")


def domaines_tiers_payant(formule: Formule, on: date) -> list[tuple[str, str, str]]:
    par_poste: dict[str, Garantie] = {}
    rang = {"tous": 0, "optam": 1, "non_optam": 2}  # the card shows the rate for a secteur 1 / OPTAM practitioner
    for g in sorted(garanties_en_vigueur(formule=formule, on=on), key=lambda g: (g.poste, rang.get(g.praticien, 9))):
        par_poste.setdefault(g.poste, g)
    domaines = []
    for code, libelle, postes in DOMAINES_TIERS_PAYANT:
        garantie = next((par_poste[p.value] for p in postes if p.value in par_poste), None)
        if garantie is not None:
            domaines.append((code, libelle, _taux_carte(garantie)))
    return domaines


def donnees_carte(
    mutuelle: Any,
    adherent: Adherent,
    *,
    du: date,
    au: date,
    formule: Formule,
    beneficiaires: list[Beneficiaire],
    domaines: list[tuple[str, str, str]],
) -> str:
    """The 2D code's data: what a practitioner's software reads instead of typing the card (ASCII)."""
    return "|".join(
        [
            "CTP1",
            f"AMC={mutuelle.numero_amc}",
            f"TC={mutuelle.type_convention}",
            f"CR={mutuelle.critere_routage or mutuelle.numero_amc}",
            f"ADH={adherent.numero}",
            f"DU={du:%Y%m%d}",
            f"AU={au:%Y%m%d}",
            f"R={1 if formule.responsable else 0}",
            "B=" + ";".join(f"{b.nir},{b.rang_gemellaire},{b.date_naissance:%Y%m%d}" for b in beneficiaires),
            "D=" + ";".join(f"{code}:{_taux_code(taux)}" for code, _, taux in domaines),
        ]
    )


def carte_tiers_payant(adherent: Adherent, mutuelle: Any, *, on: date | None = None) -> Contenu:
    on = on or timezone.localdate()
    contrat = _contrat_actif(adherent, on)
    formule = _formule(contrat, on)
    du = max(contrat.date_debut, date(on.year, 1, 1))
    au = date(on.year, 12, 31)
    if contrat.date_fin is not None:
        au = min(au, contrat.date_fin)
    telephone = mutuelle.telephone_professionnels or mutuelle.telephone
    beneficiaires = beneficiaires_couverts(contrat, on)
    domaines = domaines_tiers_payant(formule, on)
    donnees = donnees_carte(
        mutuelle, adherent, du=du, au=au, formule=formule, beneficiaires=beneficiaires, domaines=domaines
    )
    # What the card prints, in the language it is printed in: a change of either issues a new card.
    imprime = (
        donnees + "|" + ";".join(f"{b.prenom} {b.nom}" for b in beneficiaires) + f"|{formule.libelle}|{adherent.langue}"
    )
    return Contenu(
        type_document=TypeDocument.CARTE_TIERS_PAYANT,
        template="documents/pdf/carte_tiers_payant.html",
        titre=format_lazy(gettext_lazy("Carte de tiers payant {du} – {au}"), du=f"{du:%d/%m/%Y}", au=f"{au:%d/%m/%Y}"),
        contexte={
            "contrat": contrat,
            "formule": formule,
            "beneficiaires": beneficiaires,
            "domaines": domaines,
            "du": du,
            "au": au,
            "donnees": donnees,
            "telephone": telephone,
            "verso_titre": format_lazy(
                gettext_lazy("{nom} — carte de tiers payant de l'adhérent n° {numero} (verso)"),
                nom=mutuelle.nom_court,
                numero=adherent.numero,
            ),
            "verso_pied": format_lazy(
                gettext_lazy("Professionnels de santé, prises en charge : {telephone}."), telephone=telephone
            ),
        },
        parametres={"du": du.isoformat(), "au": au.isoformat()},
        contrat=contrat,
        valide_du=du,
        valide_jusqu_au=au,
        signature=hashlib.sha256(imprime.encode()).hexdigest(),
        variantes=[
            v.contexte()
            for v in variantes_carte(
                [f"{b.nom} {b.prenom}" for b in beneficiaires], [f"{code} {libelle}" for code, libelle, _ in domaines]
            )
        ],
    )


# -- attestation de droits ---------------------------------------------------------------------------


def attestation_droits(adherent: Adherent, mutuelle: Any, *, on: date | None = None) -> Contenu:
    on = on or timezone.localdate()
    contrat = _contrat_actif(adherent, on)
    formule = _formule(contrat, on)
    beneficiaires = beneficiaires_couverts(contrat, on)
    droits: dict[int, list[DroitPeriode]] = defaultdict(list)
    for d in DroitPeriode.objects.filter(beneficiaire__in=beneficiaires).order_by("date_debut"):
        droits[d.beneficiaire_id].append(d)
    garanties = list(garanties_en_vigueur(formule=formule, on=on).order_by("poste", "praticien"))
    ordre = {p.value: i for i, p in enumerate(Poste)}
    garanties.sort(key=lambda g: (ordre.get(g.poste, 999), g.praticien))
    au = plus_mois(on, ATTESTATION_MOIS)
    return Contenu(
        type_document=TypeDocument.ATTESTATION_DROITS,
        template="documents/pdf/attestation_droits.html",
        titre=format_lazy(gettext_lazy("Attestation de droits du {le}"), le=f"{on:%d/%m/%Y}"),
        contexte={
            "contrat": contrat,
            "formule": formule,
            "personnes": [(b, droits.get(b.pk, [])) for b in beneficiaires],
            "garanties": garanties,
            "le": on,
            "au": au,
        },
        parametres={"le": on.isoformat()},
        contrat=contrat,
        valide_du=on,
        valide_jusqu_au=au,
    )


# -- attestation fiscale -----------------------------------------------------------------------------


def annees_fiscales(adherent: Adherent, *, on: date | None = None) -> list[int]:
    """Past years with premiums paid, newest first (a year's attestation exists from 1 January after)."""
    on = on or timezone.localdate()
    dates = Cotisation.objects.filter(
        contrat__in=contrats_famille(adherent), montant_paye__gt=0, date_paiement__year__lt=on.year
    ).dates("date_paiement", "year", order="DESC")
    return [d.year for d in dates]


def attestation_fiscale(adherent: Adherent, mutuelle: Any, *, annee: int, on: date | None = None) -> Contenu:
    on = on or timezone.localdate()
    if annee >= on.year:
        raise DocumentIndisponible(
            _("L'attestation fiscale de %(annee)s sera disponible à partir du 1er janvier %(suivante)s.")
            % {"annee": annee, "suivante": annee + 1}
        )
    cotisations = list(
        Cotisation.objects.filter(
            contrat__in=contrats_famille(adherent), montant_paye__gt=0, date_paiement__year=annee
        ).order_by("date_paiement", "echeance")
    )
    if not cotisations:
        raise DocumentIndisponible(
            _("Aucune cotisation n'a été payée en %(annee)s : il n'y a pas d'attestation à établir.") % {"annee": annee}
        )
    total = sum((c.montant_paye for c in cotisations), ZERO)
    return Contenu(
        type_document=TypeDocument.ATTESTATION_FISCALE,
        template="documents/pdf/attestation_fiscale.html",
        titre=format_lazy(gettext_lazy("Attestation fiscale {annee}"), annee=annee),
        contexte={"annee": annee, "cotisations": cotisations, "total": total, "le": on},
        parametres={"annee": annee},
        contrat=cotisations[-1].contrat,
    )


# -- relevé de prestations ---------------------------------------------------------------------------


@dataclass
class GroupeReleve:
    nom: str
    lignes: list[LigneRemboursement]
    total: Any


def releve(adherent: Adherent, mutuelle: Any, *, du: date, au: date, on: date | None = None) -> Contenu:
    on = on or timezone.localdate()
    if du > au:
        raise DocumentIndisponible(_("La date de début doit précéder la date de fin."))
    if au - du > RELEVE_DUREE_MAX:
        raise DocumentIndisponible(_("Un relevé couvre au plus trois ans : choisissez une période plus courte."))
    if du > on:
        raise DocumentIndisponible(_("La période choisie commence dans le futur."))
    qs = lignes_famille(adherent).filter(date_soins__gte=du, date_soins__lte=au)
    # The same rows as the member's list: who gave the care is named, as on the screen.
    lignes = list(pour_liste(qs).order_by("date_soins", "pk"))
    groupes: dict[tuple, list[LigneRemboursement]] = defaultdict(list)
    for ligne in lignes:
        b = ligne.beneficiaire
        groupes[(b.prenom, b.nom, b.date_naissance)].append(ligne)
    par_personne = [
        GroupeReleve(f"{prenom} {nom}", ls, totaux(qs.filter(beneficiaire_id__in={x.beneficiaire_id for x in ls})))
        for (prenom, nom, _), ls in sorted(groupes.items(), key=lambda kv: kv[0][2])
    ]
    return Contenu(
        type_document=TypeDocument.RELEVE,
        template="releve.typ",  # set by Typst: a long table in a fraction of WeasyPrint's time
        titre=format_lazy(
            gettext_lazy("Relevé de prestations du {du} au {au}"), du=f"{du:%d/%m/%Y}", au=f"{au:%d/%m/%Y}"
        ),
        contexte={"du": du, "au": au, "groupes": par_personne, "total": totaux(qs), "nb": len(lignes), "le": on},
        parametres={"du": du.isoformat(), "au": au.isoformat()},
    )


# -- bulletin d'adhésion -----------------------------------------------------------------------------


def bulletin(adherent: Adherent, mutuelle: Any, *, on: date | None = None) -> Contenu:
    on = on or timezone.localdate()
    contrat = contrat_en_cours(adherent, on) or contrats_famille(adherent).order_by("-date_debut").first()
    if contrat is None:
        raise DocumentIndisponible(_("Aucun contrat n'est enregistré à votre nom."))
    formule = contrat_formule_en_vigueur(contrat=contrat, on=contrat.date_debut)
    tous = sorted(contrat.beneficiaires.all(), key=lambda b: (b.date_entree, b.date_naissance, b.pk))
    premiere = Cotisation.objects.filter(contrat=contrat).order_by("echeance").first()
    return Contenu(
        type_document=TypeDocument.BULLETIN,
        template="documents/pdf/bulletin.html",
        titre=format_lazy(gettext_lazy("Bulletin d'adhésion — contrat {numero}"), numero=contrat.numero),
        contexte={
            "contrat": contrat,
            "formule": formule,
            "signes": [b for b in tous if b.date_entree <= contrat.date_debut],
            "ajoutes": [b for b in tous if b.date_entree > contrat.date_debut],
            # The label itself (lazy): the document is written in the member's language.
            "mode_paiement": ModePaiement(premiere.mode_paiement).label if premiere else "",
            "iban_masque": rib.iban_masque if (rib := rib_actif(adherent)) else "",
            "le": on,
        },
        parametres={"contrat": contrat.numero},
        contrat=contrat,
    )


# -- ACS / CSS history -------------------------------------------------------------------------------


def aides(adherent: Adherent, mutuelle: Any, *, on: date | None = None) -> Contenu:
    on = on or timezone.localdate()
    periodes = list(
        DroitPeriode.objects.filter(
            beneficiaire__contrat__in=contrats_famille(adherent), type_droit__in=[TypeDroit.ACS, TypeDroit.CSS]
        )
        .select_related("beneficiaire")
        .order_by("date_debut", "beneficiaire__date_naissance")
    )
    if not periodes:
        raise DocumentIndisponible(_("Aucune période d'ACS ou de Complémentaire santé solidaire n'est enregistrée."))
    return Contenu(
        type_document=TypeDocument.AIDES,
        template="documents/pdf/aides.html",
        titre=gettext_lazy("Attestation des périodes d'ACS et de CSS"),
        contexte={"periodes": periodes, "le": on},
    )


def a_des_aides(adherent: Adherent) -> bool:
    return DroitPeriode.objects.filter(
        beneficiaire__contrat__in=contrats_famille(adherent), type_droit__in=[TypeDroit.ACS, TypeDroit.CSS]
    ).exists()
