"""The PDF of the same Word document: LibreOffice converts the .docx headless.

The document names the GB/T 9704 fonts (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体), which a
Linux server does not have. A private fontconfig file maps each to the closest installed free
CJK font (AR PL UMing for the Song/FangSong faces, AR PL UKai for Kai, WenQuanYi Micro Hei for
Hei, each falling back to the others), so sizes, line pitch and layout are the Word document's.
Each conversion uses its own LibreOffice profile directory, so conversions can run side by side.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

MISSING_SOFFICE = ("生成 PDF 需要 LibreOffice：请以 root 运行 scripts/system-deps"
                   "（安装 Debian 软件包 libreoffice-writer-nogui）")
TIMEOUT_SECONDS = 180
SONG = ("AR PL UMing CN", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC")
KAI = ("AR PL UKai CN", "AR PL UMing CN", "Noto Serif CJK SC", "WenQuanYi Micro Hei")
HEI = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "AR PL UMing CN")
SUBSTITUTES = {
    "仿宋_GB2312": SONG, "仿宋": SONG, "FangSong": SONG, "方正小标宋简体": SONG, "方正小标宋_GBK": SONG,
    "宋体": SONG, "SimSun": SONG, "黑体": HEI, "SimHei": HEI, "楷体_GB2312": KAI, "楷体": KAI, "KaiTi": KAI,
}


class PdfError(RuntimeError):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def fontconfig_file(directory: Path) -> Path:
    """A fontconfig file: the system configuration plus aliases for the GB/T 9704 font names."""
    aliases = "\n".join(
        f"  <alias binding=\"same\"><family>{name}</family><prefer>"
        + "".join(f"<family>{f}</family>" for f in families) + "</prefer></alias>"
        for name, families in SUBSTITUTES.items()
    )
    path = directory / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"{aliases}\n</fontconfig>\n", encoding="utf-8",
    )
    return path


def render_pdf(docx: bytes) -> bytes:
    """Convert .docx bytes to PDF bytes; PdfError names the missing package or the failure."""
    binary = soffice()
    if binary is None:
        raise PdfError(MISSING_SOFFICE)
    with tempfile.TemporaryDirectory(prefix="hotline-pdf-") as tmp:
        work = Path(tmp)
        source = work / "bulletin.docx"
        source.write_bytes(docx)
        env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(work)), HOME=str(work))
        command = [binary, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--norestore",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work), str(source)]
        returncode, output = _run(command, env)
        target = work / "bulletin.pdf"
        if returncode != 0 or not target.is_file():
            detail = output.decode("utf-8", "replace").strip()[-500:]
            raise PdfError(f"LibreOffice 转换失败（退出码 {returncode}）：{detail}")
        return target.read_bytes()


def _run(command: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run LibreOffice in its own process group: `soffice` is a wrapper script around soffice.bin,
    so on a timeout the whole group is killed, not just the wrapper (which would orphan the converter)."""
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfError(f"LibreOffice 转换超时（{TIMEOUT_SECONDS} 秒）") from None
    return proc.returncode, err or out
