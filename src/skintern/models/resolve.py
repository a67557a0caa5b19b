"""Turn what a user typed (an alias, a folder, a hub id) into a local model folder.

- an alias (`smollm2-135m`): its cached folder, built first if needed;
- an existing path: checked to hold a config and safetensors weights;
- `org/name`: the hub snapshot (config, tokenizer, safetensors only) from the local Hugging Face
  cache, downloaded when there is a network. Without one and without a cached copy it is a
  `ModelError` that says so, not a traceback.
"""

from __future__ import annotations

from pathlib import Path

from skintern.errors import ConfigError, ModelError
from skintern.models.aliases import aliases

# Everything a causal LM needs to load, and no pickled weights (.bin, .pt, .h5): safetensors only.
HUB_FILES = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "*.tiktoken"]


def check_folder(path: Path) -> Path:
    """`path` if it looks like a transformers model folder, else a `ModelError` saying why."""
    if not path.is_dir():
        raise ModelError(
            "expected a model folder (config.json and *.safetensors), found a file",
            where=str(path),
            hint="GGUF files are converted through an alias; see `skintern models list`",
        )
    if not (path / "config.json").is_file():
        raise ModelError(
            "this folder holds no model: config.json is missing",
            where=str(path),
            hint="point at a folder written by save_pretrained, or use an alias or a hub id",
        )
    if not any(path.glob("*.safetensors")):
        raise ModelError(
            "no *.safetensors weights in this folder (pickled .bin weights are not loaded)",
            where=str(path),
            hint="re-save the model with save_pretrained (safetensors is the default)",
        )
    return path


def _hub_snapshot(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError

    try:
        return Path(snapshot_download(repo_id, allow_patterns=HUB_FILES))
    except (OSError, HfHubHTTPError, ValueError) as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelError(
            f"hub model {repo_id!r} is not in the local Hugging Face cache and could not be "
            f"downloaded ({first_line})",
            where=repo_id,
            hint="download it on a machine with network access (huggingface-cli download "
            f"{repo_id}) and copy the cache, or pass a local folder or an alias "
            f"({', '.join(aliases.names())})",
        ) from None


def _alias_path(name: str) -> Path:
    try:
        alias = aliases.get(name)
    except ConfigError as err:
        raise ModelError(
            err.message,
            hint=(err.hint + " " if err.hint else "")
            + "(a hub model is named org/name; a local folder by its path)",
        ) from None
    return alias.ensure()


def resolve(name: str) -> Path:
    """The local folder for an alias, a path or a hub id (see the module docstring).

    Raises:
        ModelError: unknown alias (with "did you mean"), a path without a model, a hub id that
            is neither cached nor downloadable, or a GGUF package that is not installed.
    """
    if not name or not name.strip():
        raise ModelError("empty model name", hint="give an alias, a folder or a hub id")
    path = Path(name).expanduser()
    if path.exists():
        return check_folder(path)
    if name in aliases:
        return _alias_path(name)
    looks_like_path = name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name
    if looks_like_path:
        raise ModelError("no such model folder", where=name)
    if "/" in name:
        return check_folder(_hub_snapshot(name))
    return _alias_path(name)
