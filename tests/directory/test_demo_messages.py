"""The demo city's message texts are clean: no Excel escapes (`_x000D_`), no padding."""
from hotline.directory.seeds import data_csv


def test_demo_messages_have_no_excel_carriage_return_escapes():
    rows = data_csv("demo/messages.csv")
    assert len(rows) > 100
    for row in rows:
        for field, text in row.items():
            assert "_x000D_" not in text, (field, row["title"])
            assert text == text.strip(), (field, row["title"])
