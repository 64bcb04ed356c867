"""Tenancy: names unique within a partnership (not across the service), a permission to
create partnerships, public ids for team members, and audit events for team changes."""

import uuid

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

AUDIT_ACTIONS = [
    ("partnership_created", "Created the partnership"),
    ("partnership_updated", "Changed the partnership details"),
    ("organisation_added", "Added an organisation"),
    ("organisation_removed", "Removed an organisation"),
    ("member_invited", "Invited a colleague"),
    ("member_role_changed", "Changed a colleague’s role"),
    ("member_removed", "Removed a colleague from the team"),
    ("round_created", "Created the round"),
    ("round_opened", "Opened the round"),
    ("round_closed", "Closed the round"),
    ("round_extended", "Extended the round"),
    ("round_reopened", "Reopened the round"),
    ("link_regenerated", "Replaced an organisation link"),
    ("invitations_imported", "Imported personal invitations"),
    ("invitations_sent", "Sent invitations"),
    ("reminders_sent", "Sent reminders"),
    ("personal_data_deleted", "Deleted personal data"),
    ("invitee_erased", "Erased an invitee"),
    ("eligible_recorded", "Recorded how many people were asked"),
    ("invitee_corrected", "Corrected an invitee’s email address"),
    ("invitee_withdrawn", "Withdrew an invitation"),
    ("invitation_resent", "Resent an invitation"),
    ("invitee_message_changed", "Changed the message to invitees"),
]

MEMBERS = "surveys_partnership_members"
NAMES_FOLLOW = "member_names_follow_organisation"


def copy_member_names(apps, schema_editor):
    """Copy each member's names, refusing (with what to fix) a partnership holding a clash."""
    member = apps.get_model("surveys", "PartnershipMember")
    rows = list(member.objects.select_related("organisation", "partnership"))
    seen: dict[tuple, str] = {}
    clashes = []
    for row in rows:
        org = row.organisation
        for kind, value in (("name", org.name), ("short name", org.short_name)):
            key = (row.partnership_id, kind, value.strip().lower())
            if key in seen:
                clashes.append(
                    f"{row.partnership.name}: {seen[key]} and {org.name} share the "
                    f"{kind} ‘{value}’"
                )
            seen.setdefault(key, org.name)
        row.name, row.short_name = org.name, org.short_name
    if clashes:
        raise RuntimeError(
            "Rename these organisations in the admin (Organisations) so that no two "
            "members of one partnership share a name or short name, then migrate "
            "again:\n" + "\n".join(clashes)
        )
    member.objects.bulk_update(rows, ["name", "short_name"])


def give_memberships_public_ids(apps, schema_editor):
    membership = apps.get_model("surveys", "Membership")
    rows = list(membership.objects.all())
    for row in rows:
        row.public_id = uuid.uuid4()
    membership.objects.bulk_update(rows, ["public_id"])


def add_names_follow_key(apps, schema_editor):
    # PostgreSQL only: SQLite (the local demo) cannot add a foreign key to a table.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {MEMBERS} ADD CONSTRAINT {NAMES_FOLLOW} "
            "FOREIGN KEY (organisation_id, name, short_name) "
            "REFERENCES surveys_organisation (id, name, short_name) "
            "ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"
        )


def drop_names_follow_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {MEMBERS} DROP CONSTRAINT {NAMES_FOLLOW}")


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0010_round_dates"),
    ]

    operations = [
        # The many-to-many's own table becomes PartnershipMember: same table, same rows.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PartnershipMember",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="member_rows",
                                to="surveys.organisation",
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="member_rows",
                                to="surveys.partnership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": MEMBERS,
                        "unique_together": {("partnership", "organisation")},
                    },
                ),
                migrations.AlterField(
                    model_name="partnership",
                    name="members",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="partnerships",
                        through="surveys.PartnershipMember",
                        to="surveys.organisation",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="partnershipmember",
            name="name",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="partnershipmember",
            name="short_name",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.RunPython(copy_member_names, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="partnershipmember",
            constraint=models.UniqueConstraint(
                models.F("partnership"),
                django.db.models.functions.text.Lower("name"),
                name="uniq_member_name_ci",
            ),
        ),
        migrations.AddConstraint(
            model_name="partnershipmember",
            constraint=models.UniqueConstraint(
                models.F("partnership"),
                django.db.models.functions.text.Lower("short_name"),
                name="uniq_member_short_name_ci",
            ),
        ),
        migrations.AddConstraint(
            model_name="partnershipmember",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("name", ""), _negated=True),
                    models.Q(("short_name", ""), _negated=True),
                ),
                name="member_names_copied",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="organisation",
            name="uniq_organisation_name_ci",
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(
                fields=("id", "name", "short_name"), name="organisation_names_key"
            ),
        ),
        migrations.RunPython(add_names_follow_key, drop_names_follow_key),
        migrations.AlterModelOptions(
            name="partnership",
            options={
                "ordering": ["name"],
                "permissions": [
                    (
                        "create_partnership",
                        "Can create partnerships (and become their lead)",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="membership",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_memberships_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.RemoveConstraint(
            model_name="auditevent",
            name="audit_action_valid",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=AUDIT_ACTIONS, max_length=32),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(("action__in", [a for a, _ in AUDIT_ACTIONS])),
                name="audit_action_valid",
            ),
        ),
    ]
