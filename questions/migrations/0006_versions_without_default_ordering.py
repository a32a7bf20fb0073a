"""No default ordering on versions: it joined the questions table in reads of versions by id."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('questions', '0005_question_delete_takes_versions'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='questionversion',
            options={},
        ),
    ]
