"""Instrument.source_titles: the human title of each cited source, filled for loaded versions."""

from django.db import migrations, models

# A frozen copy of the titles in shared/seeds/README.md, as they stood when this migration was
# written: a migration must not read files that later edits could change.
SEED_TITLES = {
    "000_1234be2258cd8520.txt": (
        'Good Governance Institute: "How to work better across sectors – '
        'minding the culture gap" (2023)'
    ),
    "001_95947a61467bd91b.txt": (
        'Mutual Ventures: "Creating a shared culture is essential for successful '
        'NHS collaboration" (2023)'
    ),
    "002_c0ddc0bd0045b7bc.txt": (
        'Survey of council chief executives, chapter 5: "Cultural differences"'
    ),
    "003_247bfaf6bae303af.txt": 'RSA blog: "Joining up is hard to do"',
    "004_7f19ff9a577783db.txt": 'Briefing: "Culture: a barrier to partnership working?"',
}


def fill_source_titles(apps, schema_editor) -> None:
    """Give every loaded instrument the titles of the sources it cites; its rows stay as they are."""
    Instrument = apps.get_model("surveys", "Instrument")
    Dimension = apps.get_model("surveys", "Dimension")
    Item = apps.get_model("surveys", "Item")
    for instrument in Instrument.objects.all():
        cited: set[str] = set()
        for sources in Dimension.objects.filter(instrument=instrument).values_list(
            "sources", flat=True
        ):
            cited.update(sources)
        for sources in Item.objects.filter(
            dimension__instrument=instrument
        ).values_list("sources", flat=True):
            cited.update(sources)
        instrument.source_titles = {
            source: SEED_TITLES[source] for source in sorted(cited & SEED_TITLES.keys())
        }
        instrument.save(update_fields=["source_titles"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_audit_eligible_recorded"),
    ]

    operations = [
        migrations.AddField(
            model_name="instrument",
            name="source_titles",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The human title of each cited source document, by file name.",
            ),
        ),
        migrations.RunPython(fill_source_titles, migrations.RunPython.noop),
    ]
