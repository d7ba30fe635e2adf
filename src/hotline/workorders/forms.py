"""One form per work-order action, with only that action's fields (the desks and the case page share them).

A form checks the shape of the input (required, lengths, choices) in Chinese, next to each field; the
rules of the work stay in the services: `ActionForm.perform` calls them and puts a DomainError next to
the field it names (or above the form), so nothing is half-written and the typed input is kept.
"""
from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from hotline import formfields
from hotline.directory.models import Unit, User
from hotline.workorders.limits import NOTE_MAX, REASON_MAX, TEXT_MAX
from hotline.workorders.models import (
    Action, AttachmentKind, CallbackMethod, CallbackResult, ContactMethod, Event, WorkOrder,
)
from hotline.workorders.selectors import reason_choices
from hotline.workorders.services import DomainError, record_transition, transition, transition_with_files

ERRORS = {"required": "请填写此项", "invalid": "格式不正确", "max_length": "不能超过 %(limit_value)d 字（已输入 %(show_value)d 字）",
          "invalid_choice": "请从列表中选择", "min_value": "不能小于 %(limit_value)s", "max_value": "不能大于 %(limit_value)s"}


def _text(label: str, limit: int, *, rows: int = 3, required: bool = True, placeholder: str = "") -> forms.CharField:
    attrs = {"rows": str(rows), "maxlength": str(limit), "placeholder": placeholder}
    return forms.CharField(label=label, max_length=limit, required=required, error_messages=ERRORS,
                           widget=forms.Textarea(attrs=attrs))


class ActionForm(forms.Form):
    """Base: the action it performs, the version the person saw (optimistic locking)."""

    action: ClassVar[str]
    submit_label: ClassVar[str] = "提交"
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=ERRORS)
    # Form fields that carry the service's data keys; errors the service names by key land on these.
    field_of: ClassVar[dict[str, str]] = {}

    @property
    def title(self) -> str:
        return Action(self.action).label

    def reason_text(self) -> str:
        return str(self.cleaned_data.get("reason", ""))

    def payload(self) -> dict[str, Any]:
        return {}

    def perform(self, *, order: WorkOrder, actor: User, ip: str = "", via: str = "page") -> bool:
        """Run the action through the transition service; False (with the error placed) if it refused.
        A step taken is audited with where it came from (`ip`, `via`)."""
        if not self.is_valid():
            return False
        try:
            event = self.run(order=order, actor=actor)
        except DomainError as exc:
            self.place_error(exc)
            return False
        record_transition(actor=actor, event=event, ip=ip, via=via)
        return True

    def run(self, *, order: WorkOrder, actor: User) -> Event:
        return transition(order=order, action=self.action, actor=actor, reason=self.reason_text(),
                          data=self.payload(), expected_version=self.cleaned_data["version"])

    def place_error(self, exc: DomainError) -> None:
        field = self.field_of.get(exc.field or "", exc.field)
        self.add_error(field if field in self.fields and field != "version" else None, exc.message)


class CodedReasonForm(ActionForm):
    """An action that takes a coded reason (理由代码, administrator-edited) beside the free text."""

    reason_code = forms.ChoiceField(label="理由代码（可不选）", required=False, error_messages=ERRORS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *reason_choices(self.action)]

    def payload(self) -> dict[str, Any]:
        code = self.cleaned_data.get("reason_code")
        return {"reason_code": code} if code else {}


class AcceptForm(ActionForm):
    action = Action.ACCEPT
    submit_label = "签收"


