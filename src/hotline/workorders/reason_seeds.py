"""The shipped reason codes, worded after the seeds' ledgers (Yueyang 附件3, Xiangtan 附件2) and the
domain's review and callback steps. Applied by the data migration `0005_reason_codes`; an
administrator edits them afterwards (admin: 理由代码)."""
from __future__ import annotations

from typing import Any

# (code, label, actions, upheld) — the faults first: the ledger's quality rules cite them.
REASON_CODES: list[tuple[str, str, list[str], bool | None]] = [
    ("not_contacted", "未及时联系当事人", ["rework", "verify"], True),
    ("false_closure", "虚假结案", ["rework", "verify"], True),
    ("off_point", "文不对题", ["rework", "verify"], True),
    ("wrong_content", "回复内容错误", ["rework", "verify"], True),
    ("not_resolved", "诉求未解决且未说明理由", ["rework", "verify"], True),
    ("incomplete", "回复不完整", ["rework"], None),
    ("no_reply_letter", "未上传回复公函", ["rework"], None),
    ("attitude", "办理态度差", ["verify"], True),
    ("unreasonable", "诉求不合理或超出政策范围", ["verify"], False),
    ("explained", "已依法依规办理并解释到位", ["verify"], False),
    ("not_our_duty", "非本单位职责", ["return"], None),
    ("not_our_area", "不属本辖区", ["return"], None),
    ("unclear_duty", "职责不清", ["return"], None),
    ("info_missing", "诉求信息不全无法办理", ["return"], None),
    ("overdue", "超期未办结", ["supervise"], None),
    ("verified_unsatisfied", "核实不满意需整改", ["supervise"], None),
    ("repeat_complaint", "重复投诉未解决", ["supervise"], None),
    ("leader_instruction", "领导批示督办", ["supervise"], None),
]


def seed_rows() -> list[dict[str, Any]]:
    return [{"code": c, "label": label, "actions": acts, "upheld": up, "order": i}
            for i, (c, label, acts, up) in enumerate(REASON_CODES, start=1)]
