"""No default ordering on items and scores: it joined and sorted the attempts table in every
query that did not order itself (no schema change)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exams', '0007_itemresponse_drop_group'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='attemptdomainscore',
            options={},
        ),
        migrations.AlterModelOptions(
            name='attemptitem',
            options={},
        ),
        migrations.AlterModelOptions(
            name='attemptsubdomainscore',
            options={},
        ),
    ]
