"""Pages under /kb/: a unit's articles and duties, the knowledge editor's review queue and duties, and the
operator desk's search panel (htmx partials). Writes go through hotline.knowledge.services."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.desks.access import forbidden
from hotline.directory.models import Role, User
from hotline.knowledge import selectors, services
from hotline.knowledge.forms import ArticleForm, DutyForm, PanelSearchForm, ReasonForm
from hotline.knowledge.models import Article, ArticleStatus, UpdateDuty
from hotline.knowledge.search import search
from hotline.workorders.services import DomainError

PANEL_ROLES = frozenset({Role.OPERATOR, Role.LEADER, Role.DISPATCHER, Role.KB_EDITOR, Role.ADMIN})


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _writer(user: User) -> bool:
    return services.is_editor(user) or user.role == Role.UNIT_HANDLER


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _writer(user) and user.role != Role.SUPERVISOR:
        return forbidden(request, "知识库管理页面仅限承办单位和知识库编辑使用。")
    today = timezone.localdate()
    editor = services.is_editor(user)
    articles = (selectors.visible_articles(user) if editor else selectors.unit_articles(user)).order_by(
        "-updated_at")[:200]
    duties = selectors.visible_duties(user).order_by("status", "due_date")[:200]
    return render(request, "knowledge/home.html", {
        "editor": editor, "articles": articles, "duties": duties, "today": today,
        "queue": selectors.review_queue() if editor else [],
        "expiring": selectors.expiring_soon(user, today=today) if not editor else [],
    })


def _article_or_404(user: User, pk: int) -> Article:
    article = selectors.visible_articles(user).filter(pk=pk).first()
    if article is None:
        raise Http404("未找到该知识条目")
    return article


def _form_changes(form: ArticleForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {k: data[k] for k in ("title", "body", "keywords", "public", "valid_from", "valid_until")}


def _apply_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def article_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _writer(user):
        return forbidden(request, "仅承办单位和知识库编辑可编写知识条目。")
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(actor=user, **_form_changes(form), submit="submit" in request.POST)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "已保存知识条目")
            return redirect("knowledge:article", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": None})


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    article = _article_or_404(user, pk)
    return render(request, "knowledge/article.html", {
        "article": article, "versions": selectors.article_versions(user, article=article),
        "may_edit": services.may_edit(user, article), "editor": services.is_editor(user),
        "reason_form": ReasonForm(), "statuses": ArticleStatus,
    })


@login_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    article = _article_or_404(user, pk)
    if not services.may_edit(user, article):
        return forbidden(request, "只能编辑本单位的知识条目。")
    initial = {k: getattr(article, k) for k in ("title", "body", "keywords", "public", "valid_from", "valid_until")}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(actor=user, article=article, changes=_form_changes(form),
                                    note=form.cleaned_data["note"])
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "已保存修改")
            return redirect("knowledge:article", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article})


@login_required
def article_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    user = _user(request)
    article = _article_or_404(user, pk)
    row = selectors.article_versions(user, article=article).filter(version=version).first()
    if row is None:
        raise Http404("未找到该版本")
    return render(request, "knowledge/version.html", {"article": article, "v": row})


ACTIONS = {"submit": "已提交审核", "publish": "已发布", "return": "已退回修改", "retire": "已下线"}


@login_required
@require_POST
def article_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    article = _article_or_404(user, pk)
    if action not in ACTIONS:
        raise Http404("未知操作")
    reason = request.POST.get("reason", "")[:500]
    try:
        if action == "submit":
            services.submit_for_review(actor=user, article=article)
        elif action == "publish":
            services.publish(actor=user, article=article)
        elif action == "return":
            services.return_for_changes(actor=user, article=article, reason=reason)
        else:
            services.retire(actor=user, article=article, reason=reason)
    except services.KnowledgeForbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ACTIONS[action])
    return redirect("knowledge:article", pk=article.pk)


@login_required
def duty_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role not in services.DUTY_SETTERS and not user.is_superuser:
        return forbidden(request, "仅知识库编辑可布置知识更新任务。")
    form = DutyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_duty(actor=user, **form.cleaned_data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "已布置知识更新任务")
            return redirect("knowledge:home")
    return render(request, "knowledge/duty_form.html", {"form": form})


@login_required
@require_POST
def duty_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    duty = selectors.visible_duties(user).filter(pk=pk).first()
    if duty is None:
        raise Http404("未找到该任务")
    try:
        services.cancel_duty(actor=user, duty=duty, reason=request.POST.get("reason", "")[:500])
    except services.KnowledgeForbidden as exc:
        return forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("knowledge:home")


# --- the operator desk's knowledge panel (htmx partials) -----------------------------------------

@login_required
def panel_search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role not in PANEL_ROLES:
        return forbidden(request, "知识库检索面板仅限话务员使用。")
    form = PanelSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    hits = search(query, limit=8) if query else []
    return render(request, "knowledge/panel_results.html", {"hits": hits, "query": query})


@login_required
def panel_article(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if user.role not in PANEL_ROLES:
        return forbidden(request, "知识库检索面板仅限话务员使用。")
    from hotline.knowledge.search import offered

    article = Article.objects.filter(offered(public_only=False, today=timezone.localdate()), pk=pk).select_related(
        "unit").first()
    if article is None:
        raise Http404("该知识条目未发布或已过期")
    return render(request, "knowledge/panel_article.html", {"article": article,
                                                            "query": request.GET.get("q", "")[:200]})


def duty_is_overdue(duty: UpdateDuty) -> bool:
    return selectors.is_overdue(duty, today=timezone.localdate())
