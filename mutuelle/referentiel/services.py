"""Loading the prestation nomenclature and mapping each code to a poste of cover."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from mutuelle.core.actions import Action
from mutuelle.core.iban import iban_verifier
from mutuelle.core.services import journal_ecrire
from mutuelle.referentiel.models import NaturePrestation
from regles.nomenclature import load_poste_rules, read_nomenclature

SOURCE_IR_NAT_V = "IR_NAT_V 2020-12"
SOURCE_HORS_NOMENCLATURE = "Mutuelle (hors nomenclature)"


@transaction.atomic
def nature_prestation_charger(
    *, csv_path: Path | None = None, rules_path: Path | None = None, par: Any = None
) -> dict[str, int]:
    """Insert new codes and refresh those loaded from the files; never delete nor touch manual rows.

    The Sécu's nomenclature, then (unless another nomenclature file is given) the mutuelle's own codes
    for care the Sécu does not reimburse (``hors_nomenclature.csv``)."""
    base = Path(settings.MUTUELLE_REFERENCE_DIR)
    fichiers = (
        [(csv_path, SOURCE_IR_NAT_V)]
        if csv_path
        else [
            (base / "IR_NAT_V.csv", SOURCE_IR_NAT_V),
            (base / "hors_nomenclature.csv", SOURCE_HORS_NOMENCLATURE),
        ]
    )
    rules_path = rules_path or base / "postes_nature.yaml"
    rules = load_poste_rules(rules_path)
    natures = [(nature, source) for path, source in fichiers for nature in read_nomenclature(path, rules)]
    existing = {n.code: n for n in NaturePrestation.objects.all()}
    created, updated, unchanged, manual = [], [], 0, 0
    for nature, source in natures:
        row = asdict(nature)
        poste = row.pop("poste").value
        current = existing.get(row["code"])
        if current is None:
            created.append(NaturePrestation(source=source, poste=poste, **row))
            continue
        if current.source != source:
            manual += 1
            continue
        values = {**row, "poste": poste}
        if all(getattr(current, k) == v for k, v in values.items()):
            unchanged += 1
            continue
        for key, value in values.items():
            setattr(current, key, value)
        updated.append(current)
    NaturePrestation.objects.bulk_create(created, batch_size=500)
    NaturePrestation.objects.bulk_update(updated, ["code_b2", "libelle", "observation", "poste"], batch_size=500)
    summary = {
        "crees": len(created),
        "mis_a_jour": len(updated),
        "inchanges": unchanged,
        "manuels_conserves": manual,
    }
    if created or updated:
        journal_ecrire(
            action=Action.NOMENCLATURE_CHARGEE,
            par=par,
            new=summary,
            message="Chargement de " + " et ".join(path.name for path, _source in fichiers),
        )
    return summary


# -- the directory of practitioners and establishments (tiers payant payees) --------------------------

ANNUAIRE_COLONNES = (
    "type",
    "identifiant",
    "nom",
    "prenom",
    "specialite",
    "secteur",
    "optam",
    "categorie",
    "adresse",
    "code_postal",
    "ville",
    "iban",
    "bic",
)


class AnnuaireInvalide(ValueError):
    """The file cannot be loaded; ``erreurs`` names each line and field at fault. Nothing was saved."""

    def __init__(self, erreurs: list[str]) -> None:
        super().__init__(f"{len(erreurs)} erreur(s) dans le fichier : " + " ; ".join(erreurs[:20]))
        self.erreurs = erreurs


def annuaire_importer(chemin: Path, *, par: Any = None) -> dict[str, int]:
    """Load a CSV extract of practitioners (RPPS or ADELI) and establishments (FINESS) with the
    bank details tiers payant is paid to: one row per payee, ``;`` separated, UTF-8, the header
    ``ANNUAIRE_COLONNES`` (``type`` is ``praticien`` or ``etablissement``). A row whose identifier
    is known updates it (a new IBAN clears an earlier bank rejection); a new one is created.

    Every row is checked before anything is written (identifiers' keys, IBAN and BIC, specialty,
    sector): one error and nothing is saved, with each error's line and field. An audit row counts
    what changed; IBANs are never written to it."""
    import csv

    from django.core.exceptions import ValidationError

    from mutuelle.referentiel.models import CategorieEtablissement, Etablissement, Praticien, Secteur, Specialite

    try:
        texte = chemin.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnuaireInvalide(["le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »"]) from exc
    lecteur = csv.DictReader(texte.splitlines(), delimiter=";")
    manquantes = [c for c in ("type", "identifiant", "nom") if c not in (lecteur.fieldnames or [])]
    if manquantes:
        raise AnnuaireInvalide([f"colonnes manquantes dans l'en-tête : {', '.join(manquantes)}"])
    erreurs: list[str] = []
    objets: list[Praticien | Etablissement] = []
    vus: set[str] = set()
    for numero, row in enumerate(lecteur, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        genre, ident = row.get("type", "").lower(), row.get("identifiant", "").replace(" ", "")
        if ident in vus:
            erreurs.append(f"ligne {numero} : l'identifiant {ident} figure déjà plus haut")
            continue
        vus.add(ident)
        iban, bic = "", ""
        if row.get("iban"):
            try:
                verifie = iban_verifier(row["iban"], row.get("bic", ""))
                iban, bic = verifie.iban, verifie.bic
            except ValidationError as exc:
                erreurs.append(f"ligne {numero}, iban : {' '.join(exc.messages)}")
                continue
        if genre == "praticien":
            champ = "rpps" if len(ident) == 11 else "adeli"
            objet: Praticien | Etablissement = Praticien.objects.filter(**{champ: ident}).first() or Praticien(
                **{champ: ident}
            )
            assert isinstance(objet, Praticien)
            objet.nom, objet.prenom = row.get("nom", ""), row.get("prenom", "")
            objet.specialite = row.get("specialite", "").zfill(2) if row.get("specialite") else ""
            objet.secteur = row.get("secteur") or Secteur.SECTEUR_1
            objet.optam = row.get("optam", "").lower() in {"1", "oui", "o", "true", "vrai"}
            objet.code_postal, objet.ville = row.get("code_postal", ""), row.get("ville", "")
            if objet.specialite not in Specialite.values:
                erreurs.append(f"ligne {numero}, specialite : code « {row.get('specialite', '')} » inconnu")
                continue
        elif genre == "etablissement":
            objet = Etablissement.objects.filter(finess=ident).first() or Etablissement(finess=ident)
            assert isinstance(objet, Etablissement)
            objet.raison_sociale = row.get("nom", "")
            objet.categorie = row.get("categorie") or objet.categorie or CategorieEtablissement.PUBLIC
            objet.adresse = row.get("adresse", "")
            objet.code_postal, objet.ville = row.get("code_postal", ""), row.get("ville", "")
        else:
            erreurs.append(f"ligne {numero}, type : « praticien » ou « etablissement » attendu")
            continue
        if iban and iban != objet.iban:
            objet.iban_rejete_le = None  # a new account: the bank has not refused it
        objet.iban, objet.bic = iban or objet.iban, bic or objet.bic
        try:
            objet.full_clean(validate_unique=False)
        except ValidationError as exc:
            erreurs += [f"ligne {numero}, {champ_} : {' '.join(m)}" for champ_, m in exc.message_dict.items()]
            continue
        objets.append(objet)
    if erreurs:
        raise AnnuaireInvalide(erreurs)
    if not objets:
        raise AnnuaireInvalide(["le fichier ne contient aucune ligne après l'en-tête"])
    compte = {"crees": sum(1 for o in objets if o.pk is None), "mis_a_jour": sum(1 for o in objets if o.pk)}
    compte["avec_iban"] = sum(1 for o in objets if o.iban)
    with transaction.atomic():
        for objet in objets:
            objet.save()
        journal_ecrire(action=Action.ANNUAIRE_IMPORTE, par=par, new={"fichier": chemin.name[:100], **compte})
    return compte
