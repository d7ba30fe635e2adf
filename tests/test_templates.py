"""Template hygiene: Django's {# #} comment is one line only; an unclosed one is printed on the page."""
from pathlib import Path

import hotline

ROOT = Path(hotline.__file__).parent


def test_no_template_has_a_comment_spanning_lines():
    bad = [f"{path.relative_to(ROOT)}:{n}" for path in ROOT.rglob("templates/**/*.html")
           for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
           if line.count("{#") > line.count("#}")]
    assert bad == []
