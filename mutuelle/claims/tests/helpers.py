"""Building NOEMIE files for claims tests."""

from __future__ import annotations

import io
import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

from noemie.fichier import BeneficiaireEcrit, DecompteEcrit, ecrire

_sequence = itertools.count(100)
D = Decimal


def write(
    tmp_path: Path,
    decomptes: list[DecompteEcrit],
    *,
    amc: int = 99123456,
    sequence: int | None = None,
    name: str = "flux.txt",
) -> Path:
    out = io.StringIO()
    ecrire(
        out,
        {
            "FLX_EMT_NUM": 691000001,
            "FLX_DST_NUM": amc,
            "FLX_TRT_DTD": date(2025, 6, 30),
            "FLX_EMT_ORD": sequence or next(_sequence),
            "FLX_VER_NUM": "P1.0",
        },
        decomptes,
    )
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="ascii")
    return path


def acte(numero: int = 1, **values) -> dict:
    base = {
        "PRS_ORD_NUM": numero,
        "EXE_SOI_DTD": date(2025, 3, 3),
        "EXE_SOI_DTF": date(2025, 3, 3),
        "PRS_NAT_REF": 1110,
        "PRS_ACT_QTE": 1,
        "PRS_ACT_CFT": D(1),
        "PRS_PAI_MNT": D("30.00"),
        "BSE_REM_BSE": D("30.00"),
        "RGO_REM_TAU": D("0.70"),
        "BSE_REM_MNT": D("19.00"),
        "PRS_PFO_MNT": D("2.00"),
        "PRS_FRA_MNT": D("0.00"),
        "PRS_DEP_MNT": D("0.00"),
        "PFS_EXE_NUM": "10000000009",
        "PSE_SPE_COD": 1,
        "PSE_CNV_COD": 1,
        "PSE_OPT_TOP": False,
        "ETB_PRE_FIN": "",
        "PRS_PCS_TOP": True,
        "EXO_MTF": 0,
    }
    base.update(values)
    return base


def decompte(beneficiaire, actes: list[dict], numero: int = 1) -> DecompteEcrit:
    return DecompteEcrit(
        {"DCT_ORD_NUM": numero, "DCT_BEN_TYP": "A", "DCT_PAI_DTE": date(2025, 3, 10)},
        [
            BeneficiaireEcrit(
                {
                    "BEN_NIR": beneficiaire.nir,
                    "BEN_RNG_GEM": beneficiaire.rang_gemellaire,
                    "BEN_NAI_DTE": beneficiaire.date_naissance,
                },
                actes,
            )
        ],
    )


def consultation_secteur_2(numero: int = 1) -> dict:
    """A specialist's consultation (CS, BR 31.50 €) billed 80 € by a secteur 2 doctor outside OPTAM."""
    return acte(
        numero,
        PRS_NAT_REF=1112,
        PRS_PAI_MNT=D("80.00"),
        BSE_REM_BSE=D("31.50"),
        BSE_REM_MNT=D("20.05"),
        PRS_DEP_MNT=D("48.50"),
        PSE_CNV_COD=2,
        PSE_OPT_TOP=False,
        PSE_SPE_COD=3,
    )


def acte_comme_la_secu(
    numero: int,
    *,
    beneficiaire,
    code: str,
    jour: date,
    montant: Decimal,
    base: Decimal | None = None,
    quantite: int = 1,
) -> dict:
    """The act the Sécu's file would carry for this care: its share as the rules engine computes it
    (so that the mutuelle's side can be compared with an estimate of the same care)."""
    from regles.moteur import Acte, Beneficiaire, Moteur, nature_de

    (secu,) = Moteur().liquider(
        [
            Acte(
                date_soins=jour,
                code=code,
                montant_depense=montant,
                base_remboursement=base,
                quantite=quantite,
                beneficiaire=Beneficiaire(date_naissance=beneficiaire.date_naissance),
            )
        ]
    )
    return acte(
        numero,
        EXE_SOI_DTD=jour,
        EXE_SOI_DTF=jour,
        PRS_NAT_REF=nature_de(code).code,
        PRS_ACT_QTE=quantite,
        PRS_PAI_MNT=montant,
        BSE_REM_BSE=secu.base_remboursement,
        RGO_REM_TAU=secu.taux_amo,
        BSE_REM_MNT=secu.montant_amo,
        PRS_PFO_MNT=secu.participation_forfaitaire,
        PRS_FRA_MNT=secu.franchise,
        PRS_DEP_MNT=secu.depassement,
        PFS_EXE_NUM="",
    )
