"""``python -m regles simulate``: JSON acts on standard input, JSON results on standard output.

The contract is documented in ``docs/regles.md``; later checks rely on it. Bad input exits with
status 2 and one line on standard error naming the field; no result is ever made up.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from regles.moteur import (
    Acte,
    ActeInvalide,
    Beneficiaire,
    Garantie,
    Praticien,
    Resultat,
    TypeGarantie,
    liquider,
)

ACTE_FIELDS = {
    "date_soins",
    "code",
    "montant_depense",
    "base_remboursement",
    "taux_amo",
    "quantite",
    "beneficiaire",
    "parcours_soins",
    "praticien",
    "hospitalisation",
    "garantie",
    "responsable",
    "classe_optique",
    "debut_sejour",
}
BENEFICIAIRE_FIELDS = {
    "date_naissance",
    "age",
    "ald",
    "css",
    "regime_local",
    "participations_annee",
    "franchises_annee",
}
PRATICIEN_FIELDS = {"secteur", "optam", "identifiant"}
GARANTIE_FIELDS = {
    "type",
    "taux",
    "montant",
    "complement",
    "plafond",
    "deja_consomme",
    "plafond_nombre",
    "deja_nombre",
    "libelle",
    "delai_stage_mois",
    "date_adhesion",
    "renouvellement_annees",
    "derniere_prise_en_charge",
    "taux_optam",
}


class EntreeInvalide(ValueError):
    pass


def _obj(value: Any, path: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EntreeInvalide(f"{path} : un objet JSON est attendu.")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise EntreeInvalide(f"{path}.{unknown[0]} : champ inconnu (champs possibles : {', '.join(sorted(allowed))}).")
    return value


def _decimal(
    obj: dict[str, Any], key: str, path: str, *, required: bool = False, minimum: Decimal | None = Decimal(0)
) -> Decimal | None:
    raw = obj.get(key)
    if raw is None:
        if required:
            raise EntreeInvalide(f'{path}.{key} : champ obligatoire (montant décimal, par exemple "30.00").')
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise EntreeInvalide(f'{path}.{key} : montant décimal attendu, par exemple "30.00".')
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise EntreeInvalide(f"{path}.{key} : « {raw} » n'est pas un nombre décimal.") from None
    if not value.is_finite():
        raise EntreeInvalide(f"{path}.{key} : nombre fini attendu.")
    if minimum is not None and value < minimum:
        raise EntreeInvalide(f"{path}.{key} : la valeur ne peut pas être négative.")
    return value


def _date(obj: dict[str, Any], key: str, path: str, *, required: bool = False) -> date | None:
    raw = obj.get(key)
    if raw is None:
        if required:
            raise EntreeInvalide(f"{path}.{key} : champ obligatoire (date AAAA-MM-JJ).")
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise EntreeInvalide(f"{path}.{key} : « {raw} » n'est pas une date AAAA-MM-JJ.") from None


def _bool(obj: dict[str, Any], key: str, path: str, default: bool) -> bool:
    raw = obj.get(key, default)
    if not isinstance(raw, bool):
        raise EntreeInvalide(f"{path}.{key} : true ou false attendu.")
    return raw


def _int(obj: dict[str, Any], key: str, path: str, default: int | None, minimum: int = 0) -> int | None:
    raw = obj.get(key, default)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise EntreeInvalide(f"{path}.{key} : nombre entier attendu.")
    try:
        value = int(raw)
    except ValueError:
        raise EntreeInvalide(f"{path}.{key} : nombre entier attendu.") from None
    if value < minimum:
        raise EntreeInvalide(f"{path}.{key} : au moins {minimum}.")
    return value


def _quantite(obj: dict[str, Any], path: str) -> int:
    raw = obj.get("quantite", 1)
    value = _decimal({"quantite": raw}, "quantite", path, minimum=Decimal(1))
    if value is None or value != value.to_integral_value():
        raise EntreeInvalide(f"{path}.quantite : nombre entier supérieur ou égal à 1 attendu.")
    return int(value)


def parse_acte(raw: Any, path: str = "acte") -> Acte:
    obj = _obj(raw, path, ACTE_FIELDS)
    code = obj.get("code")
    if not isinstance(code, str) or not code.strip():
        raise EntreeInvalide(f'{path}.code : champ obligatoire (code de prestation, par exemple "G").')
    b = _obj(obj.get("beneficiaire", {}), f"{path}.beneficiaire", BENEFICIAIRE_FIELDS)
    bp = f"{path}.beneficiaire"
    beneficiaire = Beneficiaire(
        age=_int(b, "age", bp, None),
        date_naissance=_date(b, "date_naissance", bp),
        ald=_bool(b, "ald", bp, False),
        css=_bool(b, "css", bp, False),
        regime_local=_bool(b, "regime_local", bp, False),
        participations_annee=_decimal(b, "participations_annee", bp) or Decimal(0),
        franchises_annee=_decimal(b, "franchises_annee", bp) or Decimal(0),
    )
    p = _obj(obj.get("praticien", {}), f"{path}.praticien", PRATICIEN_FIELDS)
    pp = f"{path}.praticien"
    secteur = _int(p, "secteur", pp, 1, minimum=1)
    if secteur not in (1, 2, 3):
        raise EntreeInvalide(f"{pp}.secteur : 1, 2 ou 3 attendu.")
    ident = p.get("identifiant")
    if ident is not None and not isinstance(ident, str):
        raise EntreeInvalide(f"{pp}.identifiant : numéro RPPS ou ADELI attendu en chaîne de caractères.")
    praticien = Praticien(secteur=secteur, optam=_bool(p, "optam", pp, False), identifiant=ident)
    garantie = None
    if obj.get("garantie") is not None:
        gp = f"{path}.garantie"
        g = _obj(obj["garantie"], gp, GARANTIE_FIELDS)
        try:
            kind = TypeGarantie(str(g.get("type")))
        except ValueError:
            raise EntreeInvalide(f"{gp}.type : br, forfait, frais_reels ou 100_sante attendu.") from None
        garantie = Garantie(
            type=kind,
            taux=_decimal(g, "taux", gp, required=kind in {TypeGarantie.BR, TypeGarantie.FRAIS_REELS}),
            montant=_decimal(g, "montant", gp, required=kind == TypeGarantie.FORFAIT),
            complement=_decimal(g, "complement", gp),
            plafond=_decimal(g, "plafond", gp),
            deja_consomme=_decimal(g, "deja_consomme", gp) or Decimal("0.00"),
            plafond_nombre=_int(g, "plafond_nombre", gp, None, minimum=0),
            deja_nombre=_int(g, "deja_nombre", gp, 0) or 0,
            libelle=str(g.get("libelle", "")),
            delai_stage_mois=_int(g, "delai_stage_mois", gp, 0) or 0,
            date_adhesion=_date(g, "date_adhesion", gp),
            renouvellement_annees=_int(g, "renouvellement_annees", gp, None, minimum=1),
            derniere_prise_en_charge=_date(g, "derniere_prise_en_charge", gp),
            taux_optam=_decimal(g, "taux_optam", gp),
        )
    taux = _decimal(obj, "taux_amo", path)
    if taux is not None and taux > 1:
        raise EntreeInvalide(f'{path}.taux_amo : fraction entre 0 et 1 attendue, par exemple "0.70".')
    classe = obj.get("classe_optique")
    if classe is not None and (not isinstance(classe, str) or classe.strip().lower() not in set("abcdef")):
        raise EntreeInvalide(f"{path}.classe_optique : a, b, c, d, e ou f attendu.")
    montant = _decimal(obj, "montant_depense", path, required=True)
    assert montant is not None
    return Acte(
        date_soins=_date(obj, "date_soins", path, required=True) or date.min,
        code=code.strip(),
        montant_depense=montant,
        base_remboursement=_decimal(obj, "base_remboursement", path),
        taux_amo=taux,
        quantite=_quantite(obj, path),
        beneficiaire=beneficiaire,
        parcours_soins=_bool(obj, "parcours_soins", path, True),
        praticien=praticien,
        hospitalisation=_bool(obj, "hospitalisation", path, False),
        garantie=garantie,
        responsable=_bool(obj, "responsable", path, True),
        classe_optique=classe,
        debut_sejour=_date(obj, "debut_sejour", path),
    )


def _s(value: Decimal) -> str:
    return f"{value:.2f}"


def resultat_json(r: Resultat) -> dict[str, Any]:
    return {
        "code": r.code,
        "libelle": r.libelle,
        "poste": r.poste.value,
        "base_remboursement": _s(r.base_remboursement),
        "taux_amo": _s(r.taux_amo),
        "ticket_moderateur": _s(r.ticket_moderateur),
        "montant_amo": _s(r.montant_amo),
        "participation_forfaitaire": _s(r.participation_forfaitaire),
        "franchise": _s(r.franchise),
        "depassement": _s(r.depassement),
        "montant_amc": _s(r.montant_amc),
        "reste_a_charge": _s(r.reste_a_charge),
        "trace": [
            {
                "regle": e.regle,
                "parametre": e.parametre,
                "reference": e.reference,
                "avant": None if e.avant is None else _s(e.avant),
                "apres": None if e.apres is None else _s(e.apres),
                "explication": e.explication,
            }
            for e in r.trace
        ],
    }


def simuler(payload: Any) -> Any:
    """Parse, compute and serialise: one object in → one object out; an array in → an array out."""
    if isinstance(payload, list):
        if not payload:
            raise EntreeInvalide("actes : le tableau est vide.")
        actes = [parse_acte(item, f"actes[{i}]") for i, item in enumerate(payload)]
        return [resultat_json(r) for r in _liquider(actes, "actes")]
    acte = parse_acte(payload)
    return resultat_json(_liquider([acte], "acte")[0])


def _liquider(actes: list[Acte], path: str) -> list[Resultat]:
    try:
        return liquider(actes)
    except ActeInvalide as exc:
        where = f"{path}[{exc.index}]" if path == "actes" else path
        raise EntreeInvalide(f"{where}.{exc.champ} : {exc.message}") from None


def main(argv: list[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m regles", description="Moteur de remboursement.")
    sub = parser.add_subparsers(dest="commande", required=True)
    sub.add_parser("simulate", help="calcule les actes JSON lus sur l'entrée standard")
    parser.parse_args(argv)
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        payload = json.loads(stdin.read(), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        print(
            f"erreur : entrée : JSON invalide (ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}).",
            file=sys.stderr,
        )
        return 2
    try:
        result = simuler(payload)
    except EntreeInvalide as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    json.dump(result, stdout, ensure_ascii=False, indent=2)
    stdout.write("\n")
    return 0
