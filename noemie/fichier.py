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

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from noemie.layout import Layout, decoder, encoder, layout

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


@dataclass(slots=True)
class Enregistrement:
    code: str
    ligne: int
    valeurs: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.valeurs[key]


@dataclass(slots=True)
class BeneficiaireLu:
    enregistrement: Enregistrement
    actes: list[Enregistrement] = field(default_factory=list)


@dataclass(slots=True)
class DecompteLu:
    enregistrement: Enregistrement
    beneficiaires: list[BeneficiaireLu] = field(default_factory=list)

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


def _check(fin: Enregistrement, champ: str, attendu: Any, quoi: str) -> None:
    if fin[champ] != attendu:
        raise NoemieErreur(fin.ligne, fin.code, champ, f"{quoi} annoncé {fin[champ]} mais {attendu} lu dans le fichier")


def lire(lignes: Iterable[bytes | str], spec: Layout | None = None) -> Iterator[Enregistrement | DecompteLu]:
    """Yield the header (``Enregistrement`` 000), each ``DecompteLu``, then the closing 999."""
    spec = spec or layout()
    precedent: str | None = None
    numero = 0
    decompte: DecompteLu | None = None
    beneficiaire: BeneficiaireLu | None = None
    t_ben, t_dct, t_fic = _Totaux(), _Totaux(), _Totaux()
    nb_ben = nb_dct = 0
    fini = False
    for numero, raw in enumerate(lignes, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("ascii")
            except UnicodeDecodeError:
                raise NoemieErreur(numero, "", "", "caractère non ASCII : le fichier doit être en ASCII") from None
        brut = raw.rstrip("\r\n")
        if fini:
            raise NoemieErreur(numero, brut[:3], "", "enregistrement après la fin de fichier (999)")
        rec = _decode_line(spec, numero, brut)
        if rec.code not in spec.ordre.get(precedent, frozenset()):
            attendus = ", ".join(sorted(spec.ordre.get(precedent, frozenset()))) or "aucun"
            raise NoemieErreur(
                numero, rec.code, "TYP_ENR", f"enregistrement {rec.code} inattendu ici (attendu : {attendus})"
            )
        precedent = rec.code
        if rec.code == "000":
            yield rec
        elif rec.code == "100":
            decompte = DecompteLu(rec)
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
            for t in (t_ben, t_dct, t_fic):
                t.ajouter(rec)
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
    for item in lire(lignes):
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
