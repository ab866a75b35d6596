"""The fields that move a member's money or identity, named once.

The admin shows them read-only to everyone (``members.admin``); a change to one of them is proposed
in the back office and applied only when a second person approves it
(``backoffice.modifications``)."""

from __future__ import annotations

IDENTITE = ("civilite", "nom", "nom_naissance", "prenom", "date_naissance", "sexe", "nir")
COORDONNEES = (
    "email",
    "telephone_mobile",
    "telephone_fixe",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "ville",
)
IDENTITE_BENEFICIAIRE = ("nom", "prenom", "date_naissance", "sexe", "nir", "nir_personnel", "rang_gemellaire")
PAIEMENT_COTISATION = ("montant", "montant_paye", "date_paiement", "mode_paiement")

ADHERENT = (*IDENTITE, *COORDONNEES)
BENEFICIAIRE = ("qualite", *IDENTITE_BENEFICIAIRE)
CONTRAT = ("courtier",)
COTISATION = PAIEMENT_COTISATION
