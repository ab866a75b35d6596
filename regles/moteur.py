"""The reimbursement computation: the Sécu's share, then the mutuelle's, with an explanation trace.

Pure Python and ``Decimal`` only. ``liquider(actes)`` takes the acts of ONE beneficiary in order:
the daily and yearly caps on participations forfaitaires and franchises, the guarantees' ceilings
and the optics equipment ceilings apply across them. The order of the computation, the rounding
points and the sources are described in ``docs/regles.md``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from regles.money import ZERO, arrondi, euros
from regles.nomenclature import Nature, natures_par_cle_b2, natures_par_code, split_b2
from regles.parametres import ParametreIndisponible, Parametres, Valeur, parametres
from regles.postes import Poste
from regles.textes import _

CENT = Decimal(100)
ONE = Decimal(1)


class ActeInvalide(ValueError):
    """Input the engine cannot compute; ``champ`` names the field, the message says what to do."""

    def __init__(self, champ: str, message: str) -> None:
        super().__init__(f"{champ} : {message}")
        self.champ = champ
        self.message = message
        self.index = 0  # which act of the list


class TypeGarantie(StrEnum):
    BR = "br"  # taux % of the BR, the Sécu's share included
    FORFAIT = "forfait"  # a fixed amount per act (× quantité)
    FRAIS_REELS = "frais_reels"  # taux % of the amount spent, the Sécu's share included
    CENT_POUR_CENT_SANTE = "100_sante"  # zero out-of-pocket up to the legal price limit


# What the Sécu side calls each poste (its rate, participations and franchises depend on it).
NATURE_AMO: dict[Poste, str] = {
    Poste.CONSULTATION_GENERALISTE: "honoraires",
    Poste.CONSULTATION_SPECIALISTE: "honoraires",
    Poste.ACTES_TECHNIQUES: "honoraires",
    Poste.IMAGERIE: "honoraires",
    Poste.PREVENTION: "honoraires",
    Poste.HOSPITALISATION_HONORAIRES: "honoraires",
    Poste.PHARMACIE_100: "pharmacie_100",
    Poste.PHARMACIE_65: "pharmacie_65",
    Poste.PHARMACIE_30: "pharmacie_30",
    Poste.PHARMACIE_15: "pharmacie_15",
    Poste.LABORATOIRE: "biologie",
    Poste.AUXILIAIRES_MEDICAUX: "auxiliaires",
    Poste.OPTIQUE_VERRES_100_SANTE: "lpp",
    Poste.OPTIQUE_VERRES: "lpp",
    Poste.OPTIQUE_MONTURE_100_SANTE: "lpp",
    Poste.OPTIQUE_MONTURE: "lpp",
    Poste.OPTIQUE_LENTILLES: "lpp",
    Poste.OPTIQUE_AUTRE: "lpp",
    Poste.AUDIO_CLASSE_1: "lpp",
    Poste.AUDIO_CLASSE_2: "lpp",
    Poste.AUDIO_ENTRETIEN: "lpp",
    Poste.MATERIEL_MEDICAL: "lpp",
    Poste.DENTAIRE_SOINS: "dentaire",
    Poste.DENTAIRE_PROTHESE_100_SANTE: "dentaire",
    Poste.DENTAIRE_PROTHESE_TARIF_MAITRISE: "dentaire",
    Poste.DENTAIRE_PROTHESE_TARIF_LIBRE: "dentaire",
    Poste.DENTAIRE_IMPLANTOLOGIE: "dentaire",
    Poste.ORTHODONTIE: "dentaire",
    Poste.HOSPITALISATION_FRAIS_SEJOUR: "hospitalisation",
    Poste.FORFAIT_JOURNALIER: "forfait_journalier",
    Poste.CHAMBRE_PARTICULIERE: "non_rembourse",
    Poste.MEDECINES_DOUCES: "non_rembourse",
    Poste.TRANSPORT: "transport",
    Poste.CURE_THERMALE: "cure",
}
NATURE_LIBELLE = {
    "honoraires": "honoraires des médecins",
    "pharmacie_100": "médicaments à 100 %",
    "pharmacie_65": "médicaments à 65 %",
    "pharmacie_30": "médicaments à 30 %",
    "pharmacie_15": "médicaments à 15 %",
    "biologie": "biologie",
    "auxiliaires": "auxiliaires médicaux",
    "lpp": "dispositifs médicaux (LPP)",
    "dentaire": "soins et prothèses dentaires",
    "hospitalisation": "hospitalisation",
    "forfait_journalier": "forfait journalier, non remboursé par la Sécurité sociale",
    "non_rembourse": "prestation non remboursée par la Sécurité sociale",
    "transport": "transport sanitaire",
    "cure": "cure thermale",
}
# Natures hospitalised care moves to the hospital rate.
HOSPITALISABLES = frozenset({"honoraires", "biologie", "hospitalisation"})
# Participation forfaitaire: doctors' acts, biology and imaging (CSS L160-13 II).
NATURES_PF = frozenset({"honoraires", "biologie"})
# Franchises médicales by nature (CSS L160-13 III): kind, daily cap parameter.
FRANCHISES = {
    "pharmacie_100": ("medicament", None),
    "pharmacie_65": ("medicament", None),
    "pharmacie_30": ("medicament", None),
    "pharmacie_15": ("medicament", None),
    "auxiliaires": ("paramedical", "franchise.paramedical_max_jour"),
    "transport": ("transport", "franchise.transport_max_jour"),
}
# The whole TM must be covered by a contrat responsable, except these (CSS R871-1).
SANS_PLANCHER_TM = frozenset({"pharmacie_30", "pharmacie_15", "cure", "non_rembourse"})
OPTIQUE_EQUIPEMENT = frozenset({Poste.OPTIQUE_VERRES, Poste.OPTIQUE_MONTURE})
# The 100 % Santé baskets: a contrat responsable leaves no reste à charge on them up to the legal
# price limit, whatever its guarantee says (CSS L871-1, R871-2).
CENT_POUR_CENT_SANTE = frozenset(
    {
        Poste.AUDIO_CLASSE_1,
        Poste.OPTIQUE_VERRES_100_SANTE,
        Poste.OPTIQUE_MONTURE_100_SANTE,
        Poste.DENTAIRE_PROTHESE_100_SANTE,
    }
)
CLASSES_OPTIQUE = frozenset("abcdef")
# The equipment the law renews once per period, by family: a pair of glasses (lenses and frame, of
# either class), a hearing aid. Lenses, accessories and maintenance are not "renewed". The last
# equipment of the family paid opens the period (``Moteur.renouvellement``).
FAMILLES_RENOUVELLEMENT: dict[Poste, str] = {
    Poste.OPTIQUE_VERRES: "optique",
    Poste.OPTIQUE_MONTURE: "optique",
    Poste.OPTIQUE_VERRES_100_SANTE: "optique",
    Poste.OPTIQUE_MONTURE_100_SANTE: "optique",
    Poste.AUDIO_CLASSE_1: "audio",
    Poste.AUDIO_CLASSE_2: "audio",
}


@dataclass(frozen=True, slots=True)
class Beneficiaire:
    age: int | None = None
    date_naissance: date | None = None
    ald: bool = False
    css: bool = False
    regime_local: bool = False
    # Already deducted from the person's other reimbursements in the calendar year of the act's care:
    # the yearly caps of the participations forfaitaires and of the franchises count them.
    participations_annee: Decimal = ZERO
    franchises_annee: Decimal = ZERO

    def age_au(self, on: date) -> int | None:
        if self.date_naissance is not None:
            born = self.date_naissance
            return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return self.age


@dataclass(frozen=True, slots=True)
class Praticien:
    secteur: int = 1
    optam: bool = False
    identifiant: str | None = None


@dataclass(frozen=True, slots=True)
class Garantie:
    type: TypeGarantie
    taux: Decimal | None = None  # percent
    montant: Decimal | None = None
    complement: Decimal | None = None  # a fixed amount added to a % of the BR (« 100 % BR + 150 € »), × quantité
    plafond: Decimal | None = None  # the mutuelle's amount over the guarantee's period
    deja_consomme: Decimal = ZERO  # the mutuelle's amount already paid in that period
    plafond_nombre: int | None = None  # how many units (sessions, nights) the guarantee pays per period
    deja_nombre: int = 0  # the units it already paid in that period
    libelle: str = ""
    delai_stage_mois: int = 0
    date_adhesion: date | None = None
    renouvellement_annees: int | None = None
    derniere_prise_en_charge: date | None = None
    # What the same formula pays the same act at an OPTAM practitioner's, in percent of the BR, Sécu
    # included (a ``br`` guarantee): under a contrat responsable, a non-OPTAM doctor's dépassement is
    # covered at least 20 points of BR below that one's (R871-2 3°), act by act.
    taux_optam: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Acte:
    date_soins: date
    code: str
    montant_depense: Decimal
    base_remboursement: Decimal | None = None
    taux_amo: Decimal | None = None  # fraction
    quantite: int = 1
    beneficiaire: Beneficiaire = field(default_factory=Beneficiaire)
    parcours_soins: bool = True
    praticien: Praticien = field(default_factory=Praticien)
    hospitalisation: bool = False
    garantie: Garantie | None = None
    responsable: bool = True
    classe_optique: str | None = None  # a…f: the correction class of a classe B equipment
    # The first day of the hospital stay the line's days belong to (from ``date_soins``, ``quantite``
    # days): the days from the 31st are at 100 %.
    debut_sejour: date | None = None


class Etape(NamedTuple):
    """One step of the explanation: the rule, its parameter and reference, amounts before and after.

    A tuple (cheap to build on the hot path); the French text is rendered when read."""

    regle: str
    parametre: str
    reference: str
    avant: Decimal | None
    apres: Decimal | None
    donnees: tuple[Any, ...] = ()

    @property
    def explication(self) -> str:
        return _render(self)


def _json_default(o: Any) -> Any:
    if type(o) is Decimal:
        return float(o)  # exact for amounts and rates (≤ 15 digits); read back as Decimal
    if isinstance(o, date):
        return {"j": o.isoformat()}
    raise TypeError(f"{type(o).__name__} dans une trace")


class TraceEncoder(json.JSONEncoder):
    """Stores a raw trace (``Resultat.trace_brute``) compactly: tuples become lists, amounts become
    JSON numbers and dates are tagged, so that ``TraceDecoder`` gives them back; the French text is
    rendered when read (``trace_lue``)."""

    def default(self, o: Any) -> Any:
        return _json_default(o)


class TraceDecoder(json.JSONDecoder):
    """Reads numbers with a fraction as ``Decimal``, never as float."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parse_float"] = Decimal
        super().__init__(*args, **kwargs)


