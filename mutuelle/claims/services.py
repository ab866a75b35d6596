"""NOEMIE ingestion and the reimbursement lifecycle.

``noemie_ingest`` reads a file whole before writing anything: a defective file is stored as rejected
with its error report and leaves no décompte or line behind; a file already integrated (same content,
or same issuer and sequence number) is refused as a duplicate and changes nothing. A valid file is
integrated in one transaction: each act is matched to its beneficiary, contract and formula on the
date of care, liquidated by the rules engine, then validated automatically or sent to manual review
with the rule named; what cannot be matched becomes a ``RejetNoemie`` for handlers.

Status changes go through ``ligne_transition`` and the ``TRANSITIONS`` table only.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from mutuelle.claims.models import (
    TRANSITIONS,
    Decompte,
    EvenementLigne,
    FichierNoemie,
    LigneRemboursement,
    MotifRejet,
    RejetNoemie,
    Statut,
    StatutFichier,
)
from mutuelle.core.models import Mutuelle
from mutuelle.core.services import audit_log, mutuelle_get
from mutuelle.formules.models import Formule, Garantie, QualificationPraticien
from mutuelle.formules.selectors import garantie_regles
from mutuelle.members.models import Beneficiaire, ContratFormule, DroitPeriode, TypeDroit
from mutuelle.referentiel.models import NaturePrestation
from noemie.fichier import DecompteLu, Enregistrement, NoemieErreur, lire, verifier
from regles.money import ZERO, arrondi, euros
from regles.moteur import NATURE_AMO, Acte, ActeInvalide, Moteur, Praticien
from regles.moteur import Beneficiaire as BeneficiaireRegles
from regles.postes import Poste

EXONERATION_ALD = 4
EXONERATION_HOSPITALISATION = 5
RENOUVELABLES = {
    Poste.OPTIQUE_VERRES.value,
    Poste.OPTIQUE_MONTURE.value,
    Poste.OPTIQUE_VERRES_100_SANTE.value,
    Poste.OPTIQUE_MONTURE_100_SANTE.value,
    Poste.AUDIO_CLASSE_1.value,
    Poste.AUDIO_CLASSE_2.value,
}


class NomenclatureManquante(RuntimeError):
    pass


@dataclass
class ResultatIngestion:
    fichier: str
    status: str  # "ingested" | "duplicate" | "rejected"
    decomptes: int = 0
    lignes: int = 0
    rejets: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.fichier,
            "status": self.status,
            "decomptes": self.decomptes,
            "lignes": self.lignes,
            "rejets": self.rejets,
            "errors": self.errors,
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _doublon(
    *, sha: str | None = None, emetteur: int | None = None, sequence: int | None = None
) -> FichierNoemie | None:
    qs = FichierNoemie.objects.exclude(statut=StatutFichier.REJETE)
    if sha is not None:
        return qs.filter(sha256=sha).first()
    return qs.filter(emetteur=emetteur, sequence=sequence).first()


def noemie_ingest(
    *, path: Path, actor: Any = None, progress: Callable[[int, int], None] | None = None
) -> ResultatIngestion:
    """Check, then integrate, one NOEMIE file. Never raises for a defective or duplicate file;
    raises ``NomenclatureManquante`` when the installation is not set up to liquidate anything."""
    if not NaturePrestation.objects.exists():
        raise NomenclatureManquante(
            "La nomenclature des prestations n'est pas chargée : lancez « manage.py load_nature_prestation »."
        )
    name = path.name
    sha = _sha256(path)
    taille = path.stat().st_size
    existing = _doublon(sha=sha)
    if existing is not None:
        return _duplicate(name, existing, actor, "même contenu")
    try:
        with path.open("rb") as handle:
            resume = verifier(handle)
    except NoemieErreur as exc:
        errors = [{"line": exc.ligne, "field": exc.champ or exc.enregistrement, "message": str(exc)}]
        with transaction.atomic():
            fichier = FichierNoemie.objects.create(
                nom=name, sha256=sha, taille=taille, statut=StatutFichier.REJETE, erreurs=errors, recu_par=actor
            )
            audit_log(action="claims.fichier.rejected", actor=actor, target=fichier, new={"erreurs": errors})
        return ResultatIngestion(name, "rejected", errors=errors, message=str(exc))
    entete = resume.entete
    existing = _doublon(emetteur=entete["FLX_EMT_NUM"], sequence=entete["FLX_EMT_ORD"])
    if existing is not None:
        return _duplicate(name, existing, actor, "même émetteur et même numéro de séquence")
    mutuelle = mutuelle_get()
    if entete["FLX_DST_NUM"] != int(mutuelle.numero_amc):
        errors = [
            {
                "line": entete.ligne,
                "field": "FLX_DST_NUM",
                "message": f"ligne 1, enregistrement 000, champ FLX_DST_NUM : fichier destiné à l'AMC "
                f"{entete['FLX_DST_NUM']}, pas à la mutuelle ({mutuelle.numero_amc})",
            }
        ]
        with transaction.atomic():
            fichier = FichierNoemie.objects.create(
                nom=name, sha256=sha, taille=taille, statut=StatutFichier.REJETE, erreurs=errors, recu_par=actor
            )
            audit_log(action="claims.fichier.rejected", actor=actor, target=fichier, new={"erreurs": errors})
        return ResultatIngestion(name, "rejected", errors=errors, message=str(errors[0]["message"]))
    try:
        with transaction.atomic():
            fichier = FichierNoemie.objects.create(
                nom=name,
                sha256=sha,
                taille=taille,
                emetteur=entete["FLX_EMT_NUM"],
                sequence=entete["FLX_EMT_ORD"],
                date_creation=entete["FLX_TRT_DTD"],
                statut=StatutFichier.EN_COURS,
                recu_par=actor,
            )
            liquidateur = Liquidateur(mutuelle=mutuelle, fichier=fichier)
            with path.open("rb") as handle:
                for item in lire(handle):
                    if isinstance(item, DecompteLu):
                        liquidateur.decompte(item)
                        if progress is not None:
                            progress(liquidateur.lignes + liquidateur.rejets, resume.actes)
            fichier.statut = StatutFichier.INTEGRE
            fichier.nb_decomptes = resume.decomptes
            fichier.nb_lignes = liquidateur.lignes
            fichier.nb_rejets = liquidateur.rejets
            fichier.total_depense = resume.total_depense
            fichier.total_amo = resume.total_rembourse
            fichier.integre_le = timezone.now()
            fichier.save()
            audit_log(
                action="claims.fichier.ingested",
                actor=actor,
                target=fichier,
                new={
                    "decomptes": resume.decomptes,
                    "lignes": liquidateur.lignes,
                    "rejets": liquidateur.rejets,
                    "revue": liquidateur.en_revue,
                },
            )
    except IntegrityError:
        # Another process integrated the same file at the same time: the constraints said no.
        existing = _doublon(sha=sha) or _doublon(emetteur=entete["FLX_EMT_NUM"], sequence=entete["FLX_EMT_ORD"])
        if existing is None:
            raise
        return _duplicate(name, existing, actor, "intégré en parallèle")
    return ResultatIngestion(
        name, "ingested", decomptes=resume.decomptes, lignes=liquidateur.lignes, rejets=liquidateur.rejets
    )


def _duplicate(name: str, existing: FichierNoemie, actor: Any, why: str) -> ResultatIngestion:
    when = timezone.localtime(existing.integre_le or existing.recu_le)
    message = (
        f"Fichier déjà reçu ({why}) : « {existing.nom} » intégré le {when:%d/%m/%Y à %H:%M}. Rien n'a été modifié."
    )
    with transaction.atomic():
        audit_log(action="claims.fichier.duplicate", actor=actor, target=existing, message=message[:500])
    return ResultatIngestion(
        name, "duplicate", message=message, errors=[{"line": None, "field": None, "message": message}]
    )


# -- matching and liquidation ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Personne:
    beneficiaire_id: int
    contrat_id: int
    date_naissance: date
    regime_local: bool


def _en_vigueur(debut: date, fin: date | None, on: date) -> bool:
    return debut <= on and (fin is None or fin >= on)


class Liquidateur:
    """Matches and liquidates the décomptes of one file. Reference data is loaded once."""

    def __init__(self, *, mutuelle: Mutuelle, fichier: FichierNoemie) -> None:
        self.mutuelle = mutuelle
        self.fichier = fichier
        self.moteur = Moteur()
        self.lignes = self.rejets = self.en_revue = 0
        self.personnes: dict[tuple[str, int], list[_Personne]] = defaultdict(list)
        for b in Beneficiaire.objects.order_by("pk").values(
            "pk", "nir", "rang_gemellaire", "contrat_id", "date_naissance", "regime_local"
        ):
            self.personnes[(b["nir"], b["rang_gemellaire"])].append(
                _Personne(b["pk"], b["contrat_id"], b["date_naissance"], b["regime_local"])
            )
        self.droits: dict[int, list[tuple[str, date, date | None]]] = defaultdict(list)
        for d in DroitPeriode.objects.values("beneficiaire_id", "type_droit", "date_debut", "date_fin"):
            self.droits[d["beneficiaire_id"]].append((d["type_droit"], d["date_debut"], d["date_fin"]))
        self.formules: dict[int, list[tuple[date, date | None, int]]] = defaultdict(list)
        for f in ContratFormule.objects.values("contrat_id", "date_debut", "date_fin", "formule_id"):
            self.formules[f["contrat_id"]].append((f["date_debut"], f["date_fin"], f["formule_id"]))
        self.responsable = dict(Formule.objects.values_list("pk", "responsable"))
        self.garanties: dict[int, list[Garantie]] = defaultdict(list)
        for g in Garantie.objects.all():
            self.garanties[g.formule_id].append(g)
        self.natures = {n.code: n for n in NaturePrestation.objects.all()}
        self.adhesions: dict[int, date] = {}

    # -- one décompte ------------------------------------------------------------------------------

    def decompte(self, lu: DecompteLu) -> None:
        rec = lu.enregistrement
        decompte = Decompte.objects.create(
            fichier=self.fichier,
            numero=rec["DCT_ORD_NUM"],
            tiers_payant=rec["DCT_BEN_TYP"] == "P",
            date_paiement_amo=rec["DCT_PAI_DTE"],
        )
        lignes: list[LigneRemboursement] = []
        rejets: list[RejetNoemie] = []
        for beneficiaire_lu in lu.beneficiaires:
            ben = beneficiaire_lu.enregistrement
            for acte in beneficiaire_lu.actes:
                result = self._ligne(decompte, ben, acte)
                if isinstance(result, RejetNoemie):
                    rejets.append(result)
                else:
                    lignes.append(result)
                    # Later acts of the same décompte see this one's consumption.
                    result.save()
        RejetNoemie.objects.bulk_create(rejets)
        events = []
        for ligne in lignes:
            events.append(
                EvenementLigne(
                    ligne=ligne,
                    de="",
                    vers=Statut.EN_COURS,
                    motif=f"Reçu de la Sécurité sociale (fichier {self.fichier.nom})",
                )
            )
            if ligne.statut == Statut.VALIDE:
                events.append(
                    EvenementLigne(
                        ligne=ligne,
                        de=Statut.EN_COURS,
                        vers=Statut.VALIDE,
                        motif="Validation automatique : aucune règle de revue déclenchée",
                    )
                )
        EvenementLigne.objects.bulk_create(events)
        self.lignes += len(lignes)
        self.rejets += len(rejets)

    def _rejet(
        self, decompte: Decompte, ben: Enregistrement, acte: Enregistrement, motif: str, detail: str
    ) -> RejetNoemie:
        return RejetNoemie(
            fichier=self.fichier,
            decompte_numero=decompte.numero,
            ligne_numero=acte["PRS_ORD_NUM"],
            nir=ben["BEN_NIR"],
            rang_gemellaire=ben["BEN_RNG_GEM"],
            date_naissance=ben["BEN_NAI_DTE"],
            date_soins=acte["EXE_SOI_DTD"],
            code_prestation=acte["PRS_NAT_REF"],
            montant_depense=acte["PRS_PAI_MNT"],
            motif=motif,
            detail=detail[:300],
        )

    def _trouver(self, ben: Enregistrement, on: date) -> tuple[_Personne | None, int | None, str]:
        candidats = self.personnes.get((ben["BEN_NIR"], ben["BEN_RNG_GEM"]), [])
        naissance = ben["BEN_NAI_DTE"]
        if naissance is not None:
            candidats = [c for c in candidats if c.date_naissance == naissance]
        if not candidats:
            return None, None, MotifRejet.INCONNU
        for personne in candidats:
            droits = self.droits.get(personne.beneficiaire_id, [])
            if not any(t == TypeDroit.STANDARD and _en_vigueur(d, f, on) for t, d, f in droits):
                continue
            formule = next(
                (fid for d, f, fid in self.formules.get(personne.contrat_id, []) if _en_vigueur(d, f, on)), None
            )
            if formule is not None:
                return personne, formule, ""
        return None, None, MotifRejet.SANS_DROITS

    def _garantie(self, formule_id: int, poste: str, on: date, secteur: int, optam: bool) -> Garantie | None:
        wanted = QualificationPraticien.NON_OPTAM if secteur == 2 and not optam else QualificationPraticien.OPTAM
        rows = {
            g.praticien: g
            for g in self.garanties.get(formule_id, [])
            if g.poste == poste and _en_vigueur(g.date_debut, g.date_fin, on)
        }
        return rows.get(wanted) or rows.get(QualificationPraticien.TOUS)

    def _consomme(self, personne: _Personne, garantie: Garantie, on: date) -> Decimal:
        if garantie.periode == "annees_glissantes":
            debut = date(on.year - garantie.periode_annees, on.month, min(on.day, 28))
        else:
            debut = date(on.year, 1, 1)
        total = (
            LigneRemboursement.objects.filter(
                beneficiaire_id=personne.beneficiaire_id,
                garantie=garantie,
                date_soins__gte=debut,
                date_soins__lte=on,
            )
            .exclude(statut=Statut.REJETE)
            .aggregate(s=Sum("montant_amc"))["s"]
        )
        return total or ZERO

    def _derniere(self, personne: _Personne, poste: str, on: date) -> date | None:
        famille = "optique" if poste.startswith("optique") else "audio"
        row = (
            LigneRemboursement.objects.filter(
                beneficiaire_id=personne.beneficiaire_id,
                poste__startswith=famille,
                montant_amc__gt=0,
                date_soins__lt=on,
            )
            .exclude(statut=Statut.REJETE)
            .order_by("-date_soins")
            .values_list("date_soins", flat=True)
            .first()
        )
        return row

    def _adhesion(self, contrat_id: int) -> date:
        if contrat_id not in self.adhesions:
            self.adhesions[contrat_id] = min(d for d, _f, _fid in self.formules[contrat_id])
        return self.adhesions[contrat_id]

    def _ligne(self, decompte: Decompte, ben: Enregistrement, acte: Enregistrement) -> LigneRemboursement | RejetNoemie:
        on: date = acte["EXE_SOI_DTD"]
        personne, formule_id, motif = self._trouver(ben, on)
        if personne is None or formule_id is None:
            detail = (
                "Aucun bénéficiaire de la mutuelle avec ce NIR, ce rang et cette date de naissance"
                if motif == MotifRejet.INCONNU
                else f"Aucun droit ouvert le {on:%d/%m/%Y}"
            )
            return self._rejet(decompte, ben, acte, motif, detail)
        nature = self.natures.get(acte["PRS_NAT_REF"])
        if nature is None or Poste(nature.poste) not in NATURE_AMO:
            detail = f"Nature de prestation {acte['PRS_NAT_REF']} inconnue ou hors soins"
            return self._rejet(decompte, ben, acte, MotifRejet.CODE, detail)
        secteur, optam = acte["PSE_CNV_COD"] or 1, acte["PSE_OPT_TOP"]
        garantie = self._garantie(formule_id, nature.poste, on, secteur, optam)
        css = any(
            t == TypeDroit.CSS and _en_vigueur(d, f, on) for t, d, f in self.droits.get(personne.beneficiaire_id, [])
        )
        regles_garantie = None
        if garantie is not None:
            regles_garantie = garantie_regles(
                garantie,
                deja_consomme=self._consomme(personne, garantie, on) if garantie.plafond_montant is not None else ZERO,
                date_adhesion=self._adhesion(personne.contrat_id),
                derniere_prise_en_charge=self._derniere(personne, nature.poste, on)
                if nature.poste in RENOUVELABLES
                else None,
            )
        regles_acte = Acte(
            date_soins=on,
            code=str(acte["PRS_NAT_REF"]),
            montant_depense=acte["PRS_PAI_MNT"],
            base_remboursement=acte["BSE_REM_BSE"],
            taux_amo=acte["RGO_REM_TAU"],
            quantite=max(acte["PRS_ACT_QTE"], 1),
            beneficiaire=BeneficiaireRegles(
                date_naissance=personne.date_naissance,
                ald=acte["EXO_MTF"] == EXONERATION_ALD,
                css=css,
                regime_local=personne.regime_local,
            ),
            parcours_soins=acte["PRS_PCS_TOP"],
            praticien=Praticien(secteur=secteur, optam=optam, identifiant=acte["PFS_EXE_NUM"] or None),
            hospitalisation=acte["EXO_MTF"] == EXONERATION_HOSPITALISATION,
            garantie=regles_garantie,
            responsable=self.responsable.get(formule_id, True),
        )
        try:
            (r,) = self.moteur.liquider([regles_acte])
        except ActeInvalide as exc:
            return self._rejet(decompte, ben, acte, MotifRejet.CODE, f"{exc.champ} : {exc.message}")
        amo_recu: Decimal = acte["BSE_REM_MNT"]
        spent: Decimal = acte["PRS_PAI_MNT"]
        amc = min(r.montant_amc, max(spent - amo_recu, ZERO))
        revue = self._revue(acte, r, amc, garantie)
        if revue:
            self.en_revue += 1
        return LigneRemboursement(
            decompte=decompte,
            numero=acte["PRS_ORD_NUM"],
            beneficiaire_id=personne.beneficiaire_id,
            contrat_id=personne.contrat_id,
            formule_id=formule_id,
            garantie=garantie,
            nature=nature,
            poste=nature.poste,
            date_soins=on,
            date_fin_soins=acte["EXE_SOI_DTF"],
            quantite=acte["PRS_ACT_QTE"],
            montant_depense=spent,
            base_remboursement=acte["BSE_REM_BSE"],
            taux_amo=acte["RGO_REM_TAU"],
            montant_amo=amo_recu,
            participation_forfaitaire=acte["PRS_PFO_MNT"],
            franchise=acte["PRS_FRA_MNT"],
            depassement=acte["PRS_DEP_MNT"],
            praticien_identifiant=acte["PFS_EXE_NUM"],
            praticien_specialite=f"{acte['PSE_SPE_COD']:02d}" if acte["PSE_SPE_COD"] else "",
            praticien_secteur=secteur,
            praticien_optam=optam,
            finess=acte["ETB_PRE_FIN"],
            parcours_soins=acte["PRS_PCS_TOP"],
            exoneration=acte["EXO_MTF"],
            montant_amc=amc,
            reste_a_charge=spent - amo_recu - amc,
            trace=[{"regle": e.regle, "reference": e.reference, "explication": e.explication} for e in r.trace],
            statut=Statut.EN_COURS if revue else Statut.VALIDE,
            motif_revue="; ".join(revue)[:300],
        )

    def _revue(self, acte: Enregistrement, r: Any, amc: Decimal, garantie: Garantie | None) -> list[str]:
        """The manual-review rules that this line triggers, each named."""
        reasons = []
        br: Decimal = acte["BSE_REM_BSE"]
        seuil_pct = Decimal(self.mutuelle.seuil_revue_depassement_pct)
        honoraires = NATURE_AMO.get(r.poste) == "honoraires"  # dépassements d'honoraires, not device prices
        if honoraires and br > 0 and acte["PRS_DEP_MNT"] > arrondi(br * seuil_pct / 100):
            reasons.append(f"Dépassement de {euros(acte['PRS_DEP_MNT'])} supérieur à {seuil_pct} % de la base")
        if amc > self.mutuelle.seuil_revue_montant:
            reasons.append(
                f"Part mutuelle de {euros(amc)} supérieure au seuil de {euros(self.mutuelle.seuil_revue_montant)}"
            )
        if garantie is not None and garantie.accord_prealable:
            reasons.append(f"Garantie « {garantie.libelle} » soumise à accord préalable : aucun accord enregistré")
        if any(e.regle == "amc.renouvellement" for e in r.trace):
            reasons.append("Période de renouvellement non écoulée")
        brut_recu = acte["BSE_REM_MNT"] + acte["PRS_PFO_MNT"] + acte["PRS_FRA_MNT"]
        brut_calcule = r.montant_amo + r.participation_forfaitaire + r.franchise
        if abs(brut_recu - brut_calcule) > Decimal("0.01"):
            reasons.append(
                f"Part Sécurité sociale reçue ({euros(brut_recu)}) différente du calcul ({euros(brut_calcule)})"
            )
        return reasons


# -- lifecycle ------------------------------------------------------------------------------------


@transaction.atomic
def ligne_transition(
    *, ligne: LigneRemboursement, vers: str, actor: Any = None, motif: str = "", montant_amc: Decimal | None = None
) -> LigneRemboursement:
    """Move a line to a new status, if the table allows it; one event row and one audit row."""
    locked = LigneRemboursement.objects.select_for_update().get(pk=ligne.pk)
    if vers not in TRANSITIONS.get(locked.statut, frozenset()):
        raise ValidationError(f"Passage de « {Statut(locked.statut).label} » à « {Statut(vers).label} » impossible.")
    if vers in {Statut.REJETE, Statut.COMPLEMENT} and not motif.strip():
        raise ValidationError({"motif": "Indiquez le motif : il est communiqué à l'adhérent."})
    old = {"statut": locked.statut, "montant_amc": locked.montant_amc}
    if montant_amc is not None:
        if not motif.strip():
            raise ValidationError({"motif": "Un ajustement du montant doit être motivé."})
        plafond = locked.montant_depense - locked.montant_amo
        if not ZERO <= montant_amc <= plafond:
            raise ValidationError({"montant_amc": f"Le montant doit être compris entre 0 et {plafond} €."})
        locked.montant_amc = montant_amc
        locked.reste_a_charge = locked.montant_depense - locked.montant_amo - montant_amc
    de = locked.statut
    locked.statut = vers
    locked.save(update_fields=["statut", "montant_amc", "reste_a_charge", "modifie_le"])
    EvenementLigne.objects.create(
        ligne=locked, de=de, vers=vers, par=actor if getattr(actor, "pk", None) else None, motif=motif.strip()[:300]
    )
    audit_log(
        action=f"claims.ligne.{vers}",
        actor=actor,
        target=locked,
        adherent=locked.contrat.adherent,
        old=old,
        new={"statut": vers, "montant_amc": locked.montant_amc},
        message=motif.strip()[:500],
    )
    return locked
