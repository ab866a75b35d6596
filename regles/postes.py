"""Postes (types of cover) and familles de soins, shared by the engine and the database.

A *poste* is what a ``Garantie`` covers; each prestation code of the nomenclature maps to one.
A *famille* groups postes the way members filter their reimbursements.
Pure Python: the Django models build their choices from these tables.
"""

from __future__ import annotations

from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Marks a label for the interface's English catalogue (``make messages`` collects it); the
    Django layer translates it where it is shown. The engine itself stays in French."""
    return message


class Famille(StrEnum):
    CONSULTATIONS = "consultations"
    PHARMACIE = "pharmacie"
    OPTIQUE = "optique"
    DENTAIRE = "dentaire"
    AUDITION = "audition"
    HOSPITALISATION = "hospitalisation"
    PARAMEDICAL = "paramedical"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return FAMILLE_LABELS[self]


FAMILLE_LABELS: dict[Famille, str] = {
    Famille.CONSULTATIONS: gettext_noop("Consultations et actes médicaux"),
    Famille.PHARMACIE: gettext_noop("Pharmacie"),
    Famille.OPTIQUE: gettext_noop("Optique"),
    Famille.DENTAIRE: gettext_noop("Dentaire"),
    Famille.AUDITION: gettext_noop("Audition"),
    Famille.HOSPITALISATION: gettext_noop("Hospitalisation"),
    Famille.PARAMEDICAL: gettext_noop("Auxiliaires médicaux et analyses"),
    Famille.AUTRE: gettext_noop("Autres soins"),
}


class Poste(StrEnum):
    CONSULTATION_GENERALISTE = "consultation_generaliste"
    CONSULTATION_SPECIALISTE = "consultation_specialiste"
    ACTES_TECHNIQUES = "actes_techniques"
    IMAGERIE = "imagerie"
    PHARMACIE_100 = "pharmacie_100"
    PHARMACIE_65 = "pharmacie_65"
    PHARMACIE_30 = "pharmacie_30"
    PHARMACIE_15 = "pharmacie_15"
    OPTIQUE_VERRES_100_SANTE = "optique_verres_100_sante"
    OPTIQUE_VERRES = "optique_verres"
    OPTIQUE_MONTURE_100_SANTE = "optique_monture_100_sante"
    OPTIQUE_MONTURE = "optique_monture"
    OPTIQUE_LENTILLES = "optique_lentilles"
    OPTIQUE_AUTRE = "optique_autre"
    DENTAIRE_SOINS = "dentaire_soins"
    DENTAIRE_PROTHESE_100_SANTE = "dentaire_prothese_100_sante"
    DENTAIRE_PROTHESE_TARIF_MAITRISE = "dentaire_prothese_tarif_maitrise"
    DENTAIRE_PROTHESE_TARIF_LIBRE = "dentaire_prothese_tarif_libre"
    DENTAIRE_IMPLANTOLOGIE = "dentaire_implantologie"
    ORTHODONTIE = "orthodontie"
    AUDIO_CLASSE_1 = "audio_classe_1"
    AUDIO_CLASSE_2 = "audio_classe_2"
    AUDIO_ENTRETIEN = "audio_entretien"
    HOSPITALISATION_HONORAIRES = "hospitalisation_honoraires"
    HOSPITALISATION_FRAIS_SEJOUR = "hospitalisation_frais_sejour"
    FORFAIT_JOURNALIER = "forfait_journalier"
    CHAMBRE_PARTICULIERE = "chambre_particuliere"
    AUXILIAIRES_MEDICAUX = "auxiliaires_medicaux"
    LABORATOIRE = "laboratoire"
    MATERIEL_MEDICAL = "materiel_medical"
    TRANSPORT = "transport"
    CURE_THERMALE = "cure_thermale"
    PREVENTION = "prevention"
    MEDECINES_DOUCES = "medecines_douces"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return POSTE_INFO[self][0]

    @property
    def famille(self) -> Famille:
        return POSTE_INFO[self][1]


POSTE_INFO: dict[Poste, tuple[str, Famille]] = {
    Poste.CONSULTATION_GENERALISTE: (
        gettext_noop("Consultation et visite de généraliste"),
        Famille.CONSULTATIONS,
    ),
    Poste.CONSULTATION_SPECIALISTE: (
        gettext_noop("Consultation et visite de spécialiste"),
        Famille.CONSULTATIONS,
    ),
    Poste.ACTES_TECHNIQUES: (gettext_noop("Actes techniques médicaux et chirurgie"), Famille.CONSULTATIONS),
    Poste.IMAGERIE: (gettext_noop("Radiologie et imagerie"), Famille.CONSULTATIONS),
    Poste.PHARMACIE_100: (gettext_noop("Médicaments remboursés à 100 %"), Famille.PHARMACIE),
    Poste.PHARMACIE_65: (gettext_noop("Médicaments remboursés à 65 %"), Famille.PHARMACIE),
    Poste.PHARMACIE_30: (gettext_noop("Médicaments remboursés à 30 %"), Famille.PHARMACIE),
    Poste.PHARMACIE_15: (gettext_noop("Médicaments remboursés à 15 %"), Famille.PHARMACIE),
    Poste.OPTIQUE_VERRES_100_SANTE: (gettext_noop("Verres 100 % Santé (classe A)"), Famille.OPTIQUE),
    Poste.OPTIQUE_VERRES: (gettext_noop("Verres à tarif libre (classe B)"), Famille.OPTIQUE),
    Poste.OPTIQUE_MONTURE_100_SANTE: (gettext_noop("Monture 100 % Santé (classe A)"), Famille.OPTIQUE),
    Poste.OPTIQUE_MONTURE: (gettext_noop("Monture à tarif libre (classe B)"), Famille.OPTIQUE),
    Poste.OPTIQUE_LENTILLES: (gettext_noop("Lentilles"), Famille.OPTIQUE),
    Poste.OPTIQUE_AUTRE: (gettext_noop("Optique : adaptation, suppléments, réparations"), Famille.OPTIQUE),
    Poste.DENTAIRE_SOINS: (gettext_noop("Soins dentaires"), Famille.DENTAIRE),
    Poste.DENTAIRE_PROTHESE_100_SANTE: (gettext_noop("Prothèses dentaires 100 % Santé"), Famille.DENTAIRE),
    Poste.DENTAIRE_PROTHESE_TARIF_MAITRISE: (
        gettext_noop("Prothèses dentaires à tarif maîtrisé"),
        Famille.DENTAIRE,
    ),
    Poste.DENTAIRE_PROTHESE_TARIF_LIBRE: (gettext_noop("Prothèses dentaires à tarif libre"), Famille.DENTAIRE),
    Poste.DENTAIRE_IMPLANTOLOGIE: (gettext_noop("Implantologie"), Famille.DENTAIRE),
    Poste.ORTHODONTIE: (gettext_noop("Orthodontie"), Famille.DENTAIRE),
    Poste.AUDIO_CLASSE_1: (gettext_noop("Aides auditives 100 % Santé (classe I)"), Famille.AUDITION),
    Poste.AUDIO_CLASSE_2: (gettext_noop("Aides auditives à tarif libre (classe II)"), Famille.AUDITION),
    Poste.AUDIO_ENTRETIEN: (gettext_noop("Audition : piles, entretien, accessoires"), Famille.AUDITION),
    Poste.HOSPITALISATION_HONORAIRES: (gettext_noop("Honoraires à l'hôpital"), Famille.HOSPITALISATION),
    Poste.HOSPITALISATION_FRAIS_SEJOUR: (gettext_noop("Frais de séjour"), Famille.HOSPITALISATION),
    Poste.FORFAIT_JOURNALIER: (gettext_noop("Forfait journalier hospitalier"), Famille.HOSPITALISATION),
    Poste.CHAMBRE_PARTICULIERE: (gettext_noop("Chambre particulière"), Famille.HOSPITALISATION),
    Poste.AUXILIAIRES_MEDICAUX: (
        gettext_noop("Auxiliaires médicaux (infirmiers, kinésithérapeutes…)"),
        Famille.PARAMEDICAL,
    ),
    Poste.LABORATOIRE: (gettext_noop("Analyses et examens de laboratoire"), Famille.PARAMEDICAL),
    Poste.MATERIEL_MEDICAL: (gettext_noop("Matériel médical et appareillage"), Famille.AUTRE),
    Poste.TRANSPORT: (gettext_noop("Transport sanitaire"), Famille.AUTRE),
    Poste.CURE_THERMALE: (gettext_noop("Cure thermale"), Famille.AUTRE),
    Poste.PREVENTION: (gettext_noop("Prévention et dépistage"), Famille.AUTRE),
    Poste.MEDECINES_DOUCES: (gettext_noop("Médecines douces (non remboursées par la Sécu)"), Famille.AUTRE),
    Poste.AUTRE: (gettext_noop("Autres prestations"), Famille.AUTRE),
}

POSTE_CHOICES: list[tuple[str, str]] = [(p.value, p.label) for p in Poste]
FAMILLE_CHOICES: list[tuple[str, str]] = [(f.value, f.label) for f in Famille]