class ContactForm(ActionForm):
    action = Action.CONTACT
    submit_label = "登记联系"
    how = forms.ChoiceField(label="联系方式", choices=ContactMethod.choices, error_messages=ERRORS)
    when = forms.DateTimeField(label="联系时间", error_messages=ERRORS, input_formats=["%Y-%m-%dT%H:%M"],
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    outcome = _text("联系结果", NOTE_MAX, rows=2, placeholder="例如：已电话联系诉求人，约定周五上门查看")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["when"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def payload(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("how", "when", "outcome")}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks count, size and (sniffed) type."""

    def __init__(self, **kwargs: Any) -> None:
        accept = ".pdf,.jpg,.jpeg,.png,.webp,.doc,.docx,.xls,.xlsx,.odt"
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ReplyForm(ActionForm):
    action = Action.REPLY
    submit_label = "提交办结回复"
    text = _text("答复内容", TEXT_MAX, rows=5)
    field_of = {"files": "attachments"}
    attachments = MultipleFileField(label="附件（PDF、图片、Word、Excel，每个不超过 10 MB，最多 5 个）", required=False,
                              error_messages=ERRORS)
    kind = forms.ChoiceField(label="附件类别", choices=AttachmentKind.choices, initial=AttachmentKind.REPLY_LETTER,
                             required=False, error_messages=ERRORS)

    def payload(self) -> dict[str, Any]:
        return {"text": self.cleaned_data["text"]}

    def run(self, *, order: WorkOrder, actor: User) -> Event:
        return transition_with_files(
            order=order, action=self.action, actor=actor, data=self.payload(), files=self.cleaned_data["attachments"],
            kind=self.cleaned_data["kind"] or AttachmentKind.REPLY, expected_version=self.cleaned_data["version"])


class RectifyForm(ReplyForm):
    action = Action.RECTIFY
    submit_label = "提交整改回复"
    text = _text("整改情况", TEXT_MAX, rows=5)


class RequestExtensionForm(ActionForm):
    action = Action.REQUEST_EXTENSION
    submit_label = "申请延期"
    days = forms.IntegerField(label="延期工作日", min_value=1, max_value=30, error_messages=ERRORS,
                              widget=forms.NumberInput(attrs={"min": "1", "max": "30"}))
    reason = _text("延期理由", REASON_MAX, rows=2)

    def payload(self) -> dict[str, Any]:
        return {"days": self.cleaned_data["days"]}


class ReturnForm(CodedReasonForm):
    action = Action.RETURN
    submit_label = "退回"
    reason = _text("退回理由", REASON_MAX, rows=2, placeholder="说明为何不属本单位职责，建议的承办单位")


class AcceptReplyForm(ActionForm):
    action = Action.ACCEPT_REPLY
    submit_label = "审核通过"
    reason = _text("审核意见（可不填）", REASON_MAX, rows=2, required=False)


class ReworkForm(CodedReasonForm):
    action = Action.REWORK
    submit_label = "退回返工"
    reason = _text("返工理由", REASON_MAX, rows=2, placeholder="例如：答复文不对题，未说明处理结果")


class ApproveExtensionForm(ActionForm):
    action = Action.APPROVE_EXTENSION
    submit_label = "批准延期"
    days = forms.IntegerField(label="批准延期工作日", min_value=1, max_value=30, error_messages=ERRORS,
                              widget=forms.NumberInput(attrs={"min": "1", "max": "30"}))
    reason = _text("审批意见（可不填）", REASON_MAX, rows=2, required=False)

    def payload(self) -> dict[str, Any]:
        return {"days": self.cleaned_data["days"]}


class RefuseExtensionForm(ActionForm):
    action = Action.REFUSE_EXTENSION
    submit_label = "不予延期"
    reason = _text("不予延期理由", REASON_MAX, rows=2)


class CallbackForm(ActionForm):
    action = Action.CALLBACK
    submit_label = "记录回访结果"
    result = forms.ChoiceField(label="回访结果", choices=CallbackResult.choices, widget=forms.RadioSelect,
                               error_messages=ERRORS)
    attempts = forms.IntegerField(label="拨打次数（未接通时必填）", min_value=1, max_value=20, required=False,
                                  error_messages=ERRORS, widget=forms.NumberInput(attrs={"min": "1", "max": "20"}))
    reason = _text("回访记录（可不填）", REASON_MAX, rows=2, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("result") == CallbackResult.UNREACHABLE and not data.get("attempts"):
            self.add_error("attempts", "未接通时请填写拨打次数")
        return data

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"result": self.cleaned_data["result"], "method": CallbackMethod.MANUAL}
        if self.cleaned_data.get("attempts"):
            out["attempts"] = self.cleaned_data["attempts"]
        return out


class DispatchForm(ActionForm):
    action = Action.DISPATCH
    submit_label = "派单"
    unit = formfields.ModelChoiceField(label="承办单位", queryset=Unit.objects.filter(active=True).order_by("code"),
                                  error_messages=ERRORS)
    co_units = formfields.ModelMultipleChoiceField(label="协办单位（可不选）", required=False, error_messages=ERRORS,
                                              queryset=Unit.objects.filter(active=True).order_by("code"))

    def payload(self) -> dict[str, Any]:
        return {"unit": self.cleaned_data["unit"].pk, "co_units": [u.pk for u in self.cleaned_data["co_units"]]}


class RedispatchForm(DispatchForm):
    action = Action.REDISPATCH
    submit_label = "改派"
    reason = _text("改派理由", REASON_MAX, rows=2)


class AnswerForm(ActionForm):
    action = Action.ANSWER
    submit_label = "直接答复办结"
    reason = _text("答复说明（可不填）", REASON_MAX, rows=2, required=False)


class VerifyForm(CodedReasonForm):
    action = Action.VERIFY
    submit_label = "提交核实结果"
    upheld = forms.TypedChoiceField(label="核实结果", choices=[("true", "不满意属实"), ("false", "不满意不属实")],
                                    coerce=lambda v: v == "true", widget=forms.RadioSelect, error_messages=ERRORS)
    reason = _text("核实情况", REASON_MAX, rows=2, required=False)

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "upheld": self.cleaned_data["upheld"]}


class SuperviseForm(CodedReasonForm):
    action = Action.SUPERVISE
    submit_label = "督办"
    reason = _text("督办要求", REASON_MAX, rows=2)


class CloseForm(ActionForm):
    action = Action.CLOSE
    submit_label = "办结归档"
    reason = _text("说明（可不填）", REASON_MAX, rows=2, required=False)


class MergeForm(ActionForm):
    action = Action.MERGE
    submit_label = "合并"
    into = forms.CharField(label="并入工单编号", max_length=32, error_messages=ERRORS)

    def payload(self) -> dict[str, Any]:
        return {"into": self.cleaned_data["into"].strip()}


class MarkInvalidForm(ActionForm):
    action = Action.MARK_INVALID
    submit_label = "标记无效"
    reason = _text("无效理由", REASON_MAX, rows=2)


UNIT_FORMS: dict[str, type[ActionForm]] = {
    f.action: f for f in (AcceptForm, ContactForm, ReplyForm, RectifyForm, RequestExtensionForm, ReturnForm)
}
# Every action with a page form, in the order a page lists them (the usual next step first).
REVIEW_FORMS: dict[str, type[ActionForm]] = {
    f.action: f for f in (AcceptReplyForm, ReworkForm, ApproveExtensionForm, RefuseExtensionForm)
}
CALLBACK_FORMS: dict[str, type[ActionForm]] = {CallbackForm.action: CallbackForm}
HOTLINE_FORMS: dict[str, type[ActionForm]] = {f.action: f for f in (
    AnswerForm, DispatchForm, RedispatchForm, VerifyForm, SuperviseForm, CloseForm, MergeForm, MarkInvalidForm)}
ACTION_FORMS: dict[str, type[ActionForm]] = {**UNIT_FORMS, **REVIEW_FORMS, **CALLBACK_FORMS, **HOTLINE_FORMS}


_DECIDE_EXTENSION = (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION)


def forms_for(order: WorkOrder, actions: list[str], *, bound: ActionForm | None = None,
              initial: dict[str, dict[str, Any]] | None = None) -> list[ActionForm]:
    """A form for each action the person may take now (the bound one, with its errors, in its place);
    `initial` pre-fills an action's fields (e.g. the requested extension days)."""
    out = []
    for action, form_class in ACTION_FORMS.items():
        if action not in actions:
            continue
        if action == Action.REQUEST_EXTENSION and order.extension_pending:
            continue  # one request at a time
        if action in _DECIDE_EXTENSION and not order.extension_pending:
            continue  # a decision only on a pending request
        if bound is not None and bound.action == action:
            out.append(bound)
        else:
            start = {**(initial or {}).get(action, {}), "version": order.version}
            out.append(form_class(initial=start, prefix=action))
    if bound is not None and bound not in out:
        out.insert(0, bound)  # refused because the case moved on: the person still sees why
    return out

