"""The model a method is evaluated with: the base student, base + PEFT adapter, or a merged model.

Reads `RUN/train/METHOD/adapter/` (or `eval.checkpoints.METHOD`). An adapter is checked against
the base model before loading: one trained on another base model is a clear `ModelError`, not a
size-mismatch traceback from deep inside PEFT.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skintern.errors import ModelError
from skintern.eval.config import EvalConfig
from skintern.models import LoadedModel, load_model, peft_wrapping

ADAPTER_CONFIG = "adapter_config.json"


def checkpoint_for(method: str, trains: bool, cfg: EvalConfig, run_dir: Path) -> Path | None:
    """The adapter or merged-model folder of `method`, None for an untuned baseline."""
    if method in cfg.checkpoints:
        path = Path(cfg.checkpoints[method])
        if not path.is_dir():
            raise ModelError("checkpoint folder not found", where=f"eval.checkpoints.{method}")
        return path
    if not trains:
        return None
    folder = run_dir / "train" / method
    if (folder / "adapter" / ADAPTER_CONFIG).is_file():
        return folder / "adapter"
    if (folder / "model" / "config.json").is_file():  # full fine-tuning
        return folder / "model"
    raise ModelError(
        f"no trained model for method {method!r} (neither adapter/ nor model/)",
        where=str(folder),
        hint=f"run `skintern train` with train.method={method}, or point "
        f"eval.checkpoints.{method} at an adapter or merged model folder",
    )


def is_adapter(path: Path) -> bool:
    return (path / ADAPTER_CONFIG).is_file()


def adapter_shapes(path: Path) -> dict[str, tuple[int, int]]:
    """Adapted module name -> (in_features, out_features), read from the LoRA A/B weights."""
    from safetensors import safe_open

    weights = path / "adapter_model.safetensors"
    if not weights.is_file():
        raise ModelError("adapter has no adapter_model.safetensors", where=str(path))
    shapes: dict[str, list[int]] = {}
    with safe_open(weights, framework="pt") as handle:
        for key in handle.keys():  # noqa: SIM118 (safe_open is not a mapping)
            module, _, kind = key.removeprefix("base_model.model.").rpartition(".lora_")
            shape = handle.get_slice(key).get_shape()
            entry = shapes.setdefault(module, [0, 0])
            if kind.startswith("A"):
                entry[0] = shape[1]  # A: (r, in_features)
            elif kind.startswith("B"):
                entry[1] = shape[0]  # B: (out_features, r)
    return {name: (a, b) for name, (a, b) in shapes.items()}


def check_adapter(path: Path, base: LoadedModel) -> None:
    """Raise a `ModelError` unless every adapted layer exists in `base` with the same shape."""
    info = json.loads((path / ADAPTER_CONFIG).read_text(encoding="utf-8"))
    trained_on = info.get("base_model_name_or_path") or "an unnamed base model"
    modules = dict(base.model.named_modules())
    for name, (n_in, n_out) in adapter_shapes(path).items():
        layer = modules.get(name)
        found = (getattr(layer, "in_features", None), getattr(layer, "out_features", None))
        if layer is None or found != (n_in, n_out):
            got = "no such layer" if layer is None else f"{found[0]} -> {found[1]}"
            raise ModelError(
                f"adapter was trained on another base model ({trained_on}): layer {name} is "
                f"{n_in} -> {n_out} in the adapter, {got} in {base.name}",
                where=str(path),
                hint="set `student` to the model the adapter was trained on",
            )


def load_student(cfg: EvalConfig, checkpoint: Path | None, base: LoadedModel | None) -> Any:
    """A `LoadedModel` for generation: the base, base + adapter (merged if asked), or a folder.

    `base` is reused when given (untuned methods share one base model).
    """
    if checkpoint is not None and not is_adapter(checkpoint):
        # a merged or fully fine-tuned model folder
        return load_model(str(checkpoint), dtype=cfg.dtype, device=cfg.device)
    base = base or load_model(cfg.model, dtype=cfg.dtype, device=cfg.device)
    if checkpoint is None:
        return base
    from peft import PeftModel

    check_adapter(checkpoint, base)
    try:
        with peft_wrapping():
            model = PeftModel.from_pretrained(base.model, str(checkpoint)).eval()
    except (RuntimeError, ValueError, OSError) as err:
        raise ModelError(f"cannot load the adapter: {err}", where=str(checkpoint)) from None
    if cfg.merge_adapter:
        model = model.merge_and_unload()
    return LoadedModel(
        model=model,
        tokenizer=base.tokenizer,
        name=f"{base.name}+{checkpoint}",
        path=base.path,
        n_params=base.n_params,
        n_nonembedding_params=base.n_nonembedding_params,
        dtype=base.dtype,
    )
