"""Names a user can type: aliases, folders, hub ids, and the clear errors for bad ones."""

import json

import pytest
import torch

from skintern.errors import ModelError
from skintern.models import load_model, load_tokenizer, resolve
from skintern.models.loading import parse_dtype


def test_unknown_alias_suggests_the_closest_one():
    with pytest.raises(ModelError) as err:
        resolve("smollm-135m")
    assert "unknown model alias 'smollm-135m'" in err.value.message
    assert "did you mean 'smollm2-135m'" in err.value.hint


def test_folder_without_a_model_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelError, match="config.json is missing") as err:
        load_model(str(tmp_path))
    assert err.value.where == str(tmp_path)


def test_folder_with_pickled_weights_only_is_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}), encoding="utf-8")
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(ModelError, match="no \\*.safetensors weights"):
        resolve(str(tmp_path))


def test_a_file_or_a_missing_folder_is_refused(tmp_path):
    model_file = tmp_path / "model.gguf"
    model_file.write_bytes(b"GGUF")
    with pytest.raises(ModelError, match="found a file"):
        resolve(str(model_file))
    with pytest.raises(ModelError, match="no such model folder"):
        resolve(str(tmp_path / "missing"))


def test_uncached_hub_id_without_network_is_a_model_error():
    # Offline this is "not in the local cache"; with a network the repo does not exist. Either
    # way: a ModelError naming the id, never a traceback.
    repo = "skintern-tests/no-such-model-0"
    with pytest.raises(ModelError, match="could not be downloaded") as err:
        resolve(repo)
    assert err.value.where == repo


def test_a_saved_folder_loads_by_path(tiny_random, tmp_path):
    tiny_random.model.save_pretrained(tmp_path)
    tiny_random.tokenizer.save_pretrained(tmp_path)
    loaded = load_model(str(tmp_path))
    assert loaded.path == tmp_path
    assert loaded.n_params == tiny_random.n_params
    assert load_tokenizer(str(tmp_path)).pad_token == tiny_random.tokenizer.pad_token


def test_bad_dtype_and_device_are_model_errors():
    with pytest.raises(ModelError, match="unknown dtype 'float8'"):
        parse_dtype("float8")
    with pytest.raises(ModelError, match="not a device"):
        load_model("tiny-random", device="gpu0")


def test_a_teachers_auto_device_is_one_device_never_a_spread():
    from skintern.models import single_device

    assert single_device("cpu") == "cpu" and single_device("cuda:1") == "cuda:1"
    # "auto" to load_model would spread layers over devices; a local teacher wants one
    assert single_device("auto") == ("cuda" if torch.cuda.is_available() else None)
