import pytest

from skintern.config import RunConfig, dump_config, load_config
from skintern.config.loading import parse_override
from skintern.errors import ConfigError


def write(tmp_path, text):
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence_defaults_yaml_overrides(tmp_path):
    path = write(tmp_path, "name: a\ndata:\n  seed: 3\n")
    assert load_config(RunConfig, path).data.seed == 3
    cfg = load_config(RunConfig, path, ["data.seed=7", "name=b"])
    assert (cfg.data.seed, cfg.name) == (7, "b")
    assert load_config(RunConfig).data.seed == 0


def test_all_problems_reported_at_once_with_keys(tmp_path):
    path = write(tmp_path, "data:\n  seed: fast\n  bogus: 1\n  train:\n    - name: bbhh\n")
    with pytest.raises(ConfigError) as info:
        load_config(RunConfig, path)
    lines = info.value.message.splitlines()
    assert len(lines) == 3
    assert any(line.startswith(f"{path}: data.seed: ") and "'fast'" in line for line in lines)
    assert f"{path}: data.bogus: unknown key" in lines
    assert any("data.train.0" in line and "did you mean 'bbh'" in line for line in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [\n", ":2: not valid YAML"),
        ("- 1\n- 2\n", "expected a mapping"),
        ("", "config file is empty"),
        ("# only a comment\n", "config file is empty"),
    ],
)
def test_bad_yaml(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(RunConfig, path)
    assert expected in str(info.value)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(RunConfig, tmp_path / "nope.yaml")
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(RunConfig, path)


def test_override_values_are_yaml_typed():
    assert parse_override("data.seed=7") == (["data", "seed"], 7)
    assert parse_override("train.lr=1.5e-4") == (["train", "lr"], 1.5e-4)
    assert parse_override("data.train=[]") == (["data", "train"], [])
    assert parse_override("name=x=y") == (["name"], "x=y")
    with pytest.raises(ConfigError):
        parse_override("novalue")


def test_override_into_scalar_is_an_error():
    with pytest.raises(ConfigError, match="not a section"):
        load_config(RunConfig, None, ["name=a", "name.sub=1"])


def test_dump_roundtrips(tmp_path):
    cfg = load_config(RunConfig, None, ["data.seed=5"])
    again = load_config(RunConfig, write(tmp_path, dump_config(cfg)))
    assert again == cfg
