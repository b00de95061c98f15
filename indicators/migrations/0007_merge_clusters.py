from django.db import migrations


class Migration(migrations.Migration):
    """Merges the clusters branch's parameter_version column with main's migrations."""

    dependencies = [
        ("indicators", "0005_value_parameter_version"),
        ("indicators", "0006_merge_20261202_0132"),
    ]

    operations = []
