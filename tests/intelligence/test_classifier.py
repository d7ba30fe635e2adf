"""The classifier's document-frequency floor follows the size of the training set."""
from __future__ import annotations

from hotline.intelligence.classifier import Settings, TextClassifier, document, min_df_for


def test_a_large_training_set_gets_the_full_floor_and_a_small_one_keeps_two():
    assert min_df_for(8249, 5) == 5 and min_df_for(5980, 5) == 5
    assert min_df_for(3000, 5) == 3
    assert min_df_for(130, 5) == 2
    assert min_df_for(130, 1) == 1  # an explicit lower setting is kept


def test_a_word_seen_in_two_of_a_few_messages_still_decides():
    docs = [document("路灯 不亮 " + filler) for filler in ("晚上", "小区")] + \
           [document("学校 收费 " + filler) for filler in ("家长", "老师")]
    model = TextClassifier.train(docs, ["城建", "城建", "教育", "教育"], settings=Settings())
    assert model.settings.min_df == 2
    assert model.top([document("路灯")], k=1)[0][0][0] == "城建"
