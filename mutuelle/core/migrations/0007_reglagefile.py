"""Service levels in one place: the queues' levels move from backoffice to core, and the two levels
the mutuelle's settings held (prises en charge, documents) become rows of the same table.

The due date a request got was the mutuelle's setting (documents for every kind but prises en charge
and contestations, fixed at 10 days), whatever the queue's row said: each request queue's row is set
to what its requests really got, so no due date changes.
"""

import django.core.validators
from django.db import migrations, models

import mutuelle.core.delais

DOCUMENTS = ("documents", "feuilles_soins", "rib", "modifications", "contrats")


def copier(apps, schema_editor):
    Ancien = apps.get_model("backoffice", "ReglageFile")
    Reglage = apps.get_model("core", "ReglageFile")
    Mutuelle = apps.get_model("core", "Mutuelle")
    for ancien in Ancien.objects.filter(file__in=mutuelle.core.delais.NIVEAUX):
        Reglage.objects.create(file=ancien.file, delai_jours=ancien.delai_jours)
    mutuelle_ = Mutuelle.objects.first()
    effectifs = {"contestations": 10}
    if mutuelle_ is not None:
        effectifs["prises_en_charge"] = mutuelle_.delai_prise_en_charge_jours
        effectifs.update(dict.fromkeys(DOCUMENTS, mutuelle_.delai_documents_jours))
    for cle, jours in effectifs.items():
        defaut = mutuelle.core.delais.NIVEAUX[cle].jours
        if jours != defaut or Reglage.objects.filter(file=cle).exists():
            Reglage.objects.update_or_create(file=cle, defaults={"delai_jours": jours})


def remettre(apps, schema_editor):
    Ancien = apps.get_model("backoffice", "ReglageFile")
    Reglage = apps.get_model("core", "ReglageFile")
    Mutuelle = apps.get_model("core", "Mutuelle")
    reglages = dict(Reglage.objects.values_list("file", "delai_jours"))
    for cle, jours in reglages.items():
        Ancien.objects.update_or_create(file=cle, defaults={"delai_jours": jours})
    Mutuelle.objects.update(
        delai_prise_en_charge_jours=reglages.get("prises_en_charge", 5),
        delai_documents_jours=reglages.get("documents", 2),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_journaux_ajout_seul"),
        ("backoffice", "0002_modifications_proposees"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReglageFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "file",
                    models.CharField(
                        choices=mutuelle.core.delais.CHOIX, max_length=30, unique=True, verbose_name="file"
                    ),
                ),
                (
                    "delai_jours",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="délai de traitement (jours ouvrés)",
                    ),
                ),
            ],
            options={
                "verbose_name": "niveau de service d'une file",
                "verbose_name_plural": "niveaux de service des files",
                "ordering": ["file"],
            },
        ),
        migrations.RunPython(copier, remettre),
        migrations.RemoveField(model_name="mutuelle", name="delai_prise_en_charge_jours"),
        migrations.RemoveField(model_name="mutuelle", name="delai_documents_jours"),
    ]
