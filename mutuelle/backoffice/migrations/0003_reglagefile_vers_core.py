"""The queues' service levels now live in core (core.0007 copied the rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0002_modifications_proposees"),
        ("core", "0007_reglagefile"),
    ]

    operations = [migrations.DeleteModel(name="ReglageFile")]
