"""The supervisors' dashboard: per queue, what came in and what was processed each day, the share
processed within the service level, the ageing of what is open; amounts paid per week; NOEMIE files
received and rejected. Each table exports as CSV (semicolons, French decimals, UTF-8 with BOM: it
opens as is in a French spreadsheet)."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

from mutuelle.backoffice.files import FILES, File, _local, jours_ouvres_entre
from mutuelle.claims.models import EvenementLigne, FichierNoemie, Statut, StatutFichier
from mutuelle.core.calendrier import jours_ouvres_apres

PERIODES = (7, 30, 90)
TRANCHES = ((0, 2, "0 à 2 j"), (3, 5, "3 à 5 j"), (6, 10, "6 à 10 j"), (11, None, "plus de 10 j"))


@dataclass
class LigneFile:
    file: File
    recus: int
    traites: int
    dans_les_delais: int
    ouverts: int
    en_retard: int
    tranches: list[int]

    @property
    def taux(self) -> int | None:
        return round(100 * self.dans_les_delais / self.traites) if self.traites else None


@dataclass
class Jour:
    jour: date
    recus: int
    traites: int
    largeur_recus: str = "0"
    largeur_traites: str = "0"


@dataclass
class Semaine:
    lundi: date
    montant: Decimal
    lignes: int
    largeur: str = "0"


@dataclass
class Tableau:
    debut: date
    fin: date
    files: list[LigneFile]
    jours: list[Jour]
    par_jour_file: dict[tuple[date, str], tuple[int, int, int]]
    semaines: list[Semaine]
    noemie: list[tuple[date, int, int, int]]
    tranches: list[str] = field(default_factory=lambda: [t[2] for t in TRANCHES])


def _bornes(debut: date, fin: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(debut, time.min, tz), datetime.combine(fin + timedelta(days=1), time.min, tz)


def _tranche(age: int) -> int:
    for rang, (bas, haut, _) in enumerate(TRANCHES):
        if age >= bas and (haut is None or age <= haut):
            return rang
    return len(TRANCHES) - 1


def _pct(valeur: float, plus_grand: float) -> str:
    return f"{100 * valeur / plus_grand:.2f}" if plus_grand else "0"


def tableau(*, jours: int = 30, aujourdhui: date | None = None) -> Tableau:
    aujourdhui = aujourdhui or timezone.localdate()
    debut = aujourdhui - timedelta(days=jours - 1)
    de, a = _bornes(debut, aujourdhui)
    lignes: list[LigneFile] = []
    par_jour_file: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for file in FILES.values():
        delai = file.delai()
        recus = [_local(m) for m in file.arrivees(de, a)] if file.arrivees else []
        traites = file.traites(de, a) if file.traites else []
        a_temps = 0
        for recu, fait, echeance in traites:
            dans_les_delais = fait <= (echeance or jours_ouvres_apres(recu, delai))
            a_temps += dans_les_delais
            par_jour_file[(fait, file.cle)][1] += 1
            par_jour_file[(fait, file.cle)][2] += dans_les_delais
        for jour in recus:
            par_jour_file[(jour, file.cle)][0] += 1
        ouverts = list(file.ouverts().order_by().values_list(file.champ_recu, flat=True))
        ages = [jours_ouvres_entre(_local(m), aujourdhui) for m in ouverts]
        comptes = Counter(_tranche(age) for age in ages)
        en_retard = 0
        if file.champ_echeance:
            en_retard = file.ouverts().filter(**{f"{file.champ_echeance}__lt": aujourdhui}).count()
        else:
            en_retard = sum(1 for m in ouverts if jours_ouvres_apres(_local(m), delai) < aujourdhui)
        lignes.append(
            LigneFile(
                file=file,
                recus=len(recus),
                traites=len(traites),
                dans_les_delais=a_temps,
                ouverts=len(ouverts),
                en_retard=en_retard,
                tranches=[comptes.get(rang, 0) for rang in range(len(TRANCHES))],
            )
        )
    jours_liste = []
    for n in range(jours):
        jour = debut + timedelta(days=n)
        arrives = sum(v[0] for (j, _), v in par_jour_file.items() if j == jour)
        faits = sum(v[1] for (j, _), v in par_jour_file.items() if j == jour)
        jours_liste.append(Jour(jour, arrives, faits))
    plus_grand = max((max(j.recus, j.traites) for j in jours_liste), default=0)
    for j in jours_liste:
        j.largeur_recus, j.largeur_traites = _pct(j.recus, plus_grand), _pct(j.traites, plus_grand)
    return Tableau(
        debut=debut,
        fin=aujourdhui,
        files=lignes,
        jours=jours_liste,
        par_jour_file={
            k: (v[0], v[1], v[2]) for k, v in sorted(par_jour_file.items(), key=lambda kv: (kv[0][0], kv[0][1]))
        },
        semaines=_semaines(debut, aujourdhui),
        noemie=_noemie(debut, aujourdhui),
    )


def _semaines(debut: date, fin: date) -> list[Semaine]:
    """What the mutuelle paid per week (the day a line reached ``paye``), Monday to Sunday."""

    lundi0 = debut - timedelta(days=debut.weekday())
    de, a = _bornes(lundi0, fin)
    semaines: dict[date, list] = {}
    lundi = lundi0
    while lundi <= fin:
        semaines[lundi] = [Decimal("0.00"), 0]
        lundi += timedelta(days=7)
    rows = EvenementLigne.objects.filter(vers=Statut.PAYE, le__gte=de, le__lt=a).values_list("le", "ligne__montant_amc")
    for le, montant in rows:
        jour = _local(le)
        cle = jour - timedelta(days=jour.weekday())
        semaines[cle][0] += montant
        semaines[cle][1] += 1
    resultat = [Semaine(lundi, v[0].quantize(Decimal("0.01")), v[1]) for lundi, v in semaines.items()]
    plus_grand = max((s.montant for s in resultat), default=Decimal(0))
    for s in resultat:
        s.largeur = _pct(float(s.montant), float(plus_grand))
    return resultat


def _noemie(debut: date, fin: date) -> list[tuple[date, int, int, int]]:
    """Per day: NOEMIE files received, rejected, and signalements they raised."""

    de, a = _bornes(debut, fin)
    par_jour: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for recu, statut, rejets in FichierNoemie.objects.filter(recu_le__gte=de, recu_le__lt=a).values_list(
        "recu_le", "statut", "nb_rejets"
    ):
        ligne = par_jour[_local(recu)]
        ligne[0] += 1
        ligne[1] += statut == StatutFichier.REJETE
        ligne[2] += rejets or 0
    return [(jour, *v) for jour, v in sorted(par_jour.items())]  # type: ignore[misc]


def _nombre(valeur: Decimal) -> str:
    return f"{valeur:.2f}".replace(".", ",")


def tableau_csv(t: Tableau, export: str) -> HttpResponse | None:
    """One table of the dashboard as CSV; None for an unknown table."""
    if export == "volumes":
        entete = ["jour", "file", "reçus", "traités", "traités dans les délais"]
        rows = [[jour.isoformat(), FILES[cle].libelle, *valeurs] for (jour, cle), valeurs in t.par_jour_file.items()]
    elif export == "files":
        entete = ["file", "reçus", "traités", "dans les délais (%)", "ouverts", "en retard", *t.tranches]
        rows = [
            [
                ligne.file.libelle,
                ligne.recus,
                ligne.traites,
                "" if ligne.taux is None else ligne.taux,
                ligne.ouverts,
                ligne.en_retard,
                *ligne.tranches,
            ]
            for ligne in t.files
        ]
    elif export == "paiements":
        entete = ["semaine du", "montant payé (€)", "lignes"]
        rows = [[s.lundi.isoformat(), _nombre(s.montant), s.lignes] for s in t.semaines]
    elif export == "noemie":
        entete = ["jour", "fichiers reçus", "fichiers rejetés", "signalements"]
        rows = [[jour.isoformat(), recus, rejetes, signalements] for jour, recus, rejetes, signalements in t.noemie]
    else:
        return None
    reponse = HttpResponse(content_type="text/csv; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="tableau-{export}-{t.debut:%Y%m%d}-{t.fin:%Y%m%d}.csv"'
    reponse.write("\ufeff")
    writer = csv.writer(reponse, delimiter=";")
    writer.writerow(entete)
    writer.writerows(rows)
    return reponse
