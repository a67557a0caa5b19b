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
from skintern.train.soft import Distill, sparse_kl


def causal_lm(model: nn.Module) -> Any:
    """The transformers causal LM inside a PEFT wrapper (or the model itself)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def is_right_padded(attention_mask: torch.Tensor) -> bool:
    """True when every row is ones then zeros: the mask adds nothing to causal attention."""
    return bool((attention_mask[:, :-1] >= attention_mask[:, 1:]).all())


class CompletionLoss(nn.Module):
    """Wraps the (PEFT) model so DDP sees one module: forward returns (weighted loss sum, tokens).

    The loss of a completion token is its cross-entropy, plus, for a distilling method
    (`distill`) and a batch with soft targets, `kl_weight` times the KL to the teacher's top-K
    (`skintern.train.soft.sparse_kl`), both scaled by the record's weight. `last_kl` keeps the
    last batch's weighted KL sum for the training log.
    """

    def __init__(self, model: nn.Module, distill: Distill | None = None):
        super().__init__()
        self.model = model
        self.distill = distill
        self.last_kl = torch.zeros(())

    def completion_logits(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Float logits at the positions that predict a target token, and the mask picking them."""
        lm = causal_lm(self.model)
        backbone = getattr(lm, lm.base_model_prefix)
        mask = None if is_right_padded(attention_mask) else attention_mask
        hidden = backbone(
            input_ids=input_ids, attention_mask=mask, use_cache=False
        ).last_hidden_state
        # Position i predicts token i + 1: keep the positions whose next token is a target.
        keep = labels[:, 1:] != IGNORE
        logits = lm.get_output_embeddings()(hidden[:, :-1][keep]).float()
        softcap = getattr(lm.config, "final_logit_softcapping", None)
        if softcap:  # Gemma-2 style final logit soft-capping
            logits = torch.tanh(logits / softcap) * softcap
        return logits, keep

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor,
        weights: torch.Tensor,
        soft_ids: torch.Tensor | None = None,
        soft_logprobs: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits, keep = self.completion_logits(input_ids, attention_mask, labels)
        w = weights[:, 1:][keep]
        loss = (F.cross_entropy(logits, labels[:, 1:][keep], reduction="none") * w).sum()
        self.last_kl = torch.zeros((), device=loss.device)  # a batch without soft targets: 0
        if self.distill is not None and soft_ids is not None and soft_logprobs is not None:
            kl = sparse_kl(logits, soft_ids, soft_logprobs, self.distill.temperature)
            self.last_kl = (kl * w).sum().detach()
            loss = loss + self.distill.kl_weight * (kl * w).sum()
        return loss, keep.sum()


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
