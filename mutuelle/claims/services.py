"""NOEMIE ingestion and the reimbursement lifecycle.

``noemie_integrer`` reads a file whole before writing anything: a defective file is stored as rejected
with its error report and leaves no décompte or line behind; a file already integrated (same content,
or same issuer and sequence number) is refused as a duplicate and changes nothing. A valid file is
integrated in one transaction: each act is matched to its beneficiary, contract and formula on the
date of care, liquidated by the rules engine, then validated automatically or sent to manual review
with the rule named; what cannot be matched becomes a ``RejetNoemie`` for handlers.

Status changes go through ``ligne_transition`` and the ``TRANSITIONS`` table only.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from mutuelle.claims import liquidation
from mutuelle.claims.estimation import Estimation, EstimationImpossible
from mutuelle.claims.liquidation import RENOUVELABLES, Historique, plafonnee
from mutuelle.claims.models import (
    TRANSITIONS,
    AccordPrealable,
    Decompte,
    EvenementLigne,
    FichierNoemie,
    LigneRemboursement,
    LotNoemie,
    MotifRejet,
    OrigineDecompte,
    RejetNoemie,
    Statut,
    StatutFichier,
)
from mutuelle.claims.selectors import ACCORD_VALIDITE_MOIS, accords_par_beneficiaire, domaine_du_poste
from mutuelle.core.actions import Action
from mutuelle.core.calendrier import plus_mois
from mutuelle.core.models import AuditLog, Mutuelle
from mutuelle.core.services import journal_ecrire, mutuelle_lire
from mutuelle.formules.models import Formule, Garantie
from mutuelle.formules.selectors import garantie_parmi
from mutuelle.members.models import Beneficiaire, ContratFormule, DroitPeriode, TypeDroit
from mutuelle.notifications.services import (
    complement_demande,
    remboursement_ajuste,
    remboursement_paye,
    remboursement_rejete,
)
from mutuelle.referentiel.models import NaturePrestation
from noemie.fichier import DecompteLu, Enregistrement, NoemieErreur, Resume, lire
from regles.money import ZERO, arrondi, euros
from regles.moteur import NATURE_AMO, Acte, ActeInvalide, Moteur, Praticien, nature_de, trace_json
from regles.moteur import Beneficiaire as BeneficiaireRegles
from regles.postes import Poste

EXONERATION_ALD = 4
EXONERATION_HOSPITALISATION = 5

# What the journal records when a line moves to a status.
ACTION_DE_STATUT: dict[str, Action] = {
    Statut.VALIDE: Action.LIGNE_VALIDEE,
    Statut.PAYE: Action.LIGNE_PAYEE,
    Statut.REJETE: Action.LIGNE_REJETEE,
    Statut.SANS_OBJET: Action.LIGNE_SANS_OBJET,
    Statut.EN_COURS: Action.LIGNE_EN_ANALYSE,
    Statut.COMPLEMENT: Action.LIGNE_COMPLEMENT,
}


class NomenclatureManquante(RuntimeError):
    pass


@dataclass
class ResultatIngestion:
    fichier: str
    status: str  # "ingested" | "processing" | "duplicate" | "rejected"
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


def sha256_fichier(path: Path) -> str:
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


def noemie_integrer(
    *,
    path: Path,
    par: Any = None,
    progress: Callable[[int, int], None] | None = None,
    parallele: bool | None = None,
    recu_le: datetime | None = None,
) -> ResultatIngestion:
    """Check, then integrate, one NOEMIE file. Never raises for a defective or duplicate file;
    raises ``NomenclatureManquante`` when the installation is not set up to liquidate anything.

    ``recu_le`` is when the file was received, for a replay of past files (the demo's years, the
    history of another system taken over): its lines' first events carry that date, not today's.

    The file is read whole once (every check, and its décomptes spread into lots) before anything is
    written. The lots are then integrated here one after the other, or by Celery workers in parallel
    (``parallele``; by default whenever a broker is configured), in which case the result says
    ``processing`` until the last lot is in. Given a file whose integration was interrupted, this
    resumes it."""
    if not NaturePrestation.objects.exists():
        raise NomenclatureManquante(
            "La nomenclature des prestations n'est pas chargée : lancez « manage.py load_nature_prestation »."
        )
    name = path.name
    sha = sha256_fichier(path)
    taille = path.stat().st_size
    existing = _doublon(sha=sha)
    if existing is not None:
        if existing.statut == StatutFichier.EN_COURS:
            return noemie_reprendre(fichier=existing, par=par, progress=progress, parallele=parallele)
        return _duplicate(name, existing, par, "même contenu")
    try:
        plan = _planifier(path)
    except NoemieErreur as exc:
        errors = [{"line": exc.ligne, "field": exc.champ or exc.enregistrement, "message": str(exc)}]
        return _rejeter(name, sha, taille, par, errors)
    entete = plan.resume.entete
    existing = _doublon(emetteur=entete["FLX_EMT_NUM"], sequence=entete["FLX_EMT_ORD"])
    if existing is not None:
        plan.supprimer()
        return _duplicate(name, existing, par, "même émetteur et même numéro de séquence")
    mutuelle = mutuelle_lire()
    if entete["FLX_DST_NUM"] != int(mutuelle.numero_amc):
        plan.supprimer()
        message = (
            f"ligne 1, enregistrement 000, champ FLX_DST_NUM : fichier destiné à l'AMC "
            f"{entete['FLX_DST_NUM']}, pas à la mutuelle ({mutuelle.numero_amc})"
        )
        return _rejeter(name, sha, taille, par, [{"line": entete.ligne, "field": "FLX_DST_NUM", "message": message}])
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
                recu_par=par,
                recu_le=min(recu_le, timezone.now()) if recu_le is not None else timezone.now(),
                dossier_lots=plan.dossier,
                nb_decomptes=plan.resume.decomptes,
                nb_actes=plan.resume.actes,
                total_depense=plan.resume.total_depense,
                total_amo=plan.resume.total_rembourse,
            )
            LotNoemie.objects.bulk_create(
                LotNoemie(fichier=fichier, partition=p, rang=r, debut=d, fin=f, nb_actes=n)
                for p, r, d, f, n in plan.lots
            )
            journal_ecrire(
                action=Action.FICHIER_RECU,
                par=par,
                target=fichier,
                new={"decomptes": plan.resume.decomptes, "actes": plan.resume.actes, "lots": len(plan.lots)},
            )
    except IntegrityError:
        # Another process took the same file at the same time: the constraints said no.
        plan.supprimer()
        existing = _doublon(sha=sha) or _doublon(emetteur=entete["FLX_EMT_NUM"], sequence=entete["FLX_EMT_ORD"])
        if existing is None:
            raise
        return _duplicate(name, existing, par, "intégré en parallèle")
    return noemie_reprendre(fichier=fichier, par=par, progress=progress, parallele=parallele)


def _rejeter(name: str, sha: str, taille: int, par: Any, errors: list[dict[str, Any]]) -> ResultatIngestion:
    with transaction.atomic():
        fichier = FichierNoemie.objects.create(
            nom=name, sha256=sha, taille=taille, statut=StatutFichier.REJETE, erreurs=errors, recu_par=par
        )
        journal_ecrire(action=Action.FICHIER_REJETE, par=par, target=fichier, new={"erreurs": errors})
    return ResultatIngestion(name, "rejected", errors=errors, message=str(errors[0]["message"]))


def noemie_reprendre(
    *,
    fichier: FichierNoemie,
    par: Any = None,
    progress: Callable[[int, int], None] | None = None,
    parallele: bool | None = None,
) -> ResultatIngestion:
    """Integrate the lots of a file not yet integrated: here, or by dispatching one Celery task per
    partition. Safe to call any number of times, while other processes work on the same file."""
    if parallele is None:
        parallele = not settings.CELERY_TASK_ALWAYS_EAGER
    partitions = list(
        fichier.lots.filter(fait=False).order_by("partition").values_list("partition", flat=True).distinct()
    )
    if parallele:
        from mutuelle.claims.tasks import noemie_partition

        for partition in partitions:
            noemie_partition.delay(fichier.pk, partition)
    else:
        suivi = _Suivi(fichier, progress)
        for partition in partitions:
            partition_integrer(fichier_id=fichier.pk, partition=partition, progress=suivi)
    fichier_finaliser(fichier_id=fichier.pk, par=par)
    fichier.refresh_from_db()
    return resultat_fichier(fichier)


def fichiers_interrompus_reprendre(*, calme_secondes: int | None = None) -> list[ResultatIngestion]:
    """Resume the files whose integration stopped: still in progress, and no lot integrated for
    ``calme_secondes`` (a worker killed, a machine restarted). Celery beat runs it every few minutes,
    so a killed worker delays a file by that much, not by the broker's redelivery timeout. Resuming a
    file that is in fact progressing does no harm: a partition held by a worker is left to it."""
    from datetime import timedelta

    from django.db.models import Max

    calme = timedelta(seconds=settings.MUTUELLE_NOEMIE_REPRISE_SECONDES if calme_secondes is None else calme_secondes)
    limite = timezone.now() - calme
    resultats = []
    for fichier in FichierNoemie.objects.filter(statut=StatutFichier.EN_COURS, recu_le__lte=limite).annotate(
        dernier_lot=Max("lots__integre_le")
    ):
        if fichier.dernier_lot is not None and fichier.dernier_lot > limite:
            continue
        journal_ecrire(action=Action.FICHIER_REPRIS, target=fichier, message="Intégration reprise après interruption")
        resultats.append(noemie_reprendre(fichier=fichier))
    return resultats


def spool_orphelins_supprimer(*, age_secondes: int = 3600) -> list[str]:
    """Remove the spool folders that no file in progress points to, once they are ``age_secondes``
    old: a process killed while planning a file (before its row existed) left its folder behind. A
    folder being planned right now is younger than that (planning a million acts takes a minute or
    two). Returns the folders removed; run with the resumption by beat."""
    racine = _spool_root()
    if not racine.is_dir():
        return []
    vivants = set(FichierNoemie.objects.exclude(dossier_lots="").values_list("dossier_lots", flat=True))
    limite = timezone.now().timestamp() - age_secondes
    supprimes = []
    for dossier in sorted(racine.iterdir()):
        if dossier.is_dir() and dossier.name not in vivants and dossier.stat().st_mtime < limite:
            shutil.rmtree(dossier, ignore_errors=True)
            supprimes.append(dossier.name)
    if supprimes:
        with transaction.atomic():
            journal_ecrire(action=Action.SPOOL_ORPHELINS_SUPPRIMES, new={"dossiers": supprimes[:50]})
    return supprimes


def resultat_fichier(fichier: FichierNoemie) -> ResultatIngestion:
    status = {StatutFichier.INTEGRE: "ingested", StatutFichier.REJETE: "rejected"}.get(
        StatutFichier(fichier.statut), "processing"
    )
    done = fichier.lots.filter(fait=True).aggregate(l=Sum("nb_lignes"), r=Sum("nb_rejets"))
    return ResultatIngestion(
        fichier.nom,
        status,
        decomptes=fichier.nb_decomptes,
        lignes=done["l"] or 0,
        rejets=done["r"] or 0,
        errors=list(fichier.erreurs),
    )


class _Suivi:
    """Progress over a whole file (acts integrated / acts in the file), for the callers' bars."""

    def __init__(self, fichier: FichierNoemie, progress: Callable[[int, int], None] | None) -> None:
        self.progress = progress
        self.total = fichier.nb_actes
        self.fait = fichier.lots.filter(fait=True).aggregate(n=Sum("nb_actes"))["n"] or 0

    def __call__(self, actes: int) -> None:
        self.fait += actes
        if self.progress is not None:
            self.progress(self.fait, self.total)


