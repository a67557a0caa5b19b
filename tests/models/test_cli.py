"""`skintern models list|info`: in-process through typer, plus one real subprocess for the
error path a user sees (error/hint lines, exit 1, no traceback)."""

import subprocess
import sys

from typer.testing import CliRunner

from skintern.cli.models import app
from skintern.errors import ModelError

runner = CliRunner()


def test_info_prints_sizes_dtype_path_and_template(tiny_random):
    result = runner.invoke(app, ["info", "tiny-random"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"params                 {tiny_random.n_params:,}" in out
    assert f"non-embedding params   {tiny_random.n_nonembedding_params:,}" in out
    assert "dtype                  float32" in out
    assert str(tiny_random.path) in out
    assert "chat template          yes" in out


def test_list_shows_every_alias():
    result = runner.invoke(app, ["list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("smollm2-135m", "gemma3-270m", "tiny-random"):
        assert name in result.stdout


def test_unknown_alias_raises_a_model_error_in_process():
    result = runner.invoke(app, ["info", "tiny-randon"])
    assert isinstance(result.exception, ModelError)


def test_unknown_alias_is_an_error_line_with_a_hint_and_exit_1():
    result = subprocess.run(
        [sys.executable, "-m", "skintern", "models", "info", "tiny-randon"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "error: unknown model alias 'tiny-randon'" in result.stderr
    assert "hint: did you mean 'tiny-random'?" in result.stderr
    assert "Traceback" not in result.stderr
