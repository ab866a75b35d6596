"""The demo's three contrat-responsable formulas, as one table: a row per guarantee, a value per level.

Percentages are of the BR, the Sécu's share included. Non-OPTAM rates respect the contrat-responsable
double cap (≤ 200 % BR and ≤ the OPTAM rate − 20 points); optics classe B stays under the legal
ceilings, the frame under 100 €; hearing classe II reaches the 1,700 € per ear cap (AMO included) at
the top level. ``None`` means the level does not cover the poste beyond what the law requires.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

FORMULES: list[dict[str, Any]] = [
    {
        "code": "essentielle",
        "libelle": "Essentielle",
        "niveau": 1,
        "adulte": "38.90",
        "enfant": "17.50",
        "description": "Les remboursements du contrat responsable et le 100 % Santé, à petit prix.",
    },
    {
        "code": "confort",
        "libelle": "Confort",
        "niveau": 2,
        "adulte": "61.40",
        "enfant": "27.90",
        "description": "Des dépassements d'honoraires, l'optique et le dentaire mieux couverts.",
    },
    {
        "code": "serenite",
        "libelle": "Sérénité",
        "niveau": 3,
        "adulte": "94.80",
        "enfant": "41.20",
        "description": "Le haut de gamme : spécialistes à 300 %, prothèses à 400 %, audition au plafond.",
    },
]

# (poste, praticien, libellé, type, (essentielle, confort, serenite), options)
D = Decimal
GARANTIES: list[tuple[str, str, str, str, tuple[Any, Any, Any], dict[str, Any]]] = [
    (
        "consultation_generaliste",
        "optam",
        "Généraliste secteur 1 ou OPTAM",
        "br",
        (100, 150, 200),
        {},
    ),
    ("consultation_generaliste", "non_optam", "Généraliste non OPTAM", "br", (100, 130, 180), {}),
    (
        "consultation_specialiste",
        "optam",
        "Spécialiste secteur 1 ou OPTAM",
        "br",
        (100, 150, 300),
        {},
    ),
    ("consultation_specialiste", "non_optam", "Spécialiste non OPTAM", "br", (100, 130, 200), {}),
    ("actes_techniques", "optam", "Actes techniques, OPTAM", "br", (100, 150, 250), {}),
    ("actes_techniques", "non_optam", "Actes techniques, non OPTAM", "br", (100, 130, 200), {}),
    ("imagerie", "tous", "Radiologie et imagerie", "br", (100, 150, 200), {}),
    ("pharmacie_100", "tous", "Médicaments à 100 %", "br", (100, 100, 100), {}),
    ("pharmacie_65", "tous", "Médicaments à 65 %", "br", (100, 100, 100), {}),
    ("pharmacie_30", "tous", "Médicaments à 30 %", "br", (100, 100, 100), {}),
    ("pharmacie_15", "tous", "Médicaments à 15 %", "br", (None, 100, 100), {}),
    ("laboratoire", "tous", "Analyses de laboratoire", "br", (100, 125, 150), {}),
    ("auxiliaires_medicaux", "tous", "Auxiliaires médicaux", "br", (100, 125, 150), {}),
    (
        "hospitalisation_honoraires",
        "optam",
        "Honoraires à l'hôpital, OPTAM",
        "br",
        (100, 200, 300),
        {},
    ),
    (
        "hospitalisation_honoraires",
        "non_optam",
        "Honoraires à l'hôpital, non OPTAM",
        "br",
        (100, 180, 200),
        {},
    ),
    ("hospitalisation_frais_sejour", "tous", "Frais de séjour", "br", (100, 100, 100), {}),
    (
        "forfait_journalier",
        "tous",
        "Forfait journalier hospitalier, sans limite de durée",
        "frais_reels",
        (100, 100, 100),
        {},
    ),
    (
        "chambre_particuliere",
        "tous",
        "Chambre particulière, par nuit",
        "forfait",
        (None, 50, 80),
        {"plafond_nombre": 60},
    ),
    (
        "optique_verres_100_sante",
        "tous",
        "Verres 100 % Santé",
        "100_sante",
        (0, 0, 0),
        {"periode": "annees_glissantes", "periode_annees": 2},
    ),
    (
        "optique_monture_100_sante",
        "tous",
        "Monture 100 % Santé",
        "100_sante",
        (0, 0, 0),
        {"periode": "annees_glissantes", "periode_annees": 2},
    ),
    (
        "optique_verres",
        "tous",
        "Verres à tarif libre, les deux",
        "forfait",
        (100, 250, 450),
        {"periode": "annees_glissantes", "periode_annees": 2, "plafond_from_montant": True},
    ),
    (
        "optique_monture",
        "tous",
        "Monture à tarif libre",
        "forfait",
        (50, 80, 100),
        {"periode": "annees_glissantes", "periode_annees": 2, "plafond_from_montant": True},
    ),
    (
        "optique_lentilles",
        "tous",
        "Lentilles, par an",
        "forfait",
        (None, 100, 200),
        {"plafond_from_montant": True},
    ),
    ("dentaire_soins", "tous", "Soins dentaires", "br", (100, 125, 200), {}),
    ("dentaire_prothese_100_sante", "tous", "Prothèses 100 % Santé", "100_sante", (0, 0, 0), {}),
    (
        "dentaire_prothese_tarif_maitrise",
        "tous",
        "Prothèses à tarif maîtrisé",
        "br",
        (125, 250, 400),
        {},
    ),
    (
        "dentaire_prothese_tarif_libre",
        "tous",
        "Prothèses à tarif libre",
        "br",
        (125, 250, 400),
        {"plafond": (None, "1500", "3000"), "delai_stage": (0, 0, 3)},
    ),
    (
        "orthodontie",
        "tous",
        "Orthodontie acceptée par la Sécu",
        "br",
        (100, 200, 300),
        {"accord_prealable": True},
    ),
    (
        "dentaire_implantologie",
        "tous",
        "Implantologie, par an",
        "forfait",
        (None, 300, 600),
        {"plafond_from_montant": True, "accord_prealable": True},
    ),
    (
        "audio_classe_1",
        "tous",
        "Aides auditives 100 % Santé",
        "100_sante",
        (0, 0, 0),
        {"periode": "annees_glissantes", "periode_annees": 4},
    ),
    (
        "audio_classe_2",
        "tous",
        "Aide auditive à tarif libre, par oreille",
        "forfait",
        (400, 900, 1460),
        {
            "periode": "annees_glissantes",
            "periode_annees": 4,
            "accord_prealable": True,
            "delai_stage": (0, 0, 3),
        },
    ),
    ("materiel_medical", "tous", "Matériel médical et appareillage", "br", (100, 150, 200), {}),
    ("transport", "tous", "Transport sanitaire", "br", (100, 100, 100), {}),
    ("cure_thermale", "tous", "Cure thermale acceptée par la Sécu", "br", (100, 100, 100), {}),
    ("prevention", "tous", "Actes de prévention", "br", (100, 100, 100), {}),
    (
        "medecines_douces",
        "tous",
        "Ostéopathie, chiropraxie…, par séance",
        "forfait",
        (None, 30, 40),
        {"plafond_nombre": (None, 3, 5)},
    ),
]


def garanties_for_level(level: int) -> list[dict[str, Any]]:
    """The guarantee rows of one formula level (0, 1 or 2), as Garantie field values."""
    rows = []
    for poste, praticien, libelle, type_garantie, values, options in GARANTIES:
        value = values[level]
        if value is None:
            continue
        row: dict[str, Any] = {
            "poste": poste,
            "praticien": praticien,
            "libelle": libelle,
            "type_garantie": type_garantie,
            "periode": options.get("periode", "annee_civile"),
            "periode_annees": options.get("periode_annees", 1),
            "accord_prealable": options.get("accord_prealable", False),
        }
        if type_garantie in {"br", "frais_reels"}:
            row["taux"] = D(value)
        elif type_garantie == "forfait":
            row["montant"] = D(value)
            if options.get("plafond_from_montant"):
                row["plafond_montant"] = D(value)
        if "plafond" in options and options["plafond"][level] is not None:
            row["plafond_montant"] = D(options["plafond"][level])
        nombre = options.get("plafond_nombre")
        if nombre is not None:
            row["plafond_nombre"] = nombre[level] if isinstance(nombre, tuple) else nombre
        if "delai_stage" in options:
            row["delai_stage_mois"] = options["delai_stage"][level]
        rows.append(row)
    return rows
