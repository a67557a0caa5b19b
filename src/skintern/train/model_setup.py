"""The student as training needs it: loaded, checked to fit in memory, wrapped in LoRA / QLoRA or
made fully trainable. On CPU the weights stay fp32 and bf16 is autocast (`train.precision`); on
GPU a LoRA base model is held in the compute dtype.

The memory check runs on an empty (meta-device) copy of the model before any weight is read, so
a 7B model on a 24 GiB machine fails in a second with the numbers, not after minutes of loading.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from skintern.errors import ConfigError, ModelError
from skintern.models.precision import DTYPES, resolve_precision
from skintern.train.config import TrainConfig

GIB = 1024**3
_BYTES = {torch.float32: 4, torch.bfloat16: 2, torch.float16: 2}


def compute_precision(cfg: TrainConfig, on_gpu: bool) -> str:
    """`train.precision` with `auto` resolved for this machine (see `skintern.models.precision`)."""
    return resolve_precision(cfg.precision, on_gpu)


def train_dtype(cfg: TrainConfig, on_gpu: bool) -> torch.dtype:
    """The dtype weights are loaded in: the compute dtype on GPU, fp32 on CPU, where bf16 is
    autocast (measured: a bf16 base model there was slower, and its norms ran in bf16)."""
    if not on_gpu:
        return torch.float32
    return DTYPES[compute_precision(cfg, on_gpu)]


def set_checkpointing(model: nn.Module, enabled: bool) -> None:
    """Gradient checkpointing on or off (non-reentrant: it restores dropout's RNG on recompute)."""
    from skintern.train.loss import causal_lm

    lm = causal_lm(model)
    if enabled and not lm.is_activation_checkpointing:
        lm.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    elif not enabled and lm.is_activation_checkpointing:
        lm.activation_checkpointing_disable()


def available_memory(on_gpu: bool) -> tuple[float, str]:
    """(bytes free, where measured): free GPU memory, else the host's MemAvailable."""
    if on_gpu:
        free, _ = torch.cuda.mem_get_info()
        return float(free), f"free on {torch.cuda.get_device_name()}"
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024, "available host RAM"
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")), "free host RAM"


@dataclass(frozen=True)
class MemoryEstimate:
    """A lower bound: frozen weights + trainable weights' gradients and AdamW states."""

    params: int
    trainable: int
    weights_bytes: float
    training_bytes: float

    @property
    def total(self) -> float:
        return self.weights_bytes + self.training_bytes


def estimate_memory(skeleton: nn.Module, cfg: TrainConfig, dtype: torch.dtype) -> MemoryEstimate:
    """Estimate from a meta-device model: fp32 grad + 2 AdamW moments (+ fp32 master) each."""
    params = sum(p.numel() for p in skeleton.parameters())
    head = skeleton.get_output_embeddings()
    if cfg.finetune == "full":
        trainable, per_trainable = params, 12 + (4 if dtype != torch.float32 else 0)
    else:
        r = cfg.lora.r
        trainable = sum(
            r * (m.in_features + m.out_features)
            for m in skeleton.modules()
            if isinstance(m, nn.Linear) and m is not head
        )
        per_trainable = 16  # fp32 weight, grad, two moments
    weight_bytes = 0.55 if cfg.finetune == "qlora" else _BYTES[dtype]
    return MemoryEstimate(params, trainable, params * weight_bytes, trainable * per_trainable)


def check_fits(estimate: MemoryEstimate, cfg: TrainConfig, name: str, on_gpu: bool) -> None:
    """Refuse, with the numbers, a model whose weights and optimizer states cannot fit."""
    if cfg.memory_limit_gb is not None:
        free, where = cfg.memory_limit_gb * GIB, "train.memory_limit_gb"
    else:
        free, where = available_memory(on_gpu)
    if estimate.total <= free:
        return
    raise ModelError(
        f"model {name!r} does not fit: {estimate.params / 1e6:.1f}M parameters need at least "
        f"{estimate.total / GIB:.2f} GiB ({estimate.weights_bytes / GIB:.2f} GiB weights + "
        f"{estimate.training_bytes / GIB:.2f} GiB gradients and AdamW states for "
        f"{estimate.trainable / 1e6:.1f}M trainable parameters, before activations), but "
        f"{free / GIB:.2f} GiB is {where}",
        where="train.model",
        hint="use finetune=lora or qlora (GPU), a smaller model, or a machine with more memory",
    )


def skeleton_of(path: Any) -> nn.Module:
    """The model's architecture on the meta device (no weights read, no memory used)."""
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(path)
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config)


def _load_qlora(path: Any, device: torch.device) -> Any:
    if not torch.cuda.is_available() or importlib.util.find_spec("bitsandbytes") is None:
        raise ConfigError(
            "finetune=qlora needs a CUDA GPU and the bitsandbytes package",
            where="train.finetune",
            hint="pip install bitsandbytes on a GPU machine, or use finetune=lora",
        )
    from peft import prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    quant = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=torch.bfloat16,
        bnb_4bit_use_double_quant=True,
    )
    model = AutoModelForCausalLM.from_pretrained(
        path, quantization_config=quant, dtype=torch.bfloat16, device_map={"": device}
    )
    return prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)


def load_student(cfg: TrainConfig, device: torch.device) -> tuple[nn.Module, Any]:
    """(trainable model, tokenizer): checked to fit, LoRA-wrapped unless `finetune=full`."""
    from skintern.models import load_model, load_tokenizer, peft_wrapping, resolve

    on_gpu = device.type == "cuda"
    dtype = train_dtype(cfg, on_gpu)
    path = resolve(cfg.model)
    check_fits(estimate_memory(skeleton_of(path), cfg, dtype), cfg, cfg.model, on_gpu)
    if cfg.finetune == "qlora":
        model, tokenizer = _load_qlora(path, device), load_tokenizer(cfg.model)
    else:
        # Full fine-tuning keeps fp32 master weights; autocast gives bf16 compute on GPU.
        load_dtype = torch.float32 if cfg.finetune == "full" else dtype
        loaded = load_model(cfg.model, dtype=load_dtype)
        model, tokenizer = loaded.model.to(device), loaded.tokenizer
    model.config.use_cache = False
    if cfg.finetune == "full":
        model.requires_grad_(True)
        return model.train(), tokenizer
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(cfg.seed)  # the LoRA initialisation
    lora = LoraConfig(
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=cfg.lora.target_modules,
        task_type="CAUSAL_LM",
    )
    with peft_wrapping():
        model = get_peft_model(model, lora)
    return model.train(), tokenizer  # train mode: LoRA dropout on
