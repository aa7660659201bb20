import json

import pytest

from course_utils.cache import cached, load_results


def test_cached_computes_once_then_reads_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_REGENERATE", raising=False)
    calls = []

    def compute():
        calls.append(1)
        return {"pas": [0.1, 1.0], "exactitude": 0.9}

    first = cached("essai", compute, folder=tmp_path)
    second = cached("essai", compute, folder=tmp_path)
    assert first == second == {"exactitude": 0.9, "pas": [0.1, 1.0]}
    assert len(calls) == 1
    assert json.loads((tmp_path / "essai.json").read_text(encoding="utf-8")) == first


def test_regenerate_flag_recomputes(tmp_path, monkeypatch):
    cached("essai", lambda: {"v": 1}, folder=tmp_path)
    monkeypatch.setenv("COURSE_REGENERATE", "1")
    assert cached("essai", lambda: {"v": 2}, folder=tmp_path) == {"v": 2}
    monkeypatch.delenv("COURSE_REGENERATE")
    assert cached("essai", lambda: {"v": 3}, folder=tmp_path) == {"v": 2}
    assert cached("essai", lambda: {"v": 4}, folder=tmp_path, regenerate=True) == {"v": 4}


@pytest.mark.parametrize(("name", "compute", "error"), [
    ("../x", lambda: {}, ValueError),
    ("ok", None, TypeError),
    ("ok", lambda: [1, 2], TypeError),
])
def test_bad_arguments(tmp_path, name, compute, error):
    with pytest.raises(error):
        cached(name, compute, folder=tmp_path, regenerate=True)


def test_load_results_reads_or_explains(tmp_path):
    cached("banc", lambda: {"rapport": 2.5}, folder=tmp_path, regenerate=True)
    assert load_results("banc", folder=tmp_path) == {"rapport": 2.5}
    with pytest.raises(FileNotFoundError, match="make bench"):
        load_results("absent", folder=tmp_path)


def test_a_truncated_result_file_gets_a_french_error(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_REGENERATE", raising=False)
    (tmp_path / "coupe.json").write_text('{"runs": [1, 2', encoding="utf-8")
    with pytest.raises(ValueError, match="illisible .*COURSE_REGENERATE=1"):
        cached("coupe", lambda: {"v": 1}, folder=tmp_path)
    with pytest.raises(ValueError, match="tronqué"):
        load_results("coupe", folder=tmp_path)
