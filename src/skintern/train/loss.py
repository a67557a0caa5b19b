"""Completion-only loss, with vocabulary logits only where the loss needs them.

SKIntern prompts are long (knowledge and examples) while the loss is on the short rationale; a
plain `model(...).logits` computes a vocab-size row for every prompt token too. Here the base
model yields the final hidden states, and the LM head runs on the completion positions alone.
The result equals the masked cross-entropy of the full logits (`reference_loss`, tested).

Right-padded batches (what `encode.collate` builds) run without an attention mask: under the
causal mask no real token ever sees a later pad, and position ids count from 0 either way, so the
result is the same, while attention takes its fused causal kernel instead of a masked one.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from skintern.train.encode import IGNORE


def causal_lm(model: nn.Module) -> Any:
    """The transformers causal LM inside a PEFT wrapper (or the model itself)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def is_right_padded(attention_mask: torch.Tensor) -> bool:
    """True when every row is ones then zeros: the mask adds nothing to causal attention."""
    return bool((attention_mask[:, :-1] >= attention_mask[:, 1:]).all())


class CompletionLoss(nn.Module):
    """Wraps the (PEFT) model so DDP sees one module: forward returns (weighted CE sum, tokens)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model
        lm = causal_lm(model)
        self.softcap = getattr(lm.config, "final_logit_softcapping", None)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor,
        weights: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        lm = causal_lm(self.model)
        backbone = getattr(lm, lm.base_model_prefix)
        mask = None if is_right_padded(attention_mask) else attention_mask
        hidden = backbone(
            input_ids=input_ids, attention_mask=mask, use_cache=False
        ).last_hidden_state
        # Position i predicts token i + 1: keep the positions whose next token is a target.
        targets = labels[:, 1:]
        keep = targets != IGNORE
        selected = hidden[:, :-1][keep]
        logits = lm.get_output_embeddings()(selected).float()
        if self.softcap:  # Gemma-2 style final logit soft-capping
            logits = torch.tanh(logits / self.softcap) * self.softcap
        ce = F.cross_entropy(logits, targets[keep], reduction="none")
        return (ce * weights[:, 1:][keep]).sum(), keep.sum()


def reference_loss(model: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """The same weighted sum from full logits and a masked loss (for tests and benchmarks)."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    targets = batch["labels"][:, 1:]
    ce = F.cross_entropy(
        logits[:, :-1].float().reshape(-1, logits.shape[-1]),
        targets.reshape(-1),
        ignore_index=IGNORE,
        reduction="none",
    ).view_as(targets)
    return (ce * batch["weights"][:, 1:] * (targets != IGNORE)).sum()