# The first key of the advisory locks that guard consumption (``consommation_verrouiller``); the
# second is the bucket of contracts. Any other advisory lock of the project takes another first key.
VERROU_CONSOMMATION = 0x4D43


def consommation_verrouiller(contrat_ids: Iterable[int]) -> None:
    """Hold, until the caller's transaction ends, the right to read then add to what these contracts'
    beneficiaries have consumed (ceilings, renewal periods).

    Every writer that computes a line from that history takes it before reading: the lots of every
    NOEMIE file (two files, or two partitions of one file when a décompte mixes families, may carry
    the same person) and the paper claims. Without it, two transactions could each read the history
    without the other's uncommitted lines and both pay up to the ceiling. One PostgreSQL advisory lock
    per bucket of contracts, the buckets being the NOEMIE partitions (``contrat % partitions``): a lot
    takes one lock (its own partition's) and the partitions still run side by side. Taken in ascending
    order, they cannot deadlock among themselves. SQLite has one writer at a time: nothing to do."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("consommation_verrouiller() holds until the end of a transaction: call it inside one.")
    partitions: int = settings.MUTUELLE_NOEMIE_PARTITIONS
    with connection.cursor() as cursor:
        for bucket in sorted({pk % partitions for pk in contrat_ids}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [VERROU_CONSOMMATION, bucket])


def _lot_verrouille(exc: BaseException) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "55P03" or "could not obtain lock" in str(exc)


def partition_integrer(*, fichier_id: int, partition: int, progress: Callable[[int], None] | None = None) -> int:
    """Integrate the pending lots of one partition in order, one transaction each; returns how many.

    Only one process works a partition at a time: the next lot is locked without waiting, and a
    process that finds it locked leaves the partition to the one holding it. A process killed in the
    middle of a lot leaves that lot as it was (its transaction is rolled back): it is done again."""
    fichier = FichierNoemie.objects.get(pk=fichier_id)
    liquidateur: Liquidateur | None = None
    faits = 0
    while True:
        lot_id = (
            LotNoemie.objects.filter(fichier_id=fichier_id, partition=partition, fait=False)
            .order_by("rang")
            .values_list("pk", flat=True)
            .first()
        )
        if lot_id is None:
            return faits
        if liquidateur is None:
            liquidateur = Liquidateur(mutuelle=mutuelle_lire(), fichier=fichier)
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # A lot lost in a crash right after its commit is simply done again (it is marked
                    # done in the same transaction): the commit need not wait for the disk.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                lot = LotNoemie.objects.select_for_update(nowait=True).get(pk=lot_id)
                if lot.fait:
                    continue
                liquidateur.lot(lot)
        except OperationalError as exc:
            if _lot_verrouille(exc):
                return faits
            raise
        faits += 1
        if progress is not None:
            progress(lot.nb_actes)


def fichier_finaliser(*, fichier_id: int, par: Any = None) -> bool:
    """Mark a file integrated once all its lots are; True when this call did it."""
    with transaction.atomic():
        fichier = FichierNoemie.objects.select_for_update().get(pk=fichier_id)
        if fichier.statut != StatutFichier.EN_COURS or fichier.lots.filter(fait=False).exists():
            return False
        totals = fichier.lots.aggregate(l=Sum("nb_lignes"), r=Sum("nb_rejets"), v=Sum("nb_revue"))
        fichier.statut = StatutFichier.INTEGRE
        fichier.nb_lignes = totals["l"] or 0
        fichier.nb_rejets = totals["r"] or 0
        fichier.integre_le = timezone.now()
        dossier, fichier.dossier_lots = fichier.dossier_lots, ""
        fichier.save()
        journal_ecrire(
            action=Action.FICHIER_INTEGRE,
            par=par,
            target=fichier,
            new={
                "decomptes": fichier.nb_decomptes,
                "lignes": fichier.nb_lignes,
                "rejets": fichier.nb_rejets,
                "revue": totals["v"] or 0,
            },
        )
        if dossier:
            transaction.on_commit(lambda: shutil.rmtree(_spool_root() / dossier, ignore_errors=True))
    return True


# -- planning: one pass over the file, checks and lots ---------------------------------------------


def _spool_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "noemie" / "lots"


@dataclass
class _Plan:
    resume: Resume
    dossier: str
    lots: list[tuple[int, int, int, int, int]]  # partition, rang, début, fin, actes

    def supprimer(self) -> None:
        shutil.rmtree(_spool_root() / self.dossier, ignore_errors=True)


def _planifier(path: Path) -> _Plan:
    """Read the whole file once: check everything, and copy each décompte into the spool file of its
    partition (chosen by the contract of its first known beneficiary, so a family stays in one partition),
    cutting each partition into lots. Nothing is written to the database; on a defect the spool is
    removed and ``NoemieErreur`` raised."""
    nb_partitions: int = settings.MUTUELLE_NOEMIE_PARTITIONS
    lot_actes: int = settings.MUTUELLE_NOEMIE_LOT_ACTES
    contrats = {
        (nir, rang): contrat
        for nir, rang, contrat in Beneficiaire.objects.values_list("nir", "rang_gemellaire", "contrat_id")
    }
    dossier = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}"
    folder = _spool_root() / dossier
    folder.mkdir(parents=True)
    outs = [(folder / f"p{p}.txt").open("w", encoding="ascii", newline="\n") for p in range(nb_partitions)]
    offsets = [0] * nb_partitions
    courant = [[0, 0] for _ in range(nb_partitions)]  # per partition: start of the open lot, its acts
    rangs = [0] * nb_partitions
    lots: list[tuple[int, int, int, int, int]] = []
    entete = fin = None
    # A décompte number appears once in a file (the décomptes' unique constraint would otherwise stop
    # the integration halfway): checked here, the parser itself holding one décompte at a time.
    numeros: set[int] = set()
    try:
        with path.open("rb") as handle:
            for item in lire(handle, complet=False):
                if isinstance(item, Enregistrement):
                    entete, fin = (item, fin) if item.code == "000" else (entete, item)
                    continue
                numero = item.enregistrement["DCT_ORD_NUM"]
                if numero in numeros:
                    raise NoemieErreur(
                        item.enregistrement.ligne,
                        "100",
                        "DCT_ORD_NUM",
                        f"décompte n° {numero} déjà présent plus haut dans ce fichier",
                    )
                numeros.add(numero)
                cles = [(b.enregistrement["BEN_NIR"], b.enregistrement["BEN_RNG_GEM"]) for b in item.beneficiaires]
                contrat = next((contrats[c] for c in cles if c in contrats), None)
                p = contrat % nb_partitions if contrat is not None else zlib.crc32(cles[0][0].encode()) % nb_partitions
                texte = "\n".join(item.brut) + "\n"
                outs[p].write(texte)
                offsets[p] += len(texte)
                courant[p][1] += sum(len(b.actes) for b in item.beneficiaires)
                if courant[p][1] >= lot_actes:
                    lots.append((p, rangs[p], courant[p][0], offsets[p], courant[p][1]))
                    rangs[p] += 1
                    courant[p] = [offsets[p], 0]
        for p in range(nb_partitions):
            if offsets[p] > courant[p][0]:
                lots.append((p, rangs[p], courant[p][0], offsets[p], courant[p][1]))
    except BaseException:
        for out in outs:
            out.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    for out in outs:
        out.close()
    assert entete is not None and fin is not None
    resume = Resume(entete, fin["NBR_DCT"], fin["NBR_ACT"], fin["TOT_PAI_MNT"], fin["TOT_REM_MNT"])
    return _Plan(resume, dossier, lots)


def _duplicate(name: str, existing: FichierNoemie, par: Any, why: str) -> ResultatIngestion:
    when = timezone.localtime(existing.integre_le or existing.recu_le)
    message = (
        f"Fichier déjà reçu ({why}) : « {existing.nom} » intégré le {when:%d/%m/%Y à %H:%M}. Rien n'a été modifié."
    )
    with transaction.atomic():
        journal_ecrire(action=Action.FICHIER_DOUBLON, par=par, target=existing, message=message[:500])
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


@dataclass(slots=True)
class _Apparie:
    """An act matched to its beneficiary, formula, nature and guarantee, ready for the engine."""

    decompte: DecompteLu
    ben: Enregistrement
    acte: Enregistrement
    personne: _Personne
    formule_id: int
    nature: NaturePrestation
    garantie: Garantie | None


# The columns written for each reimbursement line, in the order of the rows built below.
LIGNE_COLONNES = (
    "decompte_id",
    "numero",
    "beneficiaire_id",
    "contrat_id",
    "formule_id",
    "garantie_id",
    "nature_id",
    "poste",
    "date_soins",
    "date_fin_soins",
    "quantite",
    "montant_depense",
    "base_remboursement",
    "taux_amo",
    "montant_amo",
    "participation_forfaitaire",
    "franchise",
    "depassement",
    "praticien_identifiant",
    "praticien_specialite",
    "praticien_secteur",
    "praticien_optam",
    "finess",
    "parcours_soins",
    "exoneration",
    "montant_amc",
    "reste_a_charge",
    "trace",
    "statut",
    "motif_revue",
    "cree_le",
    "modifie_le",
    "cle_noemie",
)
_TRACE = LIGNE_COLONNES.index("trace")
_STATUT = LIGNE_COLONNES.index("statut")


class Liquidateur:
    """Matches and liquidates the lots of one file. Reference data is loaded once per process."""

    def __init__(self, *, mutuelle: Mutuelle, fichier: FichierNoemie) -> None:
        self.mutuelle = mutuelle
        self.fichier = fichier
        self.moteur = Moteur()
        self.seuil_pct = Decimal(mutuelle.seuil_revue_depassement_pct)
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
        self.accords = accords_par_beneficiaire()
        # What each agreement already covers, read once per lot then kept up to date as the lot goes.
        self.sous_accord: dict[str, Decimal] = {}

    # -- one lot -----------------------------------------------------------------------------------

    def lot(self, lot: LotNoemie) -> None:
        """Integrate one lot inside the caller's transaction, and mark it done there."""
        chemin = _spool_root() / self.fichier.dossier_lots / f"p{lot.partition}.txt"
        try:
            with chemin.open("rb") as handle:
                handle.seek(lot.debut)
                texte = handle.read(lot.fin - lot.debut).decode("ascii")
        except FileNotFoundError:
            raise RuntimeError(
                f"Les lots du fichier « {self.fichier.nom} » sont introuvables ({chemin}) : "
                "le dossier MEDIA_ROOT doit être partagé par tous les workers."
            ) from None
        decomptes = [d for d in lire(texte.splitlines(), fragment=True) if isinstance(d, DecompteLu)]
        apparies: list[_Apparie | RejetNoemie] = [
            self._apparier(d, b.enregistrement, a) for d in decomptes for b in d.beneficiaires for a in b.actes
        ]
        consommation_verrouiller({a.personne.contrat_id for a in apparies if isinstance(a, _Apparie)})
        # Under the same lock as the consumption: a lot of another file carrying the same families
        # has committed its lines before these keys are read.
        apparies = self._deja_recus(apparies)
        historique = self._historique(apparies)
        self.sous_accord = {}
        now = timezone.now()
        lignes: list[tuple[Any, ...]] = []
        rejets = [a for a in apparies if isinstance(a, RejetNoemie)]
        # A décompte whose every act was already received is not stored again.
        a_garder = {a.decompte.enregistrement["DCT_ORD_NUM"] for a in apparies if isinstance(a, _Apparie)} | {
            r.decompte_numero for r in rejets if r.motif != MotifRejet.DEJA_RECU
        }
        numeros = _inserer_decomptes(
            self.fichier, lot, [d for d in decomptes if d.enregistrement["DCT_ORD_NUM"] in a_garder]
        )
        revue = 0
        for item in apparies:
            if isinstance(item, RejetNoemie):
                continue
            row = self._liquider(item, historique, numeros, now)
            if isinstance(row, RejetNoemie):
                rejets.append(row)
                continue
            revue += row[_STATUT] == Statut.EN_COURS
            lignes.append(row)
        ids = _inserer_lignes(lignes)
        RejetNoemie.objects.bulk_create(rejets)
        # Received when the file was (a lot integrated later, or a past file replayed, says so).
        _evenements_reception(
            [(pk, row[_STATUT]) for pk, row in zip(ids, lignes, strict=True)], self.fichier.nom, self.fichier.recu_le
        )
        lot.fait = True
        lot.nb_lignes = len(lignes)
        lot.nb_rejets = len(rejets)
        lot.nb_revue = revue
        lot.integre_le = now
        lot.save(update_fields=["fait", "nb_lignes", "nb_rejets", "nb_revue", "integre_le"])

    def _rejet(
        self, decompte: DecompteLu, ben: Enregistrement, acte: Enregistrement, motif: str, detail: str
    ) -> RejetNoemie:
        return RejetNoemie(
            fichier=self.fichier,
            decompte_numero=decompte.enregistrement["DCT_ORD_NUM"],
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

    def _cle(self, a: _Apparie) -> str:
        return cle_noemie(
            emetteur=self.fichier.emetteur,
            decompte=a.decompte.enregistrement["DCT_ORD_NUM"],
            ligne=a.acte["PRS_ORD_NUM"],
            beneficiaire_id=a.personne.beneficiaire_id,
            date_soins=a.acte["EXE_SOI_DTD"],
        )

    def _deja_recus(self, apparies: list[_Apparie | RejetNoemie]) -> list[_Apparie | RejetNoemie]:
        """The acts already received in an earlier file become signalements « déjà reçu » naming
        where: nothing is integrated, nor paid, twice. One query per lot. (Within one file the parser
        already refuses a décompte number or a line number met twice.)"""
        cles = {self._cle(a): a for a in apparies if isinstance(a, _Apparie)}
        if not cles:
            return apparies
        connues = {
            cle: (nom, cree_le)
            for cle, nom, cree_le in LigneRemboursement.objects.filter(cle_noemie__in=list(cles))
            .order_by()
            .values_list("cle_noemie", "decompte__fichier__nom", "cree_le")
        }
        if not connues:
            return apparies
        resultat: list[_Apparie | RejetNoemie] = []
        for a in apparies:
            cle = self._cle(a) if isinstance(a, _Apparie) else ""
            if not isinstance(a, _Apparie) or cle not in connues:
                resultat.append(a)
                continue
            nom, cree_le = connues[cle]
            detail = f"Acte déjà intégré le {timezone.localtime(cree_le):%d/%m/%Y} (fichier « {nom} ») : non repris"
            resultat.append(self._rejet(a.decompte, a.ben, a.acte, MotifRejet.DEJA_RECU, detail))
        return resultat

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
        return garantie_parmi(self.garanties.get(formule_id, []), poste=poste, on=on, secteur=secteur, optam=optam)

    def _apparier(self, decompte: DecompteLu, ben: Enregistrement, acte: Enregistrement) -> _Apparie | RejetNoemie:
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
        return _Apparie(decompte, ben, acte, personne, formule_id, nature, garantie)

    def _historique(self, apparies: list[_Apparie | RejetNoemie]) -> dict[int, Historique]:
        """The history of the lot's beneficiaries that need one (an act under a capped guarantee or of
        renewable equipment): one query per lot; the lot's own lines are added as they are computed,
        so the acts of one lot share the ceiling."""
        return liquidation.historiques(
            a.personne.beneficiaire_id
            for a in apparies
            if isinstance(a, _Apparie) and (a.nature.poste in RENOUVELABLES or plafonnee(a.garantie))
        )

    def _adhesion(self, contrat_id: int) -> date:
        if contrat_id not in self.adhesions:
            self.adhesions[contrat_id] = min(d for d, _f, _fid in self.formules[contrat_id])
        return self.adhesions[contrat_id]

    def _liquider(
        self, a: _Apparie, historiques: dict[int, Historique], numeros: dict[int, int], now: datetime
    ) -> tuple[Any, ...] | RejetNoemie:
        acte, personne, garantie, nature = a.acte, a.personne, a.garantie, a.nature
        on: date = acte["EXE_SOI_DTD"]
        secteur, optam = acte["PSE_CNV_COD"] or 1, acte["PSE_OPT_TOP"]
        css = any(
            t == TypeDroit.CSS and _en_vigueur(d, f, on) for t, d, f in self.droits.get(personne.beneficiaire_id, [])
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
            responsable=self.responsable.get(a.formule_id, True),
        )
        amo_recu: Decimal = acte["BSE_REM_MNT"]
        try:
            calcul = liquidation.liquider(
                regles_acte,
                garantie=garantie,
                historique=historiques.get(personne.beneficiaire_id),
                date_adhesion=self._adhesion(personne.contrat_id),
                amo_recu=amo_recu,
                moteur_=self.moteur,
                garantie_optam=liquidation.optam_pour(regles_acte, garantie, self.garanties.get(a.formule_id, [])),
            )
        except ActeInvalide as exc:
            return self._rejet(a.decompte, a.ben, acte, MotifRejet.CODE, f"{exc.champ} : {exc.message}")
        r, amc = calcul.resultat, calcul.montant_amc
        spent: Decimal = acte["PRS_PAI_MNT"]
        revue = self._revue(acte, r, amc, garantie)
        if garantie is not None and garantie.accord_prealable:
            revue += self._accord(garantie, personne.beneficiaire_id, nature.poste, on, amc)
        return (
            numeros[a.decompte.enregistrement["DCT_ORD_NUM"]],
            acte["PRS_ORD_NUM"],
            personne.beneficiaire_id,
            personne.contrat_id,
            a.formule_id,
            garantie.pk if garantie is not None else None,
            nature.pk,
            nature.poste,
            on,
            acte["EXE_SOI_DTF"],
            max(acte["PRS_ACT_QTE"], 1),  # as computed: a quantity of 0 is one act
            spent,
            acte["BSE_REM_BSE"],
            acte["RGO_REM_TAU"],
            amo_recu,
            acte["PRS_PFO_MNT"],
            acte["PRS_FRA_MNT"],
            acte["PRS_DEP_MNT"],
            acte["PFS_EXE_NUM"],
            f"{acte['PSE_SPE_COD']:02d}" if acte["PSE_SPE_COD"] else "",
            secteur,
            optam,
            acte["ETB_PRE_FIN"],
            acte["PRS_PCS_TOP"],
            acte["EXO_MTF"],
            amc,
            calcul.reste_a_charge,
            r.trace_brute,
            Statut.EN_COURS.value if revue else (Statut.VALIDE.value if amc > 0 else Statut.SANS_OBJET.value),
            "; ".join(revue)[:300],
            now,
            now,
            self._cle(a),
        )

    def _accord(self, garantie: Garantie, beneficiaire_id: int, poste: str, on: date, amc: Decimal) -> list[str]:
        """A guarantee that needs a prior approval: the line passes on its own when an agreement of the
        domain was granted to this person, is in force on the date of care, and still covers the
        mutuelle's share (with the lines already paid under it); otherwise a handler looks."""
        domaine = domaine_du_poste(poste)
        accord = next((a for a in self.accords.get(beneficiaire_id, []) if a.couvre(domaine, on)), None)
        if accord is None:
            return [f"Garantie « {garantie.libelle} » soumise à accord préalable : aucun accord en cours"]
        deja = self.sous_accord.get(accord.numero)
        if deja is None:
            postes = [p.value for p in Poste if domaine_du_poste(p.value) == domaine]
            deja = (
                (
                    LigneRemboursement.objects.filter(
                        beneficiaire_id=beneficiaire_id,
                        poste__in=postes,
                        garantie__accord_prealable=True,
                        date_soins__gte=accord.date_debut,
                        date_soins__lte=accord.date_fin,
                    )
                    .exclude(statut=Statut.REJETE)
                    .aggregate(s=Sum("montant_amc"))["s"]
                )
                or ZERO
            )
        self.sous_accord[accord.numero] = deja + amc
        if deja + amc > accord.montant:
            return [
                f"Part mutuelle de {euros(amc)} au-delà de l'accord n° {accord.numero} "
                f"({euros(accord.montant)} accordés, {euros(deja)} déjà pris en charge)"
            ]
        return []

    def _revue(self, acte: Enregistrement, r: Any, amc: Decimal, garantie: Garantie | None) -> list[str]:
        """The manual-review rules that this line triggers, each named."""
        reasons = []
        br: Decimal = acte["BSE_REM_BSE"]
        seuil_pct = self.seuil_pct
        honoraires = NATURE_AMO.get(r.poste) == "honoraires"  # dépassements d'honoraires, not device prices
        if honoraires and br > 0 and acte["PRS_DEP_MNT"] > arrondi(br * seuil_pct / 100):
            reasons.append(f"Dépassement de {euros(acte['PRS_DEP_MNT'])} supérieur à {seuil_pct} % de la base")
        if amc > self.mutuelle.seuil_revue_montant:
            reasons.append(
                f"Part mutuelle de {euros(amc)} supérieure au seuil de {euros(self.mutuelle.seuil_revue_montant)}"
            )
        if any(step[0] == "amc.renouvellement" for step in r.trace_brute):
            reasons.append("Période de renouvellement non écoulée")
        brut_recu = acte["BSE_REM_MNT"] + acte["PRS_PFO_MNT"] + acte["PRS_FRA_MNT"]
        brut_calcule = r.montant_amo + r.participation_forfaitaire + r.franchise
        if abs(brut_recu - brut_calcule) > Decimal("0.01"):
            reasons.append(
                f"Part Sécurité sociale reçue ({euros(brut_recu)}) différente du calcul ({euros(brut_calcule)})"
            )
        return reasons


def cle_noemie(*, emetteur: int | None, decompte: int, ligne: int, beneficiaire_id: int, date_soins: date) -> str:
    """What identifies an act the Sécu sent, whatever the file: issuer, décompte number, line number,
    beneficiary and date of care (``LigneRemboursement.cle_noemie``, unique)."""
    return f"{emetteur or 0}.{decompte}.{ligne}.{beneficiaire_id}.{date_soins:%Y%m%d}"


def _ids_reserver(table: str, nombre: int) -> list[int]:
    """``nombre`` ids drawn from a PostgreSQL table's id sequence in one query, for rows about to go
    in with COPY (whose children need their parents' ids)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, nombre])
        return [i for (i,) in cursor.fetchall()]


def _inserer_decomptes(fichier: FichierNoemie, lot: LotNoemie, decomptes: list[DecompteLu]) -> dict[int, int]:
    """Store a lot's décomptes; returns their ids by number. On PostgreSQL the ids are drawn from the
    table's sequence in one query and the rows go in with COPY."""
    rows = [
        (
            d.enregistrement["DCT_ORD_NUM"],
            d.enregistrement["DCT_BEN_TYP"] == "P",
            d.enregistrement["DCT_PAI_DTE"],
        )
        for d in decomptes
    ]
    if connection.vendor != "postgresql":
        created = Decompte.objects.bulk_create(
            Decompte(fichier=fichier, lot=lot, numero=n, tiers_payant=tp, date_paiement_amo=dp) for n, tp, dp in rows
        )
        return {row.numero: row.pk for row in created}
    table = Decompte._meta.db_table
    ids = _ids_reserver(table, len(rows))
    with connection.cursor() as cursor:
        colonnes = "id, fichier_id, lot_id, numero, tiers_payant, date_paiement_amo, origine, reference"
        sql = f"COPY {table} ({colonnes}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for pk, (n, tp, dp) in zip(ids, rows, strict=True):
                copy.write_row((pk, fichier.pk, lot.pk, n, tp, dp, OrigineDecompte.NOEMIE.value, ""))
    return {n: pk for pk, (n, _tp, _dp) in zip(ids, rows, strict=True)}


def _inserer_lignes(rows: list[tuple[Any, ...]]) -> list[int]:
    """Store computed lines; returns their ids, in order. On PostgreSQL the ids are drawn from the
    table's sequence in one query and the rows go in with COPY; elsewhere, batched inserts."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = LigneRemboursement.objects.bulk_create(
            (LigneRemboursement(**dict(zip(LIGNE_COLONNES, row, strict=True))) for row in rows), batch_size=500
        )
        return [ligne.pk for ligne in created]
    table = LigneRemboursement._meta.db_table
    ids = _ids_reserver(table, len(rows))
    with connection.cursor() as cursor:
        sql = f"COPY {table} (id, {', '.join(LIGNE_COLONNES)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row[:_TRACE], trace_json(row[_TRACE]), *row[_TRACE + 1 :]))
    return ids


def _evenements_reception(lignes: list[tuple[int, str]], nom: str, now: datetime) -> None:
    """The first event of each new line (id, status): received, and either validated automatically
    or left for review with the rules that fired. Written from the ids the lines were given, not by a
    query over the lines (which, on a table growing by a million rows, the planner scans whole)."""
    if not lignes:
        return
    recu = f"Reçu de la Sécurité sociale (fichier {nom[:120]})"
    motifs = {
        Statut.VALIDE.value: f"{recu} et validé automatiquement : aucune règle de revue déclenchée",
        Statut.EN_COURS.value: f"{recu} : revue manuelle",
        Statut.SANS_OBJET.value: f"{recu} : rien à verser par la mutuelle",
    }
    if connection.vendor != "postgresql":
        EvenementLigne.objects.bulk_create(
            (EvenementLigne(ligne_id=pk, de="", vers=statut, le=now, motif=motifs[statut]) for pk, statut in lignes),
            batch_size=500,
        )
        return
    sql = f"COPY {EvenementLigne._meta.db_table} (ligne_id, de, vers, par_id, le, motif) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for pk, statut in lignes:
            copy.write_row((pk, "", statut, None, now, motifs[statut]))


# -- lifecycle ------------------------------------------------------------------------------------


@transaction.atomic
def accord_prealable_enregistrer(
    *, demande: Any, beneficiaire: Beneficiaire, domaine: str, le: date, montant: Decimal, par: Any = None
) -> AccordPrealable:
    """A prior approval granted on ``le`` (the day of the answer) for ``montant`` of the mutuelle's
    share: the liquidation pays the acts of its domain under it for ``ACCORD_VALIDITE_MOIS`` months."""
    accord = AccordPrealable(
        numero=demande.numero,
        demande=demande,
        beneficiaire=beneficiaire,
        domaine=domaine,
        date_debut=le,
        date_fin=plus_mois(le, ACCORD_VALIDITE_MOIS),
        montant=montant,
    )
    accord.full_clean()
    accord.save()
    journal_ecrire(
        action=Action.ACCORD_ENREGISTRE,
        par=par if getattr(par, "pk", None) else None,
        target=accord,
        adherent=beneficiaire.contrat.adherent,
        new={"domaine": domaine, "du": le.isoformat(), "au": accord.date_fin.isoformat(), "montant": str(montant)},
    )
    return accord


@transaction.atomic
def ligne_transition(
    *,
    ligne: LigneRemboursement,
    vers: str,
    par: Any = None,
    motif: str = "",
    montant_amc: Decimal | None = None,
    notifier: bool = True,
    evenement_vu: int | None = None,
    le: datetime | None = None,
) -> LigneRemboursement:
    """Move a line to a new status, if the table allows it; one event row and one audit row. A line
    paid, or waiting for information, is told to the member (in-app, and by email after the commit as
    their preferences say); ``notifier=False`` and ``le`` (when it happened, never later than now)
    are for replaying history (the demo's past years).

    ``evenement_vu`` is the last event of the line that the person deciding saw (the review page
    sends it): when the line has moved since (another handler decided, the member answered), the
    decision is refused with who did what, instead of being applied on top of a state nobody saw."""
    locked = LigneRemboursement.objects.select_for_update().get(pk=ligne.pk)
    if evenement_vu is not None:
        dernier = EvenementLigne.objects.filter(ligne_id=locked.pk).order_by("-pk").first()
        if dernier is not None and dernier.pk != evenement_vu:
            qui = f" par {dernier.par}" if dernier.par_id else ""
            raise ValidationError(
                f"Ce remboursement a changé depuis l'ouverture de la page : passé à « {Statut(dernier.vers).label} »"
                f"{qui} le {timezone.localtime(dernier.le):%d/%m/%Y à %H:%M}. Relisez-le avant de décider.",
                code="etat_change",
            )
    if vers not in TRANSITIONS.get(locked.statut, frozenset()):
        raise ValidationError(f"Passage de « {Statut(locked.statut).label} » à « {Statut(vers).label} » impossible.")
    if vers in {Statut.REJETE, Statut.COMPLEMENT} and not motif.strip():
        raise ValidationError({"motif": "Indiquez le motif : il est communiqué à l'adhérent."})
    old = {"statut": locked.statut, "montant_amc": locked.montant_amc}
    avant = locked.montant_amc
    ajuste = False
    if montant_amc is not None:
        if not motif.strip():
            raise ValidationError({"motif": "Un ajustement du montant doit être motivé."})
        plafond = locked.montant_depense - locked.montant_amo
        if not ZERO <= montant_amc <= plafond:
            raise ValidationError({"montant_amc": f"Le montant doit être compris entre 0 et {euros(plafond)}."})
        ajuste = montant_amc != locked.montant_amc
        locked.montant_amc = montant_amc
        locked.reste_a_charge = locked.montant_depense - locked.montant_amo - montant_amc
        if ajuste:
            etape = ["amc.ajustement", "", "", avant, montant_amc, [_qui(par), motif.strip()[:300]]]
            locked.trace = _trace_decidee(locked.trace, locked, etape=etape)
    de = locked.statut
    if vers == Statut.VALIDE and locked.montant_amc == 0:
        vers = Statut.SANS_OBJET  # validated with nothing to pay: nothing waits for a payment run
    if vers == Statut.REJETE:
        # A rejected act pays nothing: every total, list, export and document reads 0; what was
        # computed is kept for the handler, and comes back if the line is reopened.
        locked.montant_amc_calcule = locked.montant_amc
        locked.montant_amc = ZERO
        locked.reste_a_charge = locked.montant_depense - locked.montant_amo
        etape = ["amc.rejet", "", "", locked.montant_amc_calcule, ZERO, [_qui(par), motif.strip()[:300]]]
        locked.trace = _trace_decidee(locked.trace, locked, etape=etape)
    elif de == Statut.REJETE and locked.montant_amc_calcule is not None:
        locked.montant_amc = locked.montant_amc_calcule
        locked.reste_a_charge = locked.montant_depense - locked.montant_amo - locked.montant_amc
        locked.montant_amc_calcule = None
        locked.trace = _trace_decidee(locked.trace, locked, etape=None, sans="amc.rejet")
    locked.statut = vers
    locked.save(update_fields=["statut", "montant_amc", "reste_a_charge", "montant_amc_calcule", "trace", "modifie_le"])
    EvenementLigne.objects.create(
        ligne=locked,
        de=de,
        vers=vers,
        par=par if getattr(par, "pk", None) else None,
        motif=motif.strip()[:300],
        le=min(le, timezone.now()) if le is not None else timezone.now(),
    )
    journal_ecrire(
        action=ACTION_DE_STATUT[vers],
        par=par,
        target=locked,
        adherent=locked.contrat.adherent,
        old=old,
        new={"statut": vers, "montant_amc": locked.montant_amc},
        message=motif.strip()[:500],
    )
    if notifier and vers == Statut.PAYE:
        remboursement_paye(ligne=locked)
    elif notifier and vers == Statut.COMPLEMENT:
        complement_demande(ligne=locked, motif=motif.strip())
    elif notifier and vers == Statut.REJETE:
        remboursement_rejete(ligne=locked, motif=motif.strip())
    elif notifier and ajuste:
        remboursement_ajuste(ligne=locked, avant=avant, motif=motif.strip())
    return locked


def _trace_decidee(
    trace: list[Any], ligne: LigneRemboursement, *, etape: list[Any] | None, sans: str = ""
) -> list[Any]:
    """The explanation of a line after a handler's decision on its amount: the engine's steps (less
    the ``sans`` steps of an earlier decision undone), the decision's ``etape`` (who, why, from what
    to what), and the reste à charge as it now is (the engine's, now wrong, is dropped)."""
    etapes = [e for e in trace if not (e and e[0] in {"reste", sans})]
    if etape is not None:
        etapes.append(etape)
    etapes.append(
        [
            "reste",
            "",
            "",
            ligne.montant_depense,
            ligne.reste_a_charge,
            [ligne.montant_depense, ligne.montant_amo, ligne.montant_amc],
        ]
    )
    return etapes


def _qui(par: Any) -> str:
    return (par.get_full_name() or par.get_username()) if getattr(par, "pk", None) else "la mutuelle"


@transaction.atomic
def lignes_payer(*, ids: list[int], par: Any = None, motif: str = "") -> int:
    """Move validated lines to ``payé`` together (the bank accepted the transfer that paid them):
    the same table as ``ligne_transition``, the same event and audit row per line, written in bulk.
    Lines already paid are left as they are (a report applied twice); any other status is refused."""

    lignes = list(
        LigneRemboursement.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .values_list("pk", "statut", "montant_amc", "contrat__adherent_id", "decompte__numero", "numero")
    )
    refusees = [pk for pk, statut, *_ in lignes if statut != Statut.PAYE and Statut.PAYE not in TRANSITIONS[statut]]
    if refusees or len(lignes) != len(set(ids)):
        raise ValidationError(f"Lignes impossibles à passer en payé : {refusees[:5] or 'introuvables'}.")
    a_payer = [row for row in lignes if row[1] == Statut.VALIDE]
    maintenant = timezone.now()
    LigneRemboursement.objects.filter(pk__in=[row[0] for row in a_payer]).update(
        statut=Statut.PAYE, modifie_le=maintenant
    )
    utilisateur = par if getattr(par, "pk", None) else None
    EvenementLigne.objects.bulk_create(
        (
            EvenementLigne(ligne_id=pk, de=Statut.VALIDE, vers=Statut.PAYE, par=utilisateur, motif=motif[:300])
            for pk, *_ in a_payer
        ),
        batch_size=5000,
    )
    AuditLog.objects.bulk_create(
        (
            AuditLog(
                action=Action.LIGNE_PAYEE,
                acteur=utilisateur,
                acteur_libelle=str(par)[:150] if par is not None else "système",
                cible_type="claims.ligneremboursement",
                cible_id=str(pk),
                cible_libelle=f"Décompte {decompte} ligne {numero}",
                adherent_id=adherent_id,
                ancienne_valeur={"statut": Statut.VALIDE, "montant_amc": str(montant)},
                nouvelle_valeur={"statut": Statut.PAYE, "montant_amc": str(montant)},
                message=motif[:500],
            )
            for pk, _, montant, adherent_id, decompte, numero in a_payer
        ),
        batch_size=5000,
    )
    return len(a_payer)


@transaction.atomic
def ligne_corriger(*, ligne: LigneRemboursement, montant: Decimal, reference: str, par: Any) -> LigneRemboursement:
    """A contest found the mutuelle's share of an act too low: the difference becomes a new line (a
    régularisation), validated, so the next payment run pays it like any other; the act's own line,
    perhaps paid already, stays as it was. ``montant`` is the act's corrected share in all.

    The régularisation spends nothing and carries no unit (it adds money, not an act), under the same
    guarantee, so ceilings count it. Refused, with the reason, when the act is still being reviewed,
    when the amount is not above what the act already got, or above what was spent after the Sécu."""
    ligne = LigneRemboursement.objects.select_for_update().get(pk=ligne.pk)
    if ligne.statut not in (Statut.VALIDE, Statut.PAYE):
        raise ValidationError(
            "Ce remboursement est encore en revue : ajustez son montant dans la file de revue des remboursements."
        )
    consommation_verrouiller([ligne.contrat_id])
    deja = ligne.montant_amc + (
        LigneRemboursement.objects.filter(
            decompte__origine=OrigineDecompte.CONTESTATION, decompte__reference__in=_corrections_de(ligne)
        ).aggregate(s=Sum("montant_amc"))["s"]
        or ZERO
    )
    maximum = ligne.montant_depense - ligne.montant_amo
    if montant <= deja:
        raise ValidationError(
            f"La part corrigée doit dépasser ce que la mutuelle a déjà pris en charge pour cet acte "
            f"({euros(deja)}) ; sinon, choisissez « Remboursement maintenu »."
        )
    if montant > maximum:
        raise ValidationError(
            f"La part de la mutuelle ne peut pas dépasser la dépense moins la part de la Sécurité sociale "
            f"({euros(maximum)})."
        )
    decompte = Decompte.objects.create(
        fichier=None, origine=OrigineDecompte.CONTESTATION, reference=reference, numero=ligne.pk
    )
    correction = LigneRemboursement.objects.create(
        decompte=decompte,
        numero=1,
        beneficiaire_id=ligne.beneficiaire_id,
        contrat_id=ligne.contrat_id,
        formule_id=ligne.formule_id,
        garantie_id=ligne.garantie_id,
        nature_id=ligne.nature_id,
        poste=ligne.poste,
        date_soins=ligne.date_soins,
        date_fin_soins=ligne.date_fin_soins,
        quantite=0,
        montant_depense=ZERO,
        base_remboursement=ZERO,
        taux_amo=ligne.taux_amo,
        montant_amo=ZERO,
        praticien_identifiant=ligne.praticien_identifiant,
        praticien_specialite=ligne.praticien_specialite,
        praticien_secteur=ligne.praticien_secteur,
        praticien_optam=ligne.praticien_optam,
        finess=ligne.finess,
        montant_amc=montant - deja,
        reste_a_charge=ZERO,
        trace=[("amc.correction", "", "", None, montant, (reference, deja))],
        statut=Statut.VALIDE,
    )
    EvenementLigne.objects.create(
        ligne=correction,
        de="",
        vers=Statut.VALIDE,
        par=par if getattr(par, "pk", None) else None,
        motif=f"Correction après la contestation n° {reference}",
    )
    journal_ecrire(
        action=Action.LIGNE_CORRIGEE,
        par=par,
        target=correction,
        adherent=ligne.contrat.adherent,
        old={"ligne": ligne.pk, "montant_amc": str(deja)},
        new={"montant_amc": str(montant), "regularisation": str(montant - deja), "contestation": reference},
    )
    return correction


def _corrections_de(ligne: LigneRemboursement) -> list[str]:
    """The numbers of the contests of this act that were corrected."""
    # requests stand above claims (a contest corrects a line): read lazily
    from mutuelle.requests.models import Demande

    return list(Demande.objects.filter(ligne=ligne).values_list("numero", flat=True))


@transaction.atomic
def rejet_traiter(*, rejet: RejetNoemie, commentaire: str, par: Any, request: Any = None) -> RejetNoemie:
    """A handler records what was done with a NOEMIE signalement (person attached, returned to the
    caisse…); it leaves the queue, audited."""
    locked = RejetNoemie.objects.select_for_update().get(pk=rejet.pk)
    if locked.traite:
        return locked
    locked.traite = True
    locked.traite_le = timezone.now()
    locked.traite_par = par
    locked.commentaire = commentaire.strip()[:500]
    locked.save(update_fields=["traite", "traite_le", "traite_par", "commentaire"])
    journal_ecrire(
        action=Action.SIGNALEMENT_TRAITE,
        par=par,
        target=locked,
        request=request,
        old={"traite": False},
        new={"traite": True},
        message=locked.commentaire,
    )
    rejet.traite, rejet.traite_le, rejet.traite_par, rejet.commentaire = True, locked.traite_le, par, locked.commentaire
    return locked


@transaction.atomic
def feuille_soins_decompter(
    *, reference: str, numero: int, estimations: Sequence[Estimation], par: Any
) -> list[LigneRemboursement]:
    """A paper claim's acts, computed by the engine (``claims.estimation``), as one décompte whose
    lines are like a NOEMIE lot's: validated (paid with the next run) or « sans objet », each with its
    event. ``reference`` is the request's number; the caller holds the family's consumption lock."""
    decompte = Decompte.objects.create(
        fichier=None, origine=OrigineDecompte.FEUILLE_SOINS, reference=reference, numero=numero
    )
    lignes = []
    for rang, r in enumerate(estimations, start=1):
        assert r.formule_id is not None  # estimer() refuses a date without a formula
        code = nature_de(r.ligne.soin).code
        nature = NaturePrestation.objects.filter(code=code).first()
        if nature is None:
            raise EstimationImpossible(
                f"{r.ligne.soin} : la nomenclature des prestations n'est pas chargée pour ce code."
            )
        moteur = r.resultat
        ligne = LigneRemboursement.objects.create(
            decompte=decompte,
            numero=rang,
            beneficiaire=r.ligne.beneficiaire,
            contrat=r.ligne.beneficiaire.contrat,
            formule_id=r.formule_id,
            garantie_id=r.garantie_id,
            nature=nature,
            poste=moteur.poste.value,
            date_soins=r.ligne.date_soins,
            quantite=r.ligne.quantite,
            montant_depense=r.ligne.montant,
            base_remboursement=moteur.base_remboursement,
            taux_amo=moteur.taux_amo,
            montant_amo=r.secu,
            participation_forfaitaire=moteur.participation_forfaitaire,
            franchise=moteur.franchise,
            depassement=moteur.depassement,
            praticien_secteur=r.ligne.secteur,
            praticien_optam=r.ligne.optam,
            montant_amc=r.mutuelle,
            reste_a_charge=r.reste,
            trace=moteur.trace_brute,
            statut=Statut.VALIDE if r.mutuelle > 0 else Statut.SANS_OBJET,
        )
        EvenementLigne.objects.create(ligne=ligne, de="", vers=ligne.statut, par=par, motif="Feuille de soins saisie")
        lignes.append(ligne)
    return lignes
