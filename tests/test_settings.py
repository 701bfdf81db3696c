"""Settings: one frozen object per run, made from the table, passed to the pipeline and on to its workers."""

from __future__ import annotations

import dataclasses
import pickle
import threading

import pytest

from newsprism import settings
from newsprism.clean.batch import clean_documents
from newsprism.errors import SettingError
from newsprism.pipeline import Pipeline
from newsprism.records import RawDocument, Rejection
from newsprism.store import open_store

BODY = "The council voted on Tuesday to rebuild the harbour bridge, officials said. Work starts in spring."


def test_the_object_has_every_setting_of_the_table_and_is_frozen():
    values = settings.DEFAULTS
    assert {f.name for f in dataclasses.fields(values)} == {s.name for s in settings.SETTINGS}
    assert all(getattr(values, s.name) == s.default for s in settings.SETTINGS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        values.min_text_chars = 1  # type: ignore[misc]


def test_replace_names_only_settings_that_exist_and_the_object_pickles():
    changed = settings.DEFAULTS.replace({"min_text_chars": 7})
    assert changed.min_text_chars == 7 and changed.changed() == {"min_text_chars": 7}
    assert pickle.loads(pickle.dumps(changed)) == changed
    with pytest.raises(SettingError, match="no_such_setting"):
        settings.DEFAULTS.replace({"no_such_setting": 1})
    for not_a_setting in ("no_such_setting", "replace", "__class__"):
        with pytest.raises(SettingError, match="unknown setting"):
            settings.get(not_a_setting)


def test_a_value_of_the_wrong_type_is_refused_naming_the_setting():
    with pytest.raises(SettingError, match=r"setting min_text_chars takes int values, not '40' \(str\)"):
        settings.DEFAULTS.replace({"min_text_chars": "40"})
    with pytest.raises(SettingError, match="story_storyline_shared_person"):
        settings.Settings(story_storyline_shared_person=1)  # a bool setting takes no number
    widened = settings.DEFAULTS.replace({"story_join_similarity": 2})  # an int where a float goes is one
    assert widened.story_join_similarity == 2.0 and type(widened.story_join_similarity) is float
    # each field is typed as its default, so a checker sees a misspelt or mistyped read
    hints = {f.name: f.type for f in dataclasses.fields(settings.Settings)}
    assert hints["min_text_chars"] == "int" and hints["story_join_similarity"] == "float"


def test_override_is_seen_in_its_own_thread_only():
    seen = {}

    def other_thread():
        seen["other"] = settings.current().min_text_chars

    with settings.override({"min_text_chars": 7}):
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert settings.current().min_text_chars == 7
    assert seen["other"] == settings.DEFAULTS.min_text_chars
    assert settings.current().min_text_chars == settings.DEFAULTS.min_text_chars


def test_a_pipeline_runs_under_its_own_settings(monkeypatch):
    monkeypatch.setattr("newsprism.extract.extract_articles", lambda articles: [])
    strict = settings.DEFAULTS.replace({"min_text_chars": 10_000})
    docs = [RawDocument("a.txt", "text", BODY, {})]
    result = Pipeline(open_store(":memory:"), settings=strict).ingest(docs)
    assert isinstance(result.items[0][1], Rejection) and "min_text_chars=10000" in result.items[0][1].reason
    assert settings.current().min_text_chars == settings.DEFAULTS.min_text_chars  # nothing leaked out


def test_worker_processes_clean_under_the_senders_settings():
    docs = [RawDocument(f"{k}.txt", "text", f"{BODY} Story {k}.", {}) for k in range(4)]
    with settings.override({"clean_batch_min_documents": 2, "min_text_chars": 10_000}):
        out = list(clean_documents(docs, workers=2))
    assert all(isinstance(x, Rejection) and "min_text_chars=10000" in x.reason for x in out)
