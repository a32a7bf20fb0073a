"""ItemResponse.group: nothing ever wrote it (the rebuild ranks attempts in SQL as it goes)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exams', '0006_attemptitem_redundant_indexes'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='itemresponse',
            name='group',
        ),
    ]
