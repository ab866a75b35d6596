"""Which guarantee of a formula covers an act, as the rules engine receives it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q

from mutuelle.formules.models import Formule, Garantie, QualificationPraticien
from regles import moteur


def garantie_pour_acte(
    *, formule: Formule, poste: str, on: date, secteur: int = 1, optam: bool = False
) -> Garantie | None:
    """The guarantee in force on ``on`` for ``poste``, preferring the one for the practitioner's
    OPTAM status (secteur 1 counts as OPTAM), else the one for all practitioners."""
    qualification = QualificationPraticien.NON_OPTAM if secteur == 2 and not optam else QualificationPraticien.OPTAM
    rows = {
        g.praticien: g
        for g in formule.garanties.filter(poste=poste, date_debut__lte=on).filter(
            Q(date_fin__isnull=True) | Q(date_fin__gte=on)
        )
    }
    return rows.get(qualification) or rows.get(QualificationPraticien.TOUS)


def garantie_regles(
    garantie: Garantie,
    *,
    deja_consomme: Decimal = Decimal("0.00"),
    deja_nombre: int = 0,
    date_adhesion: date | None = None,
    derniere_prise_en_charge: date | None = None,
) -> moteur.Garantie:
    """The engine's view of a guarantee (a plain dataclass: the engine knows nothing of Django)."""
    return moteur.Garantie(
        type=moteur.TypeGarantie(garantie.type_garantie),
        taux=garantie.taux,
        montant=garantie.montant,
        plafond=garantie.plafond_montant,
        deja_consomme=deja_consomme,
        plafond_nombre=garantie.plafond_nombre,
        deja_nombre=deja_nombre,
        libelle=garantie.libelle,
        delai_stage_mois=garantie.delai_stage_mois,
        date_adhesion=date_adhesion,
        renouvellement_annees=garantie.periode_annees if garantie.periode == "annees_glissantes" else None,
        derniere_prise_en_charge=derniere_prise_en_charge,
    )
