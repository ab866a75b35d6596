"""Two demo configurations, one per member login policy (``manage.py mutuelle_preset NAME``).

Both are fictitious mutuelles: names, numbers and domains are invented (``.example`` domains).
"""

from __future__ import annotations

from typing import Any

from mutuelle.core.models import PolitiqueConnexion

_COMMON: dict[str, Any] = {
    "seuil_verrouillage": 3,
    "duree_verrouillage_minutes": 30,
}

PRESETS: dict[str, dict[str, Any]] = {
    # Members log in with their member number (or NIR) and a password.
    "tilleuls": {
        **_COMMON,
        "raison_sociale": "Mutuelle des Tilleuls, mutuelle régie par le livre II du Code de la mutualité",
        "nom_court": "Mutuelle des Tilleuls",
        "numero_amc": "99123456",
        "type_convention": "TP",
        "critere_routage": "99123456",
        "telephone_professionnels": "04 00 00 12 00",
        "siren": "999999998",
        "immatriculation": "Mutuelle fictive de démonstration, SIREN 999 999 998",
        "adresse_ligne1": "12 allée des Tilleuls",
        "adresse_ligne2": "CS 40001",
        "code_postal": "69003",
        "ville": "Lyon",
        "telephone": "04 00 00 12 34",
        "horaires": "Du lundi au vendredi, de 8 h 30 à 18 h",
        "email_contact": "contact@mutuelle-des-tilleuls.example",
        "domaine_officiel": "espace.mutuelle-des-tilleuls.example",
        "couleur_principale": "#1d5c4d",
        "couleur_secondaire": "#e9f3ef",
        "politique_connexion": PolitiqueConnexion.NUMERO_ADHERENT,
        # A fictitious account (bank code 99999) with a valid key.
        "iban_emetteur": "FR7699999000010000100000131",
        "bic_emetteur": "DEMOFRPPXXX",
    },
    # Members log in with their NIR and a 6-digit access code bound to a trusted device.
    "azur": {
        **_COMMON,
        "raison_sociale": "Azur Prévoyance Santé, mutuelle régie par le livre II du Code de la mutualité",
        "nom_court": "Azur Prévoyance Santé",
        "numero_amc": "99654321",
        "type_convention": "DRE",
        "critere_routage": "AZ01",
        "telephone_professionnels": "04 00 00 56 00",
        "siren": "999999980",
        "immatriculation": "Mutuelle fictive de démonstration, SIREN 999 999 980",
        "adresse_ligne1": "4 quai de la Lune",
        "adresse_ligne2": "",
        "code_postal": "13002",
        "ville": "Marseille",
        "telephone": "04 00 00 56 78",
        "horaires": "Du lundi au vendredi, de 9 h à 17 h 30 ; le samedi de 9 h à 12 h",
        "email_contact": "bonjour@azur-prevoyance-sante.example",
        "iban_emetteur": "FR7699999000010000200000244",
        "bic_emetteur": "DEMOFRPPXXX",
        "domaine_officiel": "adherents.azur-prevoyance-sante.example",
        "couleur_principale": "#1f4e8c",
        "couleur_secondaire": "#eaf1fb",
        "politique_connexion": PolitiqueConnexion.NIR_CODE,
    },
}

DEFAULT_PRESET = "tilleuls"
