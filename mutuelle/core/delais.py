"""Service levels: how many working days each kind of work may wait, one table for the mutuelle.

Each back-office queue (``backoffice.files``) and each kind of request or message has a key here with
its default; supervisors change a level in the admin (``ReglageFile``, « Niveaux de service des
files »). A due date is always ``jours_ouvres_apres(arrival, delai(key))``: a request or a message
keeps the due date it got on arrival, the other queues count from the arrival each time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NiveauService:
    libelle: str
    jours: int  # the default, in working days


NIVEAUX: dict[str, NiveauService] = {
    "revue": NiveauService("Remboursements en revue manuelle", 3),
    "signalements": NiveauService("Signalements NOEMIE", 10),
    "prises_en_charge": NiveauService("Prises en charge", 5),
    "documents": NiveauService("Documents reçus", 2),
    "feuilles_soins": NiveauService("Feuilles de soins papier", 2),
    "contestations": NiveauService("Contestations", 10),
    "rib": NiveauService("Coordonnées bancaires", 2),
    "modifications": NiveauService("État civil et bénéficiaires", 2),
    "contrats": NiveauService("Changements de contrat", 2),
    "quatre_yeux": NiveauService("Modifications à valider (quatre yeux)", 1),
    "affiliations": NiveauService("Affiliations des courtiers", 5),
    "messages": NiveauService("Messages", 2),
    "deverrouillages": NiveauService("Comptes verrouillés", 1),
    "sans_rib": NiveauService("Remboursements bloqués faute de RIB", 5),
    "courriers": NiveauService("Courriers à imprimer", 2),
}

CHOIX = [(cle, niveau.libelle) for cle, niveau in NIVEAUX.items()]


def delai(cle: str) -> int:
    """The service level of ``cle`` in working days: the supervisors' setting, else the default."""
    # core.models reads this module's choices: the model is imported when a level is asked for
    from mutuelle.core.models import ReglageFile

    reglage = ReglageFile.objects.filter(file=cle).values_list("delai_jours", flat=True).first()
    return reglage or NIVEAUX[cle].jours
