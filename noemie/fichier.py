"""Reading and writing NOEMIE-style files, driven by the layout table.

``lire(lines)`` is a streaming parser: it holds one décompte at a time, whatever the file's size,
and yields the header, then each décompte with its beneficiaries and acts, then the file's closing
record. Any defect raises ``NoemieErreur`` naming the line, the record type, the field and what was
expected: wrong length, unknown record, bad value, NIR key, order, counts or totals that do not
match the closing records, a truncated file. A caller that must reject a defective file whole reads
it to the end (``verifier``) before writing anything.

``ecrire(out, entete, decomptes)`` writes the same layout and computes every closing record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from noemie.layout import Layout, decoder, encoder, layout
from regles.nir import NirInvalide, nir_check

ZERO = Decimal("0.00")


class NoemieErreur(ValueError):
    def __init__(self, ligne: int, enregistrement: str, champ: str, message: str) -> None:
        where = f"ligne {ligne}"
        if enregistrement:
            where += f", enregistrement {enregistrement}"
        if champ:
            where += f", champ {champ}"
        super().__init__(f"{where} : {message}")
        self.ligne = ligne
        self.enregistrement = enregistrement
        self.champ = champ
        self.message = message


class Enregistrement(dict[str, Any]):
    """One decoded record: its fields by ER_PRS_F name (a dict: the hot paths of the ingestion read
    some fifty fields per act, and a dict's own lookup costs no Python call), its type and line."""

    __slots__ = ("code", "ligne")

    def __init__(self, code: str, ligne: int, valeurs: dict[str, Any]) -> None:
        super().__init__(valeurs)
        self.code = code
        self.ligne = ligne

    def __repr__(self) -> str:
        return f"Enregistrement({self.code!r}, ligne {self.ligne}, {dict.__repr__(self)})"


@dataclass(slots=True)
class BeneficiaireLu:
    enregistrement: Enregistrement
    actes: list[Enregistrement] = field(default_factory=list)


@dataclass(slots=True)
class DecompteLu:
    enregistrement: Enregistrement
    beneficiaires: list[BeneficiaireLu] = field(default_factory=list)
    brut: list[str] = field(default_factory=list)  # the décompte's lines as read, 100 to 190

    @property
    def actes(self) -> Iterator[tuple[BeneficiaireLu, Enregistrement]]:
        for beneficiaire in self.beneficiaires:
            for acte in beneficiaire.actes:
                yield beneficiaire, acte


@dataclass(slots=True)
class _Totaux:
    actes: int = 0
    paye: Decimal = ZERO
    rembourse: Decimal = ZERO

    def ajouter(self, acte: Enregistrement) -> None:
        self.actes += 1
        self.paye += acte["PRS_PAI_MNT"]
        self.rembourse += acte["BSE_REM_MNT"]


def _decode_line(spec: Layout, numero: int, brut: str) -> Enregistrement:
    """The reference decoder: field by field, with the message naming what was expected."""
    if len(brut) != spec.longueur:
        raise NoemieErreur(numero, brut[:3], "", f"longueur {len(brut)} au lieu de {spec.longueur} caractères")
    code = brut[:3]
    record = spec.enregistrements.get(code)
    if record is None:
        raise NoemieErreur(numero, code, "TYP_ENR", f"type d'enregistrement inconnu « {code} »")
    valeurs: dict[str, Any] = {}
    for champ in record.champs:
        try:
            valeurs[champ.nom] = decoder(champ, brut[champ.debut : champ.fin])
        except ValueError as exc:
            raise NoemieErreur(numero, code, champ.nom, f"attendu {exc}") from None
    return Enregistrement(code, numero, valeurs)


# -- the fast path ----------------------------------------------------------------------------------
# One compiled regular expression per record type checks every digit field of a line at once; the
# values are then converted without further checks. A line the fast path cannot take (any defect) is
# decoded again by ``_decode_line``, which raises the precise error. Dates repeat a lot: they are
# converted once and kept.

CACHE_MAX = 4096  # entries per cache: a few hundred kB each at most, whatever the file's size
_DATES: dict[str, date | None] = {}


def _date(texte: str) -> date | None:
    try:
        return _DATES[texte]
    except KeyError:
        pass
    value = None if texte == "00000000" else date(int(texte[:4]), int(texte[4:6]), int(texte[6:8]))
    if len(_DATES) < CACHE_MAX:
        _DATES[texte] = value
    return value


_MONTANTS: dict[str, Decimal] = {}
_TAUX: dict[str, Decimal] = {}


def _montant(texte: str) -> Decimal:
    try:
        return _MONTANTS[texte]  # zeros and usual prices repeat: Decimals are immutable, shared safely
    except KeyError:
        value = Decimal(int(texte)).scaleb(-2)
        if len(_MONTANTS) < CACHE_MAX:
            _MONTANTS[texte] = value
        return value


def _taux(texte: str) -> Decimal:
    try:
        return _TAUX[texte]
    except KeyError:
        value = Decimal(int(texte)).scaleb(-4)
        if len(_TAUX) < CACHE_MAX:
            _TAUX[texte] = value
        return value


_NIRS: dict[str, str] = {}


def _nir(texte: str) -> str:
    try:
        return _NIRS[texte]
    except KeyError:
        pass
    value = nir_check(texte)  # raises NirInvalide: never cached
    if len(_NIRS) < CACHE_MAX:
        _NIRS[texte] = value
    return value


_CONVERTIR: dict[str, Callable[[str], Any]] = {
    "N": int,
    "A": str.rstrip,
    "D": _date,
    "M": _montant,
    "R": _taux,
    "B": lambda texte: texte == "1",
    "C": _nir,
}
_MOTIF = {"N": r"\d", "D": r"\d", "M": r"\d", "R": r"\d", "B": "[01]", "A": ".", "C": "."}
# The fields the structure checks need: what a quick verification pass decodes of each record.
STRUCTURE = frozenset(
    {"TYP_ENR", "PRS_ORD_NUM", "PRS_PAI_MNT", "BSE_REM_MNT", "BEN_NIR", "BEN_RNG_GEM", "BEN_NAI_DTE", "NBR_BEN"}
    | {"NBR_ACT", "NBR_DCT", "TOT_PAI_MNT", "TOT_REM_MNT", "DCT_ORD_NUM"}
)


@dataclass(frozen=True, slots=True)
class _Compile:
    motif: re.Pattern[str]
    tous: tuple[tuple[str, int, int, Callable[[str], Any]], ...]
    structure: tuple[tuple[str, int, int, Callable[[str], Any]], ...]
    dates: tuple[tuple[int, int], ...]  # checked even when not kept


_COMPILES: dict[int, tuple[Layout, dict[str, _Compile]]] = {}


def _compiler(spec: Layout) -> dict[str, _Compile]:
    known = _COMPILES.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    compiled = {}
    for code, record in spec.enregistrements.items():
        pattern = "".join(f"{_MOTIF[c.type]}{{{c.longueur}}}" for c in record.champs)
        reste = spec.longueur - record.champs[-1].fin
        motif = re.compile(pattern + f".{{{reste}}}", re.ASCII | re.DOTALL)
        tous = tuple((c.nom, c.debut, c.fin, _CONVERTIR[c.type]) for c in record.champs)
        structure = tuple(item for item in tous if item[0] in STRUCTURE)
        dates = tuple((c.debut, c.fin) for c in record.champs if c.type == "D")
        compiled[code] = _Compile(motif, tous, structure if code in {"200", "300"} else tous, dates)
    _COMPILES[id(spec)] = (spec, compiled)
    return compiled


def _decode_vite(
    spec: Layout, compiled: dict[str, _Compile], numero: int, brut: str, complet: bool, verifie: bool = False
) -> Enregistrement:
    """``verifie``: the line comes from a file already checked whole (a lot): its digits are not
    matched again, only converted."""
    c = compiled.get(brut[:3])
    if c is not None and len(brut) == spec.longueur and (verifie or c.motif.fullmatch(brut)):
        try:
            if complet:
                return Enregistrement(brut[:3], numero, {nom: f(brut[a:b]) for nom, a, b, f in c.tous})
            for a, b in c.dates:
                _date(brut[a:b])
            return Enregistrement(brut[:3], numero, {nom: f(brut[a:b]) for nom, a, b, f in c.structure})
        except (ValueError, NirInvalide):
            pass
    return _decode_line(spec, numero, brut)  # raises the precise error


def _check(fin: Enregistrement, champ: str, attendu: Any, quoi: str) -> None:
    if fin[champ] != attendu:
        raise NoemieErreur(fin.ligne, fin.code, champ, f"{quoi} annoncé {fin[champ]} mais {attendu} lu dans le fichier")


def lire(
    lignes: Iterable[bytes | str],
    spec: Layout | None = None,
    *,
    complet: bool = True,
    fragment: bool = False,
    premiere_ligne: int = 1,
) -> Iterator[Enregistrement | DecompteLu]:
    """Yield the header (``Enregistrement`` 000), each ``DecompteLu``, then the closing 999.

    Everything is checked either way; with ``complet=False`` the acts and beneficiaries keep only
    the fields the structure checks need (a quick verification pass). ``fragment=True`` reads a run
    of whole décomptes cut from a file already verified (a lot): no header, no closing record."""
    spec = spec or layout()
    compiled = _compiler(spec)
    precedent: str | None = "000" if fragment else None
    numero = premiere_ligne - 1
    decompte: DecompteLu | None = None
    beneficiaire: BeneficiaireLu | None = None
    t_ben, t_dct, t_fic = _Totaux(), _Totaux(), _Totaux()
    nb_ben = nb_dct = 0
    fini = False
    for numero, raw in enumerate(lignes, start=premiere_ligne):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("ascii")
            except UnicodeDecodeError:
                raise NoemieErreur(numero, "", "", "caractère non ASCII : le fichier doit être en ASCII") from None
        brut = raw.rstrip("\r\n")
        if fini:
            raise NoemieErreur(numero, brut[:3], "", "enregistrement après la fin de fichier (999)")
        if fragment and brut[:3] in {"299", "190"}:
            rec = Enregistrement(brut[:3], numero, {})  # their totals were checked with the whole file
        else:
            rec = _decode_vite(spec, compiled, numero, brut, complet, fragment)
        if decompte is not None:
            decompte.brut.append(brut)
        if rec.code not in spec.ordre.get(precedent, frozenset()):
            attendus = ", ".join(sorted(spec.ordre.get(precedent, frozenset()))) or "aucun"
            raise NoemieErreur(
                numero, rec.code, "TYP_ENR", f"enregistrement {rec.code} inattendu ici (attendu : {attendus})"
            )
        precedent = rec.code
        if rec.code == "000":
            yield rec
        elif rec.code == "100":
            decompte = DecompteLu(rec, [], [brut])
            t_dct, nb_ben = _Totaux(), 0
            numeros: set[int] = set()
        elif rec.code == "200":
            assert decompte is not None
            beneficiaire = BeneficiaireLu(rec)
            decompte.beneficiaires.append(beneficiaire)
            t_ben = _Totaux()
            nb_ben += 1
        elif rec.code == "300":
            assert beneficiaire is not None
            if rec["PRS_ORD_NUM"] in numeros:
                raise NoemieErreur(
                    numero, "300", "PRS_ORD_NUM", f"numéro de ligne {rec['PRS_ORD_NUM']} déjà utilisé dans ce décompte"
                )
            numeros.add(rec["PRS_ORD_NUM"])
            beneficiaire.actes.append(rec)
            if not fragment:  # a fragment comes from a file whose totals were checked whole
                for t in (t_ben, t_dct, t_fic):
                    t.ajouter(rec)
        elif fragment and rec.code in {"299", "190"}:
            if rec.code == "190":
                assert decompte is not None
                yield decompte
                decompte = beneficiaire = None
        elif rec.code == "299":
            _check(rec, "NBR_ACT", t_ben.actes, "nombre d'actes")
            _check(rec, "TOT_PAI_MNT", t_ben.paye, "total dépensé")
            _check(rec, "TOT_REM_MNT", t_ben.rembourse, "total remboursé")
        elif rec.code == "190":
            assert decompte is not None
            _check(rec, "NBR_BEN", nb_ben, "nombre de bénéficiaires")
            _check(rec, "NBR_ACT", t_dct.actes, "nombre d'actes")
            _check(rec, "TOT_PAI_MNT", t_dct.paye, "total dépensé")
            _check(rec, "TOT_REM_MNT", t_dct.rembourse, "total remboursé")
            nb_dct += 1
            yield decompte
            decompte = beneficiaire = None
        elif rec.code == "999":
            _check(rec, "NBR_DCT", nb_dct, "nombre de décomptes")
            _check(rec, "NBR_ACT", t_fic.actes, "nombre d'actes")
            _check(rec, "TOT_PAI_MNT", t_fic.paye, "total dépensé")
            _check(rec, "TOT_REM_MNT", t_fic.rembourse, "total remboursé")
            fini = True
            yield rec
    if fragment and precedent in {"000", "190"}:
        return
    if not fini:
        raise NoemieErreur(numero + 1, "", "", "fichier tronqué : l'enregistrement de fin de fichier (999) manque")


@dataclass(frozen=True, slots=True)
class Resume:
    entete: Enregistrement
    decomptes: int
    actes: int
    total_depense: Decimal
    total_rembourse: Decimal


def verifier(lignes: Iterable[bytes | str]) -> Resume:
    """Read a whole file, checking everything, keeping nothing but the header and the totals."""
    entete: Enregistrement | None = None
    fin: Enregistrement | None = None
    for item in lire(lignes, complet=False):
        if isinstance(item, Enregistrement):
            if item.code == "000":
                entete = item
            else:
                fin = item
    assert entete is not None and fin is not None
    return Resume(entete, fin["NBR_DCT"], fin["NBR_ACT"], fin["TOT_PAI_MNT"], fin["TOT_REM_MNT"])


# -- writing --------------------------------------------------------------------------------------


@dataclass(slots=True)
class BeneficiaireEcrit:
    valeurs: dict[str, Any]
    actes: list[dict[str, Any]]


@dataclass(slots=True)
class DecompteEcrit:
    valeurs: dict[str, Any]
    beneficiaires: list[BeneficiaireEcrit]


def _ligne(spec: Layout, code: str, valeurs: dict[str, Any]) -> str:
    record = spec.enregistrements[code]
    parts = []
    for champ in record.champs:
        value = code if champ.nom == "TYP_ENR" else valeurs.get(champ.nom)
        if value is None and champ.type not in {"A", "D", "B"}:
            raise ValueError(f"enregistrement {code} : le champ {champ.nom} est obligatoire.")
        parts.append(encoder(champ, value))
    return "".join(parts).ljust(spec.longueur) + "\n"


def ecrire(
    out: TextIO, entete: dict[str, Any], decomptes: Iterable[DecompteEcrit], spec: Layout | None = None
) -> _Totaux:
    """Write a whole file, computing the closing records; returns the file's totals."""
    spec = spec or layout()
    out.write(_ligne(spec, "000", entete))
    t_fic = _Totaux()
    nb_dct = 0
    for decompte in decomptes:
        out.write(_ligne(spec, "100", decompte.valeurs))
        t_dct = _Totaux()
        for beneficiaire in decompte.beneficiaires:
            out.write(_ligne(spec, "200", beneficiaire.valeurs))
            t_ben = _Totaux()
            for acte in beneficiaire.actes:
                out.write(_ligne(spec, "300", acte))
                rec = Enregistrement("300", 0, acte)
                for t in (t_ben, t_dct, t_fic):
                    t.ajouter(rec)
            out.write(
                _ligne(spec, "299", {"NBR_ACT": t_ben.actes, "TOT_PAI_MNT": t_ben.paye, "TOT_REM_MNT": t_ben.rembourse})
            )
        out.write(
            _ligne(
                spec,
                "190",
                {
                    "NBR_BEN": len(decompte.beneficiaires),
                    "NBR_ACT": t_dct.actes,
                    "TOT_PAI_MNT": t_dct.paye,
                    "TOT_REM_MNT": t_dct.rembourse,
                },
            )
        )
        nb_dct += 1
    out.write(
        _ligne(
            spec,
            "999",
            {"NBR_DCT": nb_dct, "NBR_ACT": t_fic.actes, "TOT_PAI_MNT": t_fic.paye, "TOT_REM_MNT": t_fic.rembourse},
        )
    )
    return t_fic
