"""Every shipped config validates, and the generated reference is current."""

from pathlib import Path

import yaml

from skintern.config import RunConfig, load_config
from skintern.config.legacy import upgrade
from skintern.config.reference import render
from skintern.config.run import copied_fields

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_every_shipped_yaml_is_checked():
    files = sorted(CONFIGS.rglob("*.yaml"))
    run_configs, launcher_configs = [], []
    for path in files:
        if "accelerate" in path.parts:  # accelerate/DeepSpeed launcher files, not run configs
            assert "compute_environment" in yaml.safe_load(path.read_text()), path
            launcher_configs.append(path)
        else:
            load_config(RunConfig, path)  # raises a ConfigError naming the key on any problem
            run_configs.append(path)
            raw = yaml.safe_load(path.read_text())
            assert upgrade(raw) == (raw, []), f"{path} uses keys of the old shape"
            for section, fields in copied_fields().items():  # student, schedule: said once
                assert not fields & set(raw.get(section) or {}), (path, section)
    assert len(run_configs) + len(launcher_configs) == len(files)
    assert len(run_configs) >= 2, run_configs  # at least bbh-small and the demo (and paper/*)


def test_reference_is_current():
    committed = (CONFIGS / "REFERENCE.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "configs/REFERENCE.md is stale: python -m skintern.config.reference > configs/REFERENCE.md"
    )
