"""The teacher config: unknown keys, cross-field checks, and no secret in any dump."""

import pytest

from skintern.config import RunConfig, dump_config, load_config
from skintern.errors import ConfigError
from skintern.teacher.config import TeacherConfig, check_runnable


def test_shipped_config_uses_replay(tmp_path):
    cfg = load_config(RunConfig, "configs/bbh-small.yaml")
    assert cfg.teacher.backend == "replay"
    assert cfg.teacher.rationales.samples == 1
    assert cfg.teacher.knowledge.source == "bank"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("teacher.backend=openia-http", "did you mean 'openai-http'"),
        ("teacher.http.concurency=3", "teacher.http.concurency: unknown key"),
        ("teacher.rationales.samples=0", "teacher.rationales.samples"),
        ("teacher.rationales.samples=2", "set teacher.rationales.samples=1 with backend replay"),
        ("teacher.knowledge.source=teacher", "backend replay cannot write knowledge"),
    ],
)
def test_bad_values_name_the_key(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(RunConfig, "configs/bbh-small.yaml", [override])


def test_http_backend_needs_a_model():
    with pytest.raises(ConfigError, match="needs a model name") as err:
        check_runnable(TeacherConfig(backend="openai-http"))
    assert err.value.where == "teacher.model"
    check_runnable(TeacherConfig(backend="openai-http", model="m"))


def test_dump_holds_the_variable_name_not_the_key(monkeypatch):
    monkeypatch.setenv("MY_TEACHER_KEY", "sk-very-secret-value")
    cfg = load_config(
        RunConfig, None, ["teacher.model=m", "teacher.http.api_key_env=MY_TEACHER_KEY"]
    )
    text = dump_config(cfg)
    assert "MY_TEACHER_KEY" in text
    assert "sk-very-secret-value" not in text