def _depuis_json(value: Any) -> Any:
    if isinstance(value, dict):
        return date.fromisoformat(value["j"])
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, list):
        return tuple(_depuis_json(v) for v in value)
    return value


_JSON_TEXTE: dict[str, str] = {}
_JSON_ETAPE: dict[tuple[Any, ...], str] = {}


def _json_valeur(v: Any) -> str:
    t = type(v)
    if t is str:
        try:
            return _JSON_TEXTE[v]
        except KeyError:
            encoded = json.dumps(v, ensure_ascii=False)
            if len(_JSON_TEXTE) < 4096:
                _JSON_TEXTE[v] = encoded
            return encoded
    if t is Decimal:
        text = str(v)  # a JSON number; one with a point or an exponent reads back as Decimal
        return text if "." in text or "E" in text else text + ".0"
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is tuple or t is list:
        return "[" + ",".join([_json_valeur(x) for x in v]) + "]"
    if isinstance(v, date):
        return '{"j":"' + v.isoformat() + '"}'
    raise TypeError(f"{t.__name__} dans une trace")


def trace_json(trace_brute: list[tuple[Any, ...]]) -> str:
    """A raw trace as compact JSON text (what ``TraceEncoder`` writes, faster: steps repeat a lot
    from one act to the next, and each distinct step is encoded once)."""
    parts = []
    for step in trace_brute:
        try:
            encoded = _JSON_ETAPE[step]
        except KeyError:
            encoded = _json_valeur(step)
            if len(_JSON_ETAPE) < 20_000:
                _JSON_ETAPE[step] = encoded
        except TypeError:  # a step holding a list: not cached
            encoded = _json_valeur(step)
        parts.append(encoded)
    return "[" + ",".join(parts) + "]"


def trace_lue(stored: list[list[Any]]) -> list[Etape]:
    """The steps of a trace stored as JSON by ``TraceEncoder`` (read with ``TraceDecoder``)."""
    return [Etape(*(_depuis_json(v) for v in step)) for step in stored]


@dataclass(slots=True)
class Resultat:
    code: str
    libelle: str
    poste: Poste
    base_remboursement: Decimal
    taux_amo: Decimal
    ticket_moderateur: Decimal
    montant_amo: Decimal
    participation_forfaitaire: Decimal
    franchise: Decimal
    depassement: Decimal
    montant_amc: Decimal
    reste_a_charge: Decimal
    trace_brute: list[tuple[Any, ...]]  # Etape fields as plain tuples: cheap on the hot path

    @property
    def trace(self) -> list[Etape]:
        return [Etape._make(step) for step in self.trace_brute]


