"""CandidateReadiness kept its estimate in percent too, which nothing read: the dashboard shows
the scaled score and its 80% interval."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exams', '0008_scores_and_items_without_default_ordering'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='candidatereadiness',
            name='expected_percent',
        ),
        migrations.RemoveField(
            model_name='candidatereadiness',
            name='high_percent',
        ),
        migrations.RemoveField(
            model_name='candidatereadiness',
            name='low_percent',
        ),
        migrations.AlterField(
            model_name='candidatereadiness',
            name='low_scaled',
            field=models.PositiveSmallIntegerField(help_text='80% interval of the score on a fresh exam.'),
        ),
    ]
