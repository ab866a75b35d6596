"""The mutuelle's own codes for care the Sécu does not reimburse (regles/data/hors_nomenclature.csv),
added to an installation whose nomenclature is already loaded; a fresh one gets them with
``load_nature_prestation`` like the rest."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import migrations

FICHIER = Path(__file__).resolve().parents[3] / "regles" / "data" / "hors_nomenclature.csv"
SOURCE = "Mutuelle (hors nomenclature)"


def ajouter(apps, schema_editor):
    NaturePrestation = apps.get_model("referentiel", "NaturePrestation")
    if not NaturePrestation.objects.exists():
        return
    with FICHIER.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            NaturePrestation.objects.get_or_create(
                code=int(row["PRS_NAT"]),
                defaults={
                    "code_b2": row["PRS_NAT_CB2"],
                    "libelle": row["PRS_NAT_LIB"],
                    "observation": row["PRS_NAT_OBS"],
                    "poste": "medecines_douces",
                    "source": SOURCE,
                },
            )


def retirer(apps, schema_editor):
    apps.get_model("referentiel", "NaturePrestation").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0002_etablissement_bic_etablissement_iban_and_more")]

    operations = [migrations.RunPython(ajouter, retirer)]
