"""Generating valid NOEMIE-style files for tests, demos and benchmarks.

The Sécu's figures of each act (BR, rate, amount paid, PF and franchises) are computed by the rules
engine, so a generated file is what a caisse would send. Generation streams: a file of a million
acts is written without holding it in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TextIO

from noemie.fichier import BeneficiaireEcrit, DecompteEcrit, ecrire
from regles.moteur import Acte, ActeInvalide, Beneficiaire, Moteur, Praticien
from regles.nir import nir_key
from regles.nomenclature import natures_par_cle_b2

D = Decimal


@dataclass(frozen=True, slots=True)
class PersonneConnue:
    """A beneficiary as the Sécu knows them."""

    nir: str
    rang_gemellaire: int
    date_naissance: date
    famille: int = 0  # the household: a décompte names beneficiaries of one household only


# (weight, B2 code, spent range in cents, base: "tarif" | fraction of spent | fixed cents, specialty,
#  sector choices, quantity range, hospital)
MIX: list[tuple[int, str, tuple[int, int], Any, str, tuple[int, ...], tuple[int, int], bool]] = [
    (24, "G", (3000, 3000), "tarif", "01", (1,), (1, 1), False),
    (6, "CS", (3150, 9000), "tarif", "03", (1, 2, 2), (1, 1), False),
    (18, "PH7", (300, 4500), 1, "50", (1,), (1, 4), False),
    (7, "PH4", (200, 1500), 1, "50", (1,), (1, 3), False),
    (2, "PH2", (200, 900), 1, "50", (1,), (1, 2), False),
    (8, "B", (1000, 6000), 1, "30", (1,), (1, 1), False),
    (8, "AMI", (945, 3150), 1, "24", (1,), (1, 1), False),
    (4, "AMK", (1650, 2500), 1, "26", (1,), (1, 1), False),
    (4, "ADI", (2500, 12000), 1, "06", (1, 2), (1, 1), False),
    (4, "SC", (2300, 8000), 1, "19", (1,), (1, 1), False),
    (1, "PFC", (50000, 120000), 10750, "19", (1,), (1, 1), False),
    (1, "CZ0", (30000, 50000), 12000, "19", (1,), (1, 1), False),
    (2, "VU1", (6000, 25000), 5, "64", (1,), (1, 1), False),
    (1, "M03", (5000, 20000), 5, "64", (1,), (1, 1), False),
    (1, "PAU", (90000, 200000), 40000, "65", (1,), (1, 1), False),
    (1, "PAZ", (95000, 95000), 40000, "65", (1,), (1, 1), False),
    (2, "ADC", (15000, 90000), 1, "04", (1, 2), (1, 1), True),
    (2, "FJ", (2000, 2000), "tarif", "", (1,), (1, 5), True),
    (2, "TXI", (2500, 9000), 1, "", (1,), (1, 1), False),
]


class Generateur:
    def __init__(
        self,
        personnes: Sequence[PersonneConnue],
        *,
        seed: int = 1,
        part_inconnus: float = 0.0,
        debut: date = date(2025, 1, 1),
        fin: date = date(2025, 12, 31),
        annuaire: Mapping[str, Sequence[str]] | None = None,
        finess: Sequence[str] = (),
    ) -> None:
        """``annuaire`` (specialty code → RPPS numbers) and ``finess`` draw the professionals and
        establishments from a directory (the demo's, so that tiers payant is paid to someone it
        knows); a specialty it lacks gets numbers of its own, as unknown practitioners do."""
        if not personnes and part_inconnus < 1:
            raise ValueError("Aucun bénéficiaire connu pour générer un fichier.")
        self.personnes = list(personnes)
        self.familles: dict[int, list[PersonneConnue]] = {}
        for personne in self.personnes:
            self.familles.setdefault(personne.famille, []).append(personne)
        self.rng = random.Random(seed)
        self.part_inconnus = part_inconnus
        self.debut, self.jours = debut, (fin - debut).days
        self.moteur = Moteur()
        self.natures = natures_par_cle_b2()
        self.poids = [m[0] for m in MIX]
        annuaire = annuaire or {}
        self.praticiens = {
            spe: list(annuaire.get(spe) or [self._rpps() for _ in range(40)]) for spe in {m[4] for m in MIX} if spe
        }
        self.finess = list(finess) or [f"69{self.rng.randint(0, 9_999_999):07d}" for _ in range(6)]

    def _rpps(self) -> str:
        from stdnum import luhn

        body = "10" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))
        return body + str(luhn.calc_check_digit(body))

    def _inconnu(self) -> PersonneConnue:
        naissance = date(self.rng.randint(1940, 2010), self.rng.randint(1, 12), self.rng.randint(1, 28))
        body = (
            f"{self.rng.choice('12')}{naissance.year % 100:02d}{naissance.month:02d}75{self.rng.randint(990, 999)}"
            f"{self.rng.randint(1, 999):03d}"
        )
        return PersonneConnue(body + nir_key(body), 1, naissance)

    def _acte(self, personne: PersonneConnue, ordre: int, jour: date, choix: Any = None) -> dict[str, Any]:
        """One act of a kind drawn from ``MIX`` (or the given row of the same shape)."""
        rng = self.rng
        _, code, (lo, hi), base_kind, spe, secteurs, (qlo, qhi), hopital = choix or rng.choices(MIX, self.poids)[0]
        qte = rng.randint(qlo, qhi)
        spent = D(rng.randint(lo, hi)) / 100
        if code == "FJ":
            spent = D("20.00") * qte if jour < date(2026, 3, 1) else D("23.00") * qte
        if base_kind == "tarif":
            base = None
        elif base_kind == 1:
            base = spent
        else:
            base = min(D(base_kind) / 100, spent)
        secteur = rng.choice(secteurs)
        optam = secteur == 2 and rng.random() < 0.5
        if secteur == 1 and code in {"G", "CS"}:
            spent = D("30.00") if code == "G" else D("31.50")
        ident = rng.choice(self.praticiens[spe]) if spe else ""
        age = (jour - personne.date_naissance).days // 365
        ald = rng.random() < 0.08
        parcours = rng.random() > 0.03

        def liquider(base: Decimal | None) -> Any:
            (resultat,) = self.moteur.liquider(
                [
                    Acte(
                        date_soins=jour,
                        code=code,
                        montant_depense=spent,
                        base_remboursement=base,
                        quantite=qte,
                        beneficiaire=Beneficiaire(age=age, ald=ald),
                        parcours_soins=parcours,
                        praticien=Praticien(secteur=secteur, optam=optam, identifiant=ident or None),
                        hospitalisation=hopital,
                    )
                ]
            )
            return resultat

        try:
            r = liquider(base)
        except ActeInvalide:
            # No tariff known on that date for this key (the parameters start where their sources do):
            # the Sécu always transmits the base, so the generator gives one, the fee capped at the latest
            # tariff. Test data only: the engine then computes from the base it is given.
            base = min(spent, Decimal(str(self.moteur.p.valeur(f"tarif.{code}", date.max).valeur)) * qte)
            r = liquider(base)
        fin = jour + timedelta(days=qte - 1) if code == "FJ" else jour
        return {
            "PRS_ORD_NUM": ordre,
            "EXE_SOI_DTD": jour,
            "EXE_SOI_DTF": fin,
            "PRS_NAT_REF": self.natures[code].code,
            "PRS_ACT_QTE": qte,
            "PRS_ACT_CFT": D(1),
            "PRS_PAI_MNT": spent,
            "BSE_REM_BSE": r.base_remboursement,
            "RGO_REM_TAU": r.taux_amo,
            "BSE_REM_MNT": r.montant_amo,
            "PRS_PFO_MNT": r.participation_forfaitaire,
            "PRS_FRA_MNT": r.franchise,
            "PRS_DEP_MNT": r.depassement,
            "PFS_EXE_NUM": ident,
            "PSE_SPE_COD": int(spe or 0),
            "PSE_CNV_COD": secteur,
            "PSE_OPT_TOP": optam,
            "ETB_PRE_FIN": rng.choice(self.finess) if hopital else "",
            "PRS_PCS_TOP": parcours,
            "EXO_MTF": 5 if hopital else (4 if ald else 0),
        }

    def decomptes(self, lignes: int, premier_numero: int = 1) -> Iterator[DecompteEcrit]:
        """Décomptes of 1–3 beneficiaries of one household and 1–4 acts each, until ``lignes`` acts are
        produced."""
        rng, produced, numero = self.rng, 0, premier_numero
        while produced < lignes:
            jour = self.debut + timedelta(days=rng.randint(0, self.jours))
            beneficiaires = []
            ligne = 0  # PRS_ORD_NUM runs through the décompte: with DCT_ORD_NUM it identifies a line
            # A décompte is the Sécu's statement to one household: 1–3 of its beneficiaries.
            if rng.random() < self.part_inconnus or not self.personnes:
                personnes = [self._inconnu()]
            else:
                foyer = self.familles[rng.choice(self.personnes).famille]
                personnes = rng.sample(foyer, min(rng.choice([1, 1, 1, 2, 3]), len(foyer)))
            for personne in personnes:
                if produced >= lignes:
                    break
                n = min(rng.randint(1, 4), lignes - produced)
                actes = [self._acte(personne, ligne + i, jour) for i in range(1, n + 1)]
                ligne += n
                produced += n
                beneficiaires.append(
                    BeneficiaireEcrit(
                        {
                            "BEN_NIR": personne.nir,
                            "BEN_RNG_GEM": personne.rang_gemellaire,
                            "BEN_NAI_DTE": personne.date_naissance,
                        },
                        actes,
                    )
                )
            yield DecompteEcrit(
                {
                    "DCT_ORD_NUM": numero,
                    "DCT_BEN_TYP": rng.choice("AAAP"),
                    "DCT_PAI_DTE": jour + timedelta(days=rng.randint(2, 10)),
                },
                beneficiaires,
            )
            numero += 1

    def sejour(self, personne: PersonneConnue, jour: date, nuits: int, numero: int) -> DecompteEcrit:
        """A hospital stay from ``jour``: the forfait journalier and a private room (70 € a night, which
        the Sécu does not reimburse), for ``nuits`` nights."""
        forfait = (0, "FJ", (2000, 2000), "tarif", "", (1,), (nuits, nuits), True)
        chambre = (0, "CPC", (7000 * nuits, 7000 * nuits), "tarif", "", (1,), (nuits, nuits), True)
        actes = [self._acte(personne, 1, jour, forfait), self._acte(personne, 2, jour, chambre)]
        actes[1]["EXE_SOI_DTF"] = actes[0]["EXE_SOI_DTF"]
        ben = {"BEN_NIR": personne.nir, "BEN_RNG_GEM": personne.rang_gemellaire, "BEN_NAI_DTE": personne.date_naissance}
        entete = {"DCT_ORD_NUM": numero, "DCT_BEN_TYP": "A", "DCT_PAI_DTE": jour + timedelta(days=nuits + 5)}
        return DecompteEcrit(entete, [BeneficiaireEcrit(ben, actes)])

    def ecrire(self, out: TextIO, *, lignes: int, emetteur: int, amc: int, sequence: int, cree_le: date) -> None:
        entete = {
            "FLX_EMT_NUM": emetteur,
            "FLX_DST_NUM": amc,
            "FLX_TRT_DTD": cree_le,
            "FLX_EMT_ORD": sequence,
            "FLX_VER_NUM": "P1.0",
        }
        ecrire(out, entete, self.decomptes(lignes, premier_numero=sequence * 1_000_000 + 1))
