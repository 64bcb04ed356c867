from django.db import migrations, models

import surveys.models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0013_instrument_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="languages",
            field=models.JSONField(default=surveys.models.default_survey_languages),
        ),
    ]
