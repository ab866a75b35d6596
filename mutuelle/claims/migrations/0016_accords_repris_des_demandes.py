"""The prior approvals granted before they had their own table: one row per request for prior approval
answered « accord » or « accord partiel », valid six months from the day of the answer (the rule the
liquidation applied to the requests themselves)."""

from django.db import migrations
from django.utils import timezone

from mutuelle.core.calendrier import plus_mois

ACCORD_VALIDITE_MOIS = 6  # as claims.selectors, frozen here: a migration replays the rule of its day


def reprendre(apps, schema_editor):
    Demande = apps.get_model("requests", "Demande")
    AccordPrealable = apps.get_model("claims", "AccordPrealable")
    demandes = Demande.objects.filter(
        type_demande="prise_en_charge",
        decision__in=["accord", "accord_partiel"],
        beneficiaire__isnull=False,
        traitee_le__isnull=False,
        montant_accorde__isnull=False,
    )
    accords = []
    for d in demandes.iterator():
        le = timezone.localdate(d.traitee_le)
        accords.append(
            AccordPrealable(
                numero=d.numero,
                demande_id=d.pk,
                beneficiaire_id=d.beneficiaire_id,
                domaine=d.domaine,
                date_debut=le,
                date_fin=plus_mois(le, ACCORD_VALIDITE_MOIS),
                montant=d.montant_accorde,
            )
        )
    AccordPrealable.objects.bulk_create(accords, batch_size=1000)


def oublier(apps, schema_editor):
    apps.get_model("claims", "AccordPrealable").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0015_accords_prealables")]

    operations = [migrations.RunPython(reprendre, oublier)]
