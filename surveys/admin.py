"""Django admin for every model: a back office for support staff, not the main UI."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from surveys.models import (
    Answer,
    AuditEvent,
    CacheEntry,
    Comment,
    Dimension,
    Eligibility,
    FocusArea,
    Instrument,
    Invitation,
    Item,
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    ProfileAnswer,
    Response,
    RetiredLink,
    Survey,
    User,
    WorkerHeartbeat,
)
from surveys.services.partnerships import name_clash, refresh_member_names


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class CollabUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
    ]


class OrganisationAdminForm(forms.ModelForm):
    """Refuse a rename that would give two members of one partnership the same name."""

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "sector"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        for partnership in self.instance.partnerships.all():
            for field in ("name", "short_name"):
                value = cleaned.get(field)
                clash = value and name_clash(
                    partnership=partnership,
                    field=field,
                    value=value,
                    organisation=self.instance,
                )
                if clash:
                    self.add_error(field, f"{partnership.name}: {clash}")
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm

    def save_model(
        self,
        request: HttpRequest,
        obj: Organisation,
        form: forms.ModelForm,
        change: bool,
    ) -> None:
        super().save_model(request, obj, form, change)
        refresh_member_names(organisation=obj)

    list_display = ["name", "short_name", "sector", "created_at"]
    list_filter = ["sector"]
    search_fields = ["name", "short_name"]
    readonly_fields = ["public_id", "created_at", "updated_at"]


class PartnershipMemberInline(admin.TabularInline):
    """A partnership's organisations, read only: leads add them on the partnership's pages,
    which check names are unique and create the organisation's links."""

    model = PartnershipMember
    extra = 0
    fields = readonly_fields = ["organisation", "name", "short_name"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PartnershipMember)
class PartnershipMemberAdmin(admin.ModelAdmin):
    """Which organisations belong to which partnerships; read only (see the inline)."""

    list_display = ["name", "short_name", "partnership"]
    list_filter = ["partnership"]
    search_fields = ["name", "short_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: PartnershipMember | None = None
    ) -> bool:
        return False


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "member_count", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    inlines = [PartnershipMemberInline, MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partnership]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="Organisations", ordering="member_total")
    def member_count(self, obj: Partnership) -> int:
        return obj.member_total


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "role", "accepted_at"]
    list_filter = ["role", "partnership"]
    autocomplete_fields = ["user", "partnership"]


@admin.register(RetiredLink)
class RetiredLinkAdmin(admin.ModelAdmin):
    """Keyed hashes of cut resume links: looked at, never written by hand."""

    list_display = ["survey", "created_at"]
    readonly_fields = ["digest", "survey", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = [
        "order",
        "code",
        "text",
        "reverse_scored",
        "response_format",
        "culture_type",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # instruments change only through load_instrument


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "version", "created_at"]
    readonly_fields = [
        "key",
        "version",
        "title",
        "description",
        "scale",
        "source_titles",
        "definition_sha256",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # use `manage.py load_instrument PATH`


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["title", "instrument", "block", "order"]
    list_filter = ["instrument", "block"]
    readonly_fields = [
        "instrument",
        "key",
        "title",
        "description",
        "block",
        "order",
        "sources",
        "source_documents",
    ]
    inlines = [ItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Source documents")
    def source_documents(self, obj: Dimension) -> str:
        return "; ".join(obj.instrument.cite(obj.sources))


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "text",
        "dimension",
        "block",
        "reverse_scored",
        "response_format",
    ]
    list_filter = [
        "dimension__instrument",
        "block",
        "reverse_scored",
        "response_format",
    ]
    search_fields = ["code", "text"]
    readonly_fields = [
        "dimension",
        "code",
        "text",
        "reverse_scored",
        "block",
        "response_format",
        "prompt",
        "culture_type",
        "order",
        "sources",
        "source_documents",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Source documents")
    def source_documents(self, obj: Item) -> str:
        return "; ".join(obj.dimension.instrument.cite(obj.sources))


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["organisation", "kind", "role", "sent_at", "reminded_at", "revoked_at"]
    readonly_fields = ["sent_at", "reminded_at"]
    show_change_link = True


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "partnership",
        "status",
        "opens_at",
        "closes_at",
        "submitted_total",
    ]
    list_filter = ["status", "partnership"]
    search_fields = ["title", "partnership__name"]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    list_select_related = ["partnership"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Survey]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                submitted=Count(
                    "responses", filter=Q(responses__submitted_at__isnull=False)
                )
            )
        )

    @admin.display(description="Submitted", ordering="submitted")
    def submitted_total(self, obj: Survey) -> int:
        return obj.submitted


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "survey", "kind", "email", "sent_at", "revoked_at"]
    list_filter = ["kind", "survey"]
    search_fields = ["email", "organisation__name"]
    # The token is a credential: never displayed, not even to staff.
    exclude = ["token"]
    readonly_fields = [
        "public_id",
        "sent_at",
        "reminded_at",
        "reminder_requested_at",
        "reminder_count",
        "bounced_at",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["survey", "organisation"]


@admin.register(Eligibility)
class EligibilityAdmin(admin.ModelAdmin):
    """How many people each organisation asked: recorded by leads on the round page."""

    list_display = ["survey", "organisation", "eligible"]
    list_filter = ["survey"]
    search_fields = ["organisation__name", "survey__title"]
    readonly_fields = ["survey", "organisation", "created_at", "updated_at"]
    list_select_related = ["survey", "organisation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # leads record it on the round page, which audits it


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["public_id", "survey", "organisation", "started_at", "submitted_at"]
    list_filter = ["survey", "organisation"]
    exclude = ["resume_token", "start_key"]
    readonly_fields = [
        "public_id",
        "survey",
        "organisation",
        "invitation",
        "role",
        "started_at",
        "submitted_at",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["survey", "organisation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # responses come only from respondents


class ReadOnlyAnswerAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAnswerAdmin):
    list_display = ["response", "item", "subject_organisation", "value"]
    list_filter = ["item__dimension"]
    list_select_related = ["response", "item", "subject_organisation"]


@admin.register(ProfileAnswer)
class ProfileAnswerAdmin(ReadOnlyAnswerAdmin):
    list_display = ["response", "item", "points"]
    list_select_related = ["response", "item"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAnswerAdmin):
    list_display = ["response", "dimension", "text"]
    list_select_related = ["response", "dimension"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: events are only ever appended by services."""

    list_display = ["created_at", "partnership", "survey", "actor_name", "action"]
    list_filter = ["action", "partnership"]
    search_fields = ["actor_name", "partnership__name", "survey__title"]
    list_select_related = ["partnership", "survey"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["dimension", "survey", "owner", "due_date", "created_at"]
    list_filter = ["survey__partnership"]
    search_fields = ["finding", "action", "survey__title", "owner__name"]
    readonly_fields = ["public_id", "created_by", "created_at", "updated_at"]
    list_select_related = ["dimension", "survey", "owner"]
    autocomplete_fields = ["survey", "organisation_a", "organisation_b", "owner"]


@admin.register(CacheEntry)
class CacheEntryAdmin(admin.ModelAdmin):
    """Rate-limit counters: delete them to let someone who was locked out try again at once.

    The keys are hashes, so neither addresses nor account names are shown.
    """

    list_display = ["cache_key", "expires"]
    ordering = ["-expires"]
    fields = ["cache_key", "expires"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Task workers and when each last said it was alive (surveys.worker): read only."""

    list_display = ["worker_id", "beat_at"]
    ordering = ["-beat_at"]
    fields = ["worker_id", "beat_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
