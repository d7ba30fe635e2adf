"""Administration: the synonym list is edited here; articles and duties are shown read-only (their
changes go through the services, which keep versions and the index)."""
from __future__ import annotations

from django.contrib import admin

from hotline.adminbase import ReadOnlyAdmin
from hotline.knowledge.models import Article, ArticleVersion, SynonymGroup, UpdateDuty


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "words")
    search_fields = ("words",)


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("key", "title", "unit", "status", "public", "valid_until", "version", "updated_at")
    list_filter = ("status", "public")
    search_fields = ("key", "title")


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ReadOnlyAdmin):
    list_display = ("article", "version", "action", "status", "changed_by", "changed_at")


@admin.register(UpdateDuty)
class UpdateDutyAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "due_date", "status", "created_at", "done_at")
    list_filter = ("status",)