@dataclass(slots=True)
class _Compteurs:
    """What earlier acts of the same beneficiary consumed (caps apply across them)."""

    pf_jour_pro: dict[tuple[date, str], int] = field(default_factory=lambda: defaultdict(int))
    pf_annee: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    franchise_jour: dict[tuple[date, str], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    franchise_annee: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    garantie: dict[Garantie, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    nombre: dict[Garantie, int] = field(default_factory=lambda: defaultdict(int))
    optique: dict[date, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


def _positif(value: Decimal) -> Decimal:
    return value if value > ZERO else ZERO


def _pct(rate: Decimal) -> str:
    value = (rate * CENT).normalize()
    return f"{value:f}".replace(".", ",") + " %"


def _add_months(on: date, months: int) -> date:
    month = on.month - 1 + months
    year = on.year + month // 12
    month = month % 12 + 1
    day = min(
        on.day,
        [
            31,
            29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][month - 1],
    )
    return date(year, month, day)


ajouter_mois = _add_months


def nature_de(code: str) -> Nature:
    """A B2 letter key (``G``, ``PH7``…) or a numeric PRS_NAT code (``1110``) → its nature."""
    key = code.strip().upper()
    nature = natures_par_code().get(int(key)) if key.isdigit() else natures_par_cle_b2().get(key)
    if nature is None:
        raise ActeInvalide("code", f"code de prestation inconnu « {code} » (clé B2 de la nomenclature IR_NAT_V).")
    return nature


class Moteur:
    """Computes acts with one set of parameters (the project's by default)."""

    def __init__(self, params: Parametres | None = None) -> None:
        self.p = params or parametres()
        self._cache: dict[tuple[str, date], Valeur] = {}  # (parameter, date) → value: dates repeat
        self._natures: dict[str, tuple[Nature, str | None]] = {}
        self.debut = max(prm.valeurs[0].depuis for nom, prm in self.p.tous.items() if not nom.startswith("tarif."))

    # -- public -----------------------------------------------------------------------------------

    def liquider(self, actes: list[Acte]) -> list[Resultat]:
        compteurs = _Compteurs()
        resultats = []
        for index, acte in enumerate(actes):
            try:
                resultats.append(self._liquider(acte, compteurs))
            except ParametreIndisponible as exc:
                error = ActeInvalide("date_soins", str(exc))
                error.index = index
                raise error from None
            except ActeInvalide as exc:
                exc.index = index
                raise
        return resultats

    # -- one act ----------------------------------------------------------------------------------

    def _v(self, nom: str, on: date) -> Valeur:
        key = (nom, on)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self.p.valeur(nom, on)
        return found

    def _liquider(self, a: Acte, c: _Compteurs) -> Resultat:
        on = a.date_soins
        if on < self.debut:
            raise ActeInvalide(
                "date_soins",
                f"les paramètres commencent le {self.debut:%d/%m/%Y} ; {on:%d/%m/%Y} est antérieur.",
            )
        if a.montant_depense < ZERO:
            raise ActeInvalide("montant_depense", "le montant dépensé ne peut pas être négatif.")
        if a.quantite < 1:
            raise ActeInvalide("quantite", "la quantité est un entier supérieur ou égal à 1.")
        known = self._natures.get(a.code)
        if known is None:
            nature = nature_de(a.code)
            known = self._natures[a.code] = (nature, NATURE_AMO.get(nature.poste))
        nature, nat = known
        if nat is None:
            raise ActeInvalide(
                "code",
                f"« {a.code} » ({nature.libelle.lower()}) n'est pas une prestation de soins à liquider.",
            )
        trace: list[tuple[Any, ...]] = []
        spent = a.montant_depense
        age = a.beneficiaire.age_au(on)

        br = self._base(a, nat, nature, trace)
        rate, rate_ref = self._taux(a, nat, trace)
        amo_brut = arrondi(br * rate)
        trace.append(("amo.brut", "", "", br, amo_brut, (br, rate)))
        if a.taux_amo is None and amo_brut < br:
            amo_brut = self._ticket_supprime(a, nat, br, amo_brut, trace)
        tm = br - amo_brut
        amo_ref = amo_brut if rate_ref == rate else arrondi(br * rate_ref)
        majoration = amo_ref - amo_brut if rate_ref > rate else ZERO
        depassement = spent - br if spent > br else ZERO

        pf = self._participation(a, nat, age, amo_brut, c, trace)
        franchise = self._franchise(a, nat, age, amo_brut - pf, c, trace)
        montant_amo = amo_brut - pf - franchise

        amc = self._amc(a, nature, nat, age, br, amo_brut, amo_ref, majoration, montant_amo, c, trace)
        reste = spent - montant_amo - amc
        trace.append(("reste", "", "", spent, reste, (spent, montant_amo, amc)))
        return Resultat(
            code=a.code.upper(),
            libelle=nature.libelle,
            poste=nature.poste,
            base_remboursement=br,
            taux_amo=rate,
            ticket_moderateur=tm,
            montant_amo=montant_amo,
            participation_forfaitaire=pf,
            franchise=franchise,
            depassement=depassement,
            montant_amc=amc,
            reste_a_charge=reste,
            trace_brute=trace,
        )

    def _base(self, a: Acte, nat: str, nature: Nature, trace: list[tuple[Any, ...]]) -> Decimal:
        on, spent = a.date_soins, a.montant_depense
        if a.base_remboursement is not None:
            if a.base_remboursement < 0:
                raise ActeInvalide("base_remboursement", "la base de remboursement ne peut pas être négative.")
            br = a.base_remboursement
            trace.append(("base.transmise", "", "", None, br, (br,)))
        elif nat == "forfait_journalier":
            v = self._v("forfait_journalier", on)
            br = v.valeur * a.quantite
            trace.append(
                (
                    "base.forfait_journalier",
                    "forfait_journalier",
                    v.reference,
                    None,
                    br,
                    (v.valeur, a.quantite),
                )
            )
        elif nat == "non_rembourse":
            br = ZERO
            trace.append(("base.non_rembourse", "", "", None, br, ()))
        else:
            key = a.code.strip().upper()
            if key.isdigit():  # a numeric PRS_NAT code: tariffs are kept by B2 letter key
                key = split_b2(nature.code_b2)[0].upper() if nature.code_b2 else key
            try:
                v = self._v(f"tarif.{key}", on)
            except ParametreIndisponible:
                raise ActeInvalide(
                    "base_remboursement",
                    f"aucun tarif connu pour le code {key} au {on:%d/%m/%Y} : indiquez la base de remboursement.",
                ) from None
            br = arrondi(v.valeur * a.quantite)
            trace.append(("base.tarif", f"tarif.{key}", v.reference, None, br, (key, v.valeur, a.quantite, on)))
        if br > spent:
            trace.append(("base.frais_reels", "", "CSS art. L160-13", br, spent, ()))
            br = spent
        return br

    def _taux(self, a: Acte, nat: str, trace: list[tuple[Any, ...]]) -> tuple[Decimal, Decimal]:
        """The AMO rate applied, and the in-parcours rate a contrat responsable reasons from."""
        on = a.date_soins
        if a.taux_amo is not None:
            if not ZERO <= a.taux_amo <= ONE:
                raise ActeInvalide("taux_amo", "le taux de la Sécurité sociale est une fraction entre 0 et 1.")
            rate = a.taux_amo
            trace.append(("taux.transmis", "", "", None, rate, (rate,)))
            ref = rate
            if nat == "honoraires" and not a.parcours_soins and not a.hospitalisation:
                ref = max(rate, self._v("taux.honoraires", on).valeur)
            return rate, ref
        key = "hospitalisation" if a.hospitalisation and nat in HOSPITALISABLES else nat
        v = self._v(f"taux.{key}", on)
        rate, nom, ref_legal = v.valeur, f"taux.{key}", v.reference
        if a.beneficiaire.regime_local:
            local = self._v("taux.regime_local", on)
            if key in local.valeur:
                rate, nom, ref_legal = local.valeur[key], "taux.regime_local", local.reference
        trace.append(("taux.nature", nom, ref_legal, None, rate, (NATURE_LIBELLE.get(key, key), rate)))
        ref = rate
        if nat == "honoraires" and not a.parcours_soins and not a.hospitalisation:
            hp = self._v("taux.hors_parcours", on)
            rate = hp.valeur
            trace.append(("taux.hors_parcours", "taux.hors_parcours", hp.reference, ref, rate, (rate,)))
        if a.beneficiaire.ald and nat not in {"non_rembourse", "forfait_journalier"}:
            ald = self._v("taux.ald", on)
            trace.append(("taux.ald", "taux.ald", ald.reference, rate, ald.valeur, ()))
            rate = ald.valeur
            ref = max(ref, rate)
        return rate, ref

    def _ticket_supprime(self, a: Acte, nat: str, br: Decimal, amo: Decimal, trace: list[tuple[Any, ...]]) -> Decimal:
        """Where the law removes the ticket modérateur (the Sécu's rate was computed here, not sent):
        the days of a stay from its 31st, and a doctor's « heavy » act (tariff ≥ 120 €), for which a
        lump-sum participation (24 €) replaces it. The frais de séjour of a stay with a heavy act come
        in the Sécu's own file (NOEMIE), which says what it paid."""
        on = a.date_soins
        if a.debut_sejour is not None and a.hospitalisation and nat in HOSPITALISABLES:
            v = self._v("hospitalisation.exoneration_jour", on)
            premier = a.debut_sejour + timedelta(days=int(v.valeur) - 1)
            fin = on + timedelta(days=a.quantite)  # the day after the line's last
            jours = max(0, min(a.quantite, (fin - max(premier, on)).days))
            if jours:
                complement = arrondi((br - amo) * jours / a.quantite)
                trace.append(
                    (
                        "amo.exoneration_31e_jour",
                        "hospitalisation.exoneration_jour",
                        v.reference,
                        amo,
                        amo + complement,
                        (int(v.valeur), jours, a.quantite),
                    )
                )
                amo += complement
        if nat == "honoraires":
            seuil = self._v("participation_actes_lourds.seuil", on)
            if br >= seuil.valeur * a.quantite:
                forfait = self._v("participation_actes_lourds.montant", on)
                nouveau = max(amo, br - forfait.valeur * a.quantite)
                if nouveau > amo:
                    trace.append(
                        (
                            "amo.acte_lourd",
                            "participation_actes_lourds.montant",
                            forfait.reference,
                            amo,
                            nouveau,
                            (seuil.valeur, forfait.valeur * a.quantite),
                        )
                    )
                    amo = nouveau
        return amo

    def _exonere(self, a: Acte, age: int | None, quoi: str, trace: list[tuple[Any, ...]]) -> bool:
        on = a.date_soins
        if a.hospitalisation:
            trace.append(("exoneration.hospitalisation", "", "CSS art. R160-20, D160-12", None, None, (quoi,)))
            return True
        majorite = self._v("exoneration.age_majorite", on)
        if age is not None and age < majorite.valeur:
            trace.append(
                (
                    "exoneration.mineur",
                    "exoneration.age_majorite",
                    majorite.reference,
                    None,
                    None,
                    (quoi, majorite.valeur),
                )
            )
            return True
        if a.beneficiaire.css:
            trace.append(("exoneration.css", "", "CSS art. L160-15", None, None, (quoi,)))
            return True
        return False

    def _participation(
        self, a: Acte, nat: str, age: int | None, amo_brut: Decimal, c: _Compteurs, trace: list[tuple[Any, ...]]
    ) -> Decimal:
        if nat not in NATURES_PF or amo_brut <= 0 or self._exonere(a, age, "participation forfaitaire", trace):
            return ZERO
        on = a.date_soins
        unit = self._v("participation_forfaitaire.montant", on)
        pf = unit.valeur
        ident = (a.praticien.identifiant or "").strip()
        if ident:
            maxi = self._v("participation_forfaitaire.max_par_jour_professionnel", on)
            if c.pf_jour_pro[(on, ident)] >= maxi.valeur:
                trace.append(
                    (
                        "pf.max_jour",
                        "participation_forfaitaire.max_par_jour_professionnel",
                        maxi.reference,
                        pf,
                        ZERO,
                        (maxi.valeur,),
                    )
                )
                return ZERO
            c.pf_jour_pro[(on, ident)] += 1
        plafond = self._v("participation_forfaitaire.plafond_annuel", on)
        reste_annee = plafond.valeur - c.pf_annee[on.year] - a.beneficiaire.participations_annee
        if pf > reste_annee:
            trace.append(
                (
                    "pf.plafond_annuel",
                    "participation_forfaitaire.plafond_annuel",
                    plafond.reference,
                    pf,
                    _positif(reste_annee),
                    (plafond.valeur, on.year),
                )
            )
            pf = _positif(reste_annee)
        pf = min(pf, amo_brut)
        c.pf_annee[on.year] += pf
        if pf:
            trace.append(("pf", "participation_forfaitaire.montant", unit.reference, amo_brut, amo_brut - pf, (pf,)))
        return pf

    def _franchise(
        self, a: Acte, nat: str, age: int | None, amo_dispo: Decimal, c: _Compteurs, trace: list[tuple[Any, ...]]
    ) -> Decimal:
        spec = FRANCHISES.get(nat)
        if spec is None or amo_dispo <= 0 or self._exonere(a, age, "franchise médicale", trace):
            return ZERO
        kind, daily_name = spec
        on = a.date_soins
        unit = self._v(f"franchise.{kind}", on)
        f = unit.valeur * a.quantite
        if daily_name is not None:
            daily = self._v(daily_name, on)
            reste_jour = daily.valeur - c.franchise_jour[(on, kind)]
            if f > reste_jour:
                trace.append(
                    (
                        "franchise.max_jour",
                        daily_name,
                        daily.reference,
                        f,
                        _positif(reste_jour),
                        (daily.valeur,),
                    )
                )
                f = _positif(reste_jour)
        plafond = self._v("franchise.plafond_annuel", on)
        reste_annee = plafond.valeur - c.franchise_annee[on.year] - a.beneficiaire.franchises_annee
        if f > reste_annee:
            trace.append(
                (
                    "franchise.plafond_annuel",
                    "franchise.plafond_annuel",
                    plafond.reference,
                    f,
                    _positif(reste_annee),
                    (plafond.valeur, on.year),
                )
            )
            f = _positif(reste_annee)
        if f > amo_dispo:
            trace.append(("franchise.part_amo", "", "CSS art. D160-9", f, amo_dispo, ()))
            f = amo_dispo
        if daily_name is not None:
            c.franchise_jour[(on, kind)] += f
        c.franchise_annee[on.year] += f
        if f:
            trace.append(
                (
                    "franchise",
                    f"franchise.{kind}",
                    unit.reference,
                    amo_dispo,
                    amo_dispo - f,
                    (f, kind, unit.valeur, a.quantite),
                )
            )
        return f

    # -- the mutuelle's share ---------------------------------------------------------------------

    def _amc(
        self,
        a: Acte,
        nature: Nature,
        nat: str,
        age: int | None,
        br: Decimal,
        amo_brut: Decimal,
        amo_ref: Decimal,
        majoration: Decimal,
        montant_amo: Decimal,
        c: _Compteurs,
        trace: list[tuple[Any, ...]],
    ) -> Decimal:
        g = a.garantie
        on, spent, poste = a.date_soins, a.montant_depense, nature.poste
        if g is None:
            trace.append(("amc.sans_garantie", "", "", None, ZERO, ()))
            return ZERO
        if g.delai_stage_mois and g.date_adhesion is not None:
            fin_stage = _add_months(g.date_adhesion, g.delai_stage_mois)
            if on < fin_stage:
                trace.append(("amc.delai_stage", "", "", None, ZERO, (g.delai_stage_mois, fin_stage)))
                return ZERO
        if g.derniere_prise_en_charge is not None:
            annees, ref = self._renouvellement(a, g, poste, age)
            if annees and on < _add_months(g.derniere_prise_en_charge, 12 * annees):
                trace.append(
                    (
                        "amc.renouvellement",
                        "",
                        ref,
                        None,
                        ZERO,
                        (
                            annees,
                            g.derniere_prise_en_charge,
                            _add_months(g.derniere_prise_en_charge, 12 * annees),
                        ),
                    )
                )
                return ZERO

        # 1. What the guarantee promises.
        if g.type == TypeGarantie.BR:
            taux = self._taux_garantie(g)
            cible = arrondi(br * taux / CENT)
            amc = cible - amo_ref
            trace.append(("amc.br", "", "", None, _positif(amc), (g.libelle, taux, br, cible, amo_ref)))
            if g.complement:
                if g.complement < 0:
                    raise ActeInvalide("garantie.complement", "le forfait en complément ne peut pas être négatif.")
                avant, amc = _positif(amc), _positif(amc) + g.complement * a.quantite
                trace.append(("amc.complement", "", "", avant, amc, (g.libelle, g.complement, a.quantite)))
        elif g.type == TypeGarantie.FRAIS_REELS:
            taux = self._taux_garantie(g)
            cible = arrondi(spent * taux / CENT)
            amc = cible - amo_ref
            trace.append(("amc.frais_reels", "", "", None, _positif(amc), (g.libelle, taux, spent, cible, amo_ref)))
        elif g.type == TypeGarantie.FORFAIT:
            if g.montant is None or g.montant < 0:
                raise ActeInvalide("garantie.montant", "indiquez le montant positif du forfait.")
            amc = g.montant * a.quantite
            trace.append(("amc.forfait", "", "", None, amc, (g.libelle, g.montant, a.quantite)))
        else:
            prix = spent
            limite = self._prix_limite(poste, on)
            if limite is not None and spent > limite.valeur * a.quantite:
                prix = limite.valeur * a.quantite
                trace.append(
                    (
                        "amc.100_sante.prix_limite",
                        f"cent_pour_cent_sante.{poste.value}.prix_limite",
                        limite.reference,
                        spent,
                        prix,
                        (),
                    )
                )
            amc = prix - amo_brut
            trace.append(("amc.100_sante", "", "CSS art. L871-1", None, _positif(amc), (prix, amo_brut)))
        amc = _positif(amc)

        # 2. What a contrat responsable may not exceed.
        if a.responsable:
            amc = self._plafonds_responsable(a, nat, poste, br, amo_brut, amo_ref, majoration, amc, c, trace)

        # 3. The guarantee's own limits over its period: a number of units (sessions, nights), then an amount.
        pris = a.quantite
        if g.plafond_nombre is not None:
            deja_n = g.deja_nombre + c.nombre[g]
            pris = min(a.quantite, max(g.plafond_nombre - deja_n, 0))
            if pris < a.quantite:
                limite = arrondi(amc * pris / a.quantite)
                trace.append(
                    ("amc.plafond_nombre", "", "", amc, limite, (g.libelle, g.plafond_nombre, deja_n, pris, a.quantite))
                )
                amc = limite
        if g.plafond is not None:
            deja = g.deja_consomme + c.garantie[g]
            dispo = _positif(g.plafond - deja)
            if amc > dispo:
                trace.append(("amc.plafond_garantie", "", "", amc, dispo, (g.libelle, g.plafond, deja)))
                amc = dispo

        # 4. The floor of a contrat responsable: the whole ticket modérateur (forfait journalier in full).
        if a.responsable:
            plancher = ZERO
            if nat == "forfait_journalier":
                plancher = br
            elif nat not in SANS_PLANCHER_TM:
                plancher = br - amo_ref
            plancher = min(plancher, _positif(spent - amo_ref))
            if amc < plancher:
                trace.append(("amc.plancher_tm", "", "CSS art. R871-1", amc, plancher, (nat,)))
                amc = plancher
            # 100 % Santé: no reste à charge up to the price limit, whatever the guarantee typed.
            if poste in CENT_POUR_CENT_SANTE:
                limite = self._prix_limite(poste, on)
                prix = min(spent, limite.valeur * a.quantite) if limite is not None else spent
                plancher = _positif(prix - amo_brut)
                if amc < plancher:
                    nom = f"cent_pour_cent_sante.{poste.value}.prix_limite" if limite is not None else ""
                    ref = (limite.reference + " ; " if limite is not None else "") + "CSS art. L871-1, R871-2"
                    trace.append(("amc.plancher_100_sante", nom, ref, amc, plancher, (prix, amo_brut)))
                    amc = plancher

        # 5. Never more than what was spent (principe indemnitaire).
        maxi = spent - (amo_brut + majoration if a.responsable else montant_amo)
        maxi = _positif(maxi)
        if amc > maxi:
            trace.append(("amc.indemnitaire", "", "Code de la mutualité art. L224-8", amc, maxi, (a.responsable,)))
            amc = maxi
        amc = arrondi(amc)
        if g.plafond is not None:
            c.garantie[g] += amc
        if g.plafond_nombre is not None and amc > ZERO:
            c.nombre[g] += pris
        if poste in OPTIQUE_EQUIPEMENT and a.classe_optique:
            c.optique[on] += amo_brut + amc
        return amc

    def _taux_garantie(self, g: Garantie) -> Decimal:
        if g.taux is None or g.taux < 0:
            raise ActeInvalide("garantie.taux", "indiquez le taux de la garantie en pourcentage (par exemple 100).")
        return g.taux

    def _prix_limite(self, poste: Poste, on: date):
        try:
            return self._v(f"cent_pour_cent_sante.{poste.value}.prix_limite", on)
        except ParametreIndisponible:
            return None

    def _renouvellement(self, a: Acte, g: Garantie, poste: Poste, age: int | None) -> tuple[int, str]:
        return self.renouvellement(
            poste, age, a.date_soins, contrat_annees=g.renouvellement_annees, responsable=a.responsable
        )

    def renouvellement(
        self,
        poste: Poste,
        age: int | None,
        on: date,
        *,
        contrat_annees: int | None = None,
        responsable: bool = True,
    ) -> tuple[int, str]:
        """How many years an equipment of ``poste`` waits before it is paid again, and the reference:
        glasses every 2 years, every year under 16 (CSS R871-2), hearing aids every 4 years. A
        contract may be more generous (shorter), never less; on other postes it may set its own.
        (0, "") when nothing limits it. The one rule for the liquidation and the ceilings page."""
        famille = FAMILLES_RENOUVELLEMENT.get(poste)
        if famille is None or not responsable:
            # The legal periods are conditions of a contrat responsable; another contract has only
            # its own.
            return (contrat_annees, "") if contrat_annees else (0, "")
        if famille == "optique":
            name = (
                "renouvellement.optique_annees_moins_16"
                if age is not None and age < 16
                else "renouvellement.optique_annees"
            )
        else:
            name = "renouvellement.audio_annees"
        v = self._v(name, on)
        legal = int(v.valeur)
        if contrat_annees and contrat_annees < legal:
            return contrat_annees, ""
        return legal, v.reference

    def _plafonds_responsable(
        self,
        a: Acte,
        nat: str,
        poste: Poste,
        br: Decimal,
        amo_brut: Decimal,
        amo_ref: Decimal,
        majoration: Decimal,
        amc: Decimal,
        c: _Compteurs,
        trace: list[tuple[Any, ...]],
    ) -> Decimal:
        on = a.date_soins
        if nat == "honoraires" and a.praticien.secteur == 2 and not a.praticien.optam:
            v = self._v("responsable.non_optam.plafond_depassement", on)
            cap = (br - amo_ref) + arrondi(br * v.valeur)
            if amc > cap:
                trace.append(
                    (
                        "responsable.non_optam",
                        "responsable.non_optam.plafond_depassement",
                        v.reference,
                        amc,
                        cap,
                        (v.valeur,),
                    )
                )
                amc = cap
            g = a.garantie
            if g is not None and g.taux_optam is not None:
                ecart = self._v("responsable.non_optam.ecart_optam", on)
                # The OPTAM dépassement cover, less the gap: never below the ticket modérateur alone.
                optam = _positif(g.taux_optam / CENT - 1 - ecart.valeur)
                cap = (br - amo_ref) + arrondi(br * optam)
                if amc > cap:
                    trace.append(
                        (
                            "responsable.non_optam_ecart",
                            "responsable.non_optam.ecart_optam",
                            ecart.reference,
                            amc,
                            cap,
                            (g.taux_optam / CENT, ecart.valeur),
                        )
                    )
                    amc = cap
        if poste == Poste.OPTIQUE_MONTURE:
            v = self._v("responsable.optique.plafond_monture", on)
            cap = _positif(v.valeur * a.quantite - amo_brut)
            if amc > cap:
                trace.append(
                    (
                        "responsable.monture",
                        "responsable.optique.plafond_monture",
                        v.reference,
                        amc,
                        cap,
                        (v.valeur,),
                    )
                )
                amc = cap
        if poste in OPTIQUE_EQUIPEMENT and a.classe_optique:
            classe = a.classe_optique.strip().lower()
            if classe not in CLASSES_OPTIQUE:
                raise ActeInvalide("classe_optique", "classe de correction attendue : a, b, c, d, e ou f.")
            v = self._v("responsable.optique.plafond_equipement", on)
            plafond = v.valeur[classe]
            cap = _positif(plafond - c.optique[on] - amo_brut)
            if amc > cap:
                trace.append(
                    (
                        "responsable.equipement",
                        "responsable.optique.plafond_equipement",
                        v.reference,
                        amc,
                        cap,
                        (classe, plafond, c.optique[on]),
                    )
                )
                amc = cap
        if poste == Poste.AUDIO_CLASSE_2:
            v = self._v("responsable.audio.plafond_classe_2", on)
            if v.valeur is not None:
                cap = _positif(v.valeur * a.quantite - amo_brut)
                if amc > cap:
                    trace.append(
                        (
                            "responsable.audio",
                            "responsable.audio.plafond_classe_2",
                            v.reference,
                            amc,
                            cap,
                            (v.valeur,),
                        )
                    )
                    amc = cap
        if majoration > 0:
            cap = _positif(a.montant_depense - amo_brut - majoration)
            trace.append(
                (
                    "responsable.hors_parcours",
                    "taux.hors_parcours",
                    "CSS art. L871-1, R871-1",
                    None,
                    None,
                    (majoration,),
                )
            )
            amc = min(amc, cap)
        return amc


# -- French explanations --------------------------------------------------------------------------


def _e(value: object) -> str:
    return euros(value) if isinstance(value, Decimal) else str(value)


def _motive(texte: str, motif: str) -> str:
    """A handler's decision with its motif, as one sentence. The motif is the handler's own words,
    quoted as written (in French on an English page too, like a guarantee's wording)."""
    motif = motif.strip().rstrip(".").strip()
    phrase = f"{texte} : « {motif} »" if motif else texte
    return phrase + "."


def _render(step: Etape) -> str:
    """The step as one sentence, in the language the host installed (``regles.textes``; French
    by default): amounts and rates keep their French form."""
    d = step.donnees
    r = step.regle
    apres, avant = _e(step.apres), _e(step.avant)
    if r == "base.transmise":
        return _("Base de remboursement transmise : {base}.").format(base=_e(d[0]))
    if r == "base.tarif":
        key, unit, qty, on = d
        qte = f" × {qty}" if qty != 1 else ""
        return _("Base de remboursement : tarif {cle} en vigueur le {le}, {unite}{qte} = {base}.").format(
            cle=key, le=f"{on:%d/%m/%Y}", unite=_e(unit), qte=qte, base=apres
        )
    if r == "base.forfait_journalier":
        return _("Forfait journalier hospitalier : {forfait} × {jours} jour(s) = {total}.").format(
            forfait=_e(d[0]), jours=d[1], total=apres
        )
    if r == "base.non_rembourse":
        return _("La Sécurité sociale ne rembourse pas cette prestation : base de remboursement nulle.")
    if r == "base.frais_reels":
        return _(
            "La Sécurité sociale rembourse dans la limite des frais exposés : base ramenée de {avant} à {apres}."
        ).format(avant=avant, apres=apres)
    if r == "taux.transmis":
        return _("Taux de la Sécurité sociale transmis : {taux}.").format(taux=_pct(d[0]))
    if r == "taux.nature":
        return _("Taux de la Sécurité sociale pour {nature} : {taux}.").format(nature=d[0], taux=_pct(d[1]))
    if r == "taux.hors_parcours":
        return _(
            "Hors parcours de soins coordonnés, le taux passe à {taux} ; la majoration du ticket "
            "modérateur reste à votre charge."
        ).format(taux=_pct(d[0]))
    if r == "taux.ald":
        return _("Soins en rapport avec une affection de longue durée : la Sécurité sociale prend en charge 100 %.")
    if r == "amo.brut":
        return _("Part de la Sécurité sociale avant déductions : {base} × {taux} = {part}.").format(
            base=_e(d[0]), taux=_pct(d[1]), part=apres
        )
    if r.startswith("exoneration."):
        quoi = {
            "participation forfaitaire": _("participation forfaitaire"),
            "franchise médicale": _("franchise médicale"),
        }.get(str(d[0]), str(d[0]))
        if r == "exoneration.hospitalisation":
            return _("Pas de {quoi} pendant une hospitalisation.").format(quoi=quoi)
        if r == "exoneration.mineur":
            return _("Pas de {quoi} pour les moins de {age} ans.").format(quoi=quoi, age=d[1] if len(d) > 1 else 18)
        return _("Pas de {quoi} pour les bénéficiaires de la Complémentaire santé solidaire.").format(quoi=quoi)
    if r == "pf":
        return _(
            "Participation forfaitaire de {montant} déduite par la Sécurité sociale ; elle reste à votre "
            "charge (un contrat responsable ne la rembourse pas)."
        ).format(montant=_e(d[0]))
    if r == "pf.max_jour":
        return _(
            "Plus de {nombre} participations forfaitaires le même jour chez ce professionnel : aucune n'est due."
        ).format(nombre=d[0])
    if r == "pf.plafond_annuel":
        return _("Plafond annuel des participations forfaitaires ({plafond} en {annee}) : {montant} déduits.").format(
            plafond=_e(d[0]), annee=d[1], montant=apres
        )
    if r == "franchise":
        quoi = {"medicament": _("boîte"), "paramedical": _("acte"), "transport": _("trajet")}[str(d[1])]
        return _(
            "Franchise médicale de {montant} ({unite} par {quoi} × {nombre}) déduite par la Sécurité "
            "sociale ; elle reste à votre charge."
        ).format(montant=_e(d[0]), unite=_e(d[2]), quoi=quoi, nombre=d[3])
    if r == "franchise.max_jour":
        return _("Plafond journalier des franchises ({plafond}) : ramenée de {avant} à {apres}.").format(
            plafond=_e(d[0]), avant=avant, apres=apres
        )
    if r == "franchise.plafond_annuel":
        return _("Plafond annuel des franchises ({plafond} en {annee}) : ramenée à {apres}.").format(
            plafond=_e(d[0]), annee=d[1], apres=apres
        )
    if r == "franchise.part_amo":
        return _("Une franchise ne dépasse jamais la part de la Sécurité sociale.")
    if r == "amc.sans_garantie":
        return _("Aucune garantie de la mutuelle ne couvre cet acte.")
    if r == "amc.delai_stage":
        return _("Délai de stage de {mois} mois : garantie ouverte à partir du {le}.").format(
            mois=d[0], le=f"{d[1]:%d/%m/%Y}"
        )
    if r == "amc.renouvellement":
        return _(
            "Renouvellement limité à un tous les {annees} an(s) : dernière prise en charge le {derniere}, "
            "prochaine possible le {prochaine}."
        ).format(annees=d[0], derniere=f"{d[1]:%d/%m/%Y}", prochaine=f"{d[2]:%d/%m/%Y}")
    if r == "amc.br":
        libelle, taux, _br, cible, amo_ref = d
        return _(
            "Garantie {nom}: {taux} de la base de remboursement, Sécurité sociale incluse, "
            "soit {cible} ; moins la part de la Sécurité sociale ({amo}) : {part}."
        ).format(nom=_nom(libelle), taux=_pct(taux / CENT), cible=_e(cible), amo=_e(amo_ref), part=apres)
    if r == "amc.complement":
        libelle, montant, qty = d
        qte = f" × {qty}" if qty != 1 else ""
        return _("Garantie {nom}: forfait de {montant}{qte} en plus du pourcentage de la base : {part}.").format(
            nom=_nom(libelle), montant=_e(montant), qte=qte, part=apres
        )
    if r == "amc.frais_reels":
        libelle, taux, spent, cible, amo_ref = d
        return _(
            "Garantie {nom}: {taux} des frais réels ({depense}), soit {cible} ; moins la "
            "part de la Sécurité sociale ({amo}) : {part}."
        ).format(
            nom=_nom(libelle), taux=_pct(taux / CENT), depense=_e(spent), cible=_e(cible), amo=_e(amo_ref), part=apres
        )
    if r == "amc.forfait":
        libelle, montant, qty = d
        qte = f" × {qty}" if qty != 1 else ""
        return _("Garantie {nom}: forfait de {montant}{qte}.").format(nom=_nom(libelle), montant=_e(montant), qte=qte)
    if r == "amc.100_sante.prix_limite":
        return _("Prix limite de vente de l'équipement 100 % Santé : {prix}.").format(prix=apres)
    if r == "amc.100_sante":
        return _(
            "100 % Santé : la mutuelle complète jusqu'au prix ({prix}) après la part de la Sécurité "
            "sociale ({amo}) : {part}."
        ).format(prix=_e(d[0]), amo=_e(d[1]), part=apres)
    if r == "responsable.non_optam":
        return _(
            "Contrat responsable, médecin non adhérent OPTAM : dépassement pris en charge dans la limite de "
            "{taux} de la base, soit au plus {part}."
        ).format(taux=_pct(d[0]), part=apres)
    if r == "amo.exoneration_31e_jour":
        if d[1] > 1:
            phrase = _(
                "Hospitalisation : à partir du {jour}e jour, le ticket modérateur est supprimé "
                "({jours} jours sur {total}) : la Sécurité sociale prend en charge {part}."
            )
        else:
            phrase = _(
                "Hospitalisation : à partir du {jour}e jour, le ticket modérateur est supprimé "
                "({jours} jour sur {total}) : la Sécurité sociale prend en charge {part}."
            )
        return phrase.format(jour=d[0], jours=d[1], total=d[2], part=apres)
    if r == "amo.acte_lourd":
        return _(
            "Acte d'un tarif d'au moins {seuil} : une participation forfaitaire de {forfait} remplace le "
            "ticket modérateur ; la Sécurité sociale prend en charge {part}."
        ).format(seuil=_e(d[0]), forfait=_e(d[1]), part=apres)
    if r == "responsable.non_optam_ecart":
        return _(
            "Contrat responsable, médecin non adhérent OPTAM : dépassement pris en charge au moins "
            "{ecart} de la base en dessous de ce que la formule paie chez un médecin OPTAM "
            "({optam} de la base), soit au plus {part}."
        ).format(ecart=_pct(d[1]), optam=_pct(d[0]), part=apres)
    if r == "responsable.monture":
        return _(
            "Contrat responsable : monture prise en charge dans la limite de {plafond} Sécurité sociale incluse."
        ).format(plafond=_e(d[0]))
    if r == "responsable.equipement":
        return _(
            "Contrat responsable : équipement de classe {classe} plafonné à {plafond} Sécurité sociale incluse "
            "(déjà pris en charge ce jour : {deja}) : {part}."
        ).format(classe=d[0], plafond=_e(d[1]), deja=_e(d[2]), part=apres)
    if r == "responsable.audio":
        return _(
            "Contrat responsable : aide auditive plafonnée à {plafond} par oreille, Sécurité sociale incluse."
        ).format(plafond=_e(d[0]))
    if r == "responsable.hors_parcours":
        return _(
            "Contrat responsable : la majoration hors parcours de soins ({montant}) n'est pas remboursée "
            "par la mutuelle."
        ).format(montant=_e(d[0]))
    if r == "amc.plafond_garantie":
        libelle, plafond, deja = d
        return _(
            "Plafond de la garantie {nom}: {plafond} par période, déjà consommé {deja} → {part} pris en charge."
        ).format(nom=_nom(libelle), plafond=_e(plafond), deja=_e(deja), part=apres)
    if r == "amc.plafond_nombre":
        libelle, plafond, deja, pris, qty = d
        return _(
            "Limite de la garantie {nom}: {plafond} par période, déjà {deja} pris en charge → "
            "{pris} sur {quantite} cette fois, soit {part}."
        ).format(nom=_nom(libelle), plafond=plafond, deja=deja, pris=pris, quantite=qty, part=apres)
    if r == "amc.correction":
        numero, ancien = d
        return _(
            "Correction après votre contestation n° {numero} : part de la mutuelle portée de {avant} à "
            "{apres}, soit {ecart} de plus."
        ).format(numero=numero, avant=_e(ancien), apres=apres, ecart=_e(step.apres - ancien))
    if r == "amc.ajustement":
        qui, motif = d
        return _motive(
            _("Part de la mutuelle ajustée par {qui} de {avant} à {apres}").format(qui=qui, avant=avant, apres=apres),
            motif,
        )
    if r == "amc.rejet":
        qui, motif = d
        return (
            _motive(_("Acte refusé par {qui}").format(qui=qui), motif)
            + " "
            + _("La mutuelle ne rembourse pas cet acte.")
        )
    if r == "amc.plancher_100_sante":
        return _(
            "Équipement 100 % Santé et contrat responsable : aucun reste à charge jusqu'au prix de {prix}, "
            "la mutuelle complète la part de la Sécurité sociale ({amo}) : {part}."
        ).format(prix=_e(d[0]), amo=_e(d[1]), part=apres)
    if r == "amc.plancher_tm":
        return _("Contrat responsable : le ticket modérateur est toujours couvert, soit au moins {part}.").format(
            part=apres
        )
    if r == "amc.indemnitaire":
        if d[0]:
            phrase = _(
                "La Sécurité sociale et la mutuelle ensemble ne remboursent jamais plus que la dépense (hors "
                "participation forfaitaire et franchises, qui restent à votre charge). Part de la mutuelle "
                "ramenée à {part}."
            )
        else:
            phrase = _(
                "La Sécurité sociale et la mutuelle ensemble ne remboursent jamais plus que la dépense. Part de "
                "la mutuelle ramenée à {part}."
            )
        return phrase.format(part=apres)
    if r == "reste":
        spent, amo, amc = d
        return _("Reste à votre charge : {depense} − {amo} (Sécurité sociale) − {amc} (mutuelle) = {reste}.").format(
            depense=_e(spent), amo=_e(amo), amc=_e(amc), reste=apres
        )
    return r


def _nom(libelle: str) -> str:
    """« label » and a space, before the colon of a guarantee's sentence; nothing without a label.
    A label that is a poste's name (most are) reads in the host's language; the mutuelle's own
    wording stays as written."""
    return f"« {_(libelle)} » " if libelle else ""


_moteur: Moteur | None = None


def liquider(actes: list[Acte]) -> list[Resultat]:
    """Compute the acts of one beneficiary, in order, with the project's parameters."""
    global _moteur
    if _moteur is None:
        _moteur = Moteur()
    return _moteur.liquider(actes)
