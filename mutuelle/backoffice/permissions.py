"""Who may open which back-office screen: one table, URL name → permission, checked server-side by
``EcransGestionMiddleware`` for every URL under ``/gestion/``.

A screen missing from the table is refused to everyone (fail closed), and a test walks the URL
configuration so that no screen is added without its line here.
"""

from __future__ import annotations

from mutuelle.accounts.permissions import Droit, droits

PREFIXE = "/gestion/"

ECRANS: dict[str, Droit] = {
    # The back office's own screens.
    "backoffice:accueil": Droit.TRAITER,
    "backoffice:file": Droit.TRAITER,
    "backoffice:suivant": Droit.TRAITER,
    "backoffice:prendre": Droit.TRAITER,
    "backoffice:liberer": Droit.TRAITER,
    "backoffice:reattribuer": Droit.SUPERVISER,
    "backoffice:recherche": Droit.TRAITER,
    "backoffice:fiche": Droit.TRAITER,
    "backoffice:tableau_de_bord": Droit.SUPERVISER,
    "backoffice:signalement": Droit.TRAITER,
    "backoffice:revue_valider_lot": Droit.TRAITER,
    # Four-eyes: any handler proposes and reads; approving is checked in the service (a responsable
    # other than the proposer), so the proposer can follow and withdraw their own proposal.
    "backoffice:modification_proposer": Droit.TRAITER,
    "backoffice:modification": Droit.TRAITER,
    # Reimbursements in manual review and NOEMIE files.
    "claims:revue_liste": Droit.TRAITER,
    "claims:revue_detail": Droit.TRAITER,
    "claims:fichiers_liste": Droit.TRAITER,
    "claims:fichier_detail": Droit.TRAITER,
    "claims:fichier_depot": Droit.SUPERVISER,
    # Members' requests.
    "requests_gestion:liste": Droit.TRAITER,
    "requests_gestion:detail": Droit.TRAITER,
    "requests_gestion:piece": Droit.TRAITER,
    "requests_gestion:liquider": Droit.TRAITER,
    # Accounts: unlocks and letters.
    "accounts_gestion:deverrouiller": Droit.TRAITER,
    "accounts_gestion:courriers": Droit.TRAITER,
    "accounts_gestion:courrier_pdf": Droit.TRAITER,
    "accounts_gestion:lot_pdf": Droit.TRAITER,
    "accounts_gestion:lot_confirmer": Droit.TRAITER,
    # Payments: runs and transfers for everyone; running, the bank file and its report for supervisors.
    "payments:lots": Droit.TRAITER,
    "payments:lot": Droit.TRAITER,
    "payments:sans_coordonnees": Droit.TRAITER,
    "payments:lancer": Droit.SUPERVISER,
    "payments:fichier": Droit.SUPERVISER,
    "payments:retour": Droit.SUPERVISER,
    # New memberships submitted by brokers.
    "brokers_gestion:affiliation": Droit.TRAITER,
    "brokers_gestion:bulletin": Droit.TRAITER,
    # Messaging.
    "messaging_gestion:fil": Droit.TRAITER,
    "messaging_gestion:piece": Droit.TRAITER,
}


def peut_ouvrir(user: object, ecran: str) -> bool:
    """Whether ``user`` may open the screen named ``ecran`` ("namespace:name"); unknown screens: no."""
    droit = ECRANS.get(ecran)
    return droit is not None and droit in droits(user)
