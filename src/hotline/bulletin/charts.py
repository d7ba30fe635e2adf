"""Pie and bar charts with Chinese labels (matplotlib, Agg backend) as PNG bytes."""
from __future__ import annotations

import io
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from hotline.bulletin.compose import Chart  # noqa: E402

# Installed CJK families, preferred first; fonts-wqy-microhei is what scripts/system-deps installs.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
    "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback", "SimHei", "Microsoft YaHei",
)
CJK_FILE_HINTS = ("wqy", "notosanscjk", "notoserifcjk", "sourcehan", "uming", "ukai", "droidsansfallback",
                  "simhei", "msyh")
MISSING = ("未找到中文字体，无法绘制图表：请以 root 运行 scripts/system-deps（安装 Debian 软件包 "
           "fonts-wqy-microhei）")
DPI = 200
COLORS = ("#c0392b", "#2e86c1", "#f39c12", "#27ae60", "#8e44ad", "#16a085", "#d35400", "#7f8c8d",
          "#2c3e50", "#e84393", "#00b894", "#6c5ce7")
_lock = threading.Lock()
_family: str | None = None


class FontMissingError(RuntimeError):
    pass


def cjk_family() -> str:
    """The first installed CJK font family known to matplotlib (registering system fonts it has not cached)."""
    global _family
    with _lock:
        if _family:
            return _family
        known = {f.name for f in font_manager.fontManager.ttflist}
        found = next((f for f in CJK_FAMILIES if f in known), None)
        if found is None:
            # Fonts installed after matplotlib built its cache: add them by file.
            for path in font_manager.findSystemFonts(fontext="ttf") + _ttc_files():
                if any(hint in Path(path).name.lower().replace("-", "") for hint in CJK_FILE_HINTS):
                    try:
                        font_manager.fontManager.addfont(path)
                    except (OSError, RuntimeError, ValueError):
                        continue
            known = {f.name for f in font_manager.fontManager.ttflist}
            found = next((f for f in CJK_FAMILIES if f in known), None)
        if found is None:
            raise FontMissingError(MISSING)
        _family = found
        return found


def _ttc_files() -> list[str]:
    roots = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]
    return [str(p) for root in roots if root.is_dir() for p in root.rglob("*.ttc")]


def _wrap(label: str, width: int) -> str:
    """At most two lines of `width` characters; longer labels end in an ellipsis."""
    if len(label) <= width:
        return label
    if len(label) <= 2 * width:
        return label[:width] + "\n" + label[width:]
    return label[:width] + "\n" + label[width: 2 * width - 1] + "…"


def render_chart(chart: Chart) -> bytes:
    """The chart as a PNG (16 × 8 cm at 200 dpi); a pie folds its smallest slices into 其他."""
    family = cjk_family()
    fig = Figure(figsize=(6.3, 3.15), dpi=DPI)
    ax = fig.add_subplot()
    labels, values = list(chart.labels), list(chart.values)
    if chart.kind == "pie":
        if len(values) > 7:
            labels, values = labels[:6] + ["其他"], values[:6] + [sum(values[6:])]
        total = sum(values) or 1
        wedges, _ = ax.pie(values, colors=COLORS[: len(values)], startangle=90, counterclock=False,
                           wedgeprops={"linewidth": 0.8, "edgecolor": "white"})
        legend = [f"{_wrap(lbl, 12)}  {v}件（{v * 100 / total:.2f}%）" for lbl, v in zip(labels, values)]
        ax.legend(wedges, legend, prop={"family": family, "size": 11}, loc="center left",
                  bbox_to_anchor=(1.02, 0.5), frameon=False)
        ax.set_aspect("equal")
        fig.subplots_adjust(left=0.0, right=0.5, top=0.98, bottom=0.02)
    else:
        n = len(values)
        positions = list(range(n))
        bars = ax.bar(positions, values, color=COLORS[1], width=0.6)
        ax.set_xticks(positions)
        small = n > 7
        ax.set_xticklabels([_wrap(lbl, 4 if n > 6 else 6) for lbl in labels],
                           fontdict={"family": family, "size": 8 if small else 10}, linespacing=1.0)
        ax.bar_label(bars, labels=[str(v) for v in values], fontsize=8 if small else 10, padding=2)
        ax.set_ylabel("件数", fontdict={"family": family, "size": 10})
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_ylim(0, max(values + [1]) * 1.18)
        slots = max(n, 5)  # a lone bar keeps a normal width
        ax.set_xlim(-0.5 - (slots - n) / 2, n - 0.5 + (slots - n) / 2)
        ax.tick_params(axis="y", labelsize=9)
        fig.subplots_adjust(left=0.09, right=0.99, top=0.97, bottom=0.2)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
