from django.db import migrations, models

import surveys.models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0014_invitation_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="languages",
            field=models.JSONField(default=surveys.models.default_survey_languages),
        ),
    ]
