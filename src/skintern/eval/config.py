"""The `eval` section of a run config: which methods and model, how to decode, how to score."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from skintern.markers import NEUTRAL, run_wide
from skintern.models.decoding import Decoding
from skintern.models.names import DEFAULT_STUDENT
from skintern.registry import did_you_mean


def _method_name(name: str) -> str:
    from skintern.train.methods import methods

    if name not in methods:
        hint = did_you_mean(name, methods.names())
        raise ValueError(
            f"unknown method {name!r}; known: {', '.join(methods.names())}"
            + (f" ({hint})" if hint else "")
        )
    return name


MethodName = Annotated[str, AfterValidator(_method_name)]


class ReferenceSpec(BaseModel):
    """What "relative FLOPs" is relative to (paper Table 1: the zero-shot prompt on BBH test)."""

    model_config = ConfigDict(extra="forbid")

    method: MethodName = Field(
        default="zero-shot", description="Method whose prompts set the unit."
    )
    dataset: str = Field(default="bbh", description="Test dataset those prompts are built from.")


class EvalConfig(BaseModel):
    """Generation, scoring and cost accounting for every method on every test dataset."""

    model_config = ConfigDict(extra="forbid")

    methods: list[MethodName] = Field(
        default_factory=lambda: ["zero-shot-cot"],
        description="Methods to evaluate (registry names); a trained one reads "
        "RUN/train/METHOD/adapter/.",
    )
    model: str = Field(
        default=DEFAULT_STUDENT,
        description="The run's student, the base model of every evaluated method.",
        json_schema_extra=run_wide("student"),
    )
    checkpoints: dict[str, str] = Field(
        default_factory=dict,
        description="METHOD -> a PEFT adapter folder or a merged model folder to use instead of "
        "RUN/train/METHOD/adapter/.",
    )
    merge_adapter: bool = Field(
        default=False, description="Merge LoRA weights into the base model before generating."
    )
    datasets: list[str] | None = Field(
        default=None, description="Test datasets to evaluate (default: all in RUN/data/test)."
    )
    limit: int | None = Field(
        default=None, ge=1, description="Evaluate at most this many examples per dataset task."
    )
    backend: Literal["transformers", "vllm"] = Field(
        default="transformers", description="Generation backend; vllm needs the vllm extra."
    )
    dtype: Literal["float32", "bfloat16", "float16"] = Field(
        default="float32", description="Weights dtype at inference."
    )
    device: str | None = Field(
        default=None, description="Where the student runs: cpu (default), cuda:0, auto."
    )
    threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads for torch (default: torch's choice); 1 is often fastest on a "
        "machine shared with other jobs.",
        json_schema_extra=NEUTRAL,
    )
    batch_size: int = Field(
        default=8,
        ge=1,
        description="Prompts per generation batch (batched generation equals one by one).",
        json_schema_extra=NEUTRAL,
    )
    max_new_tokens: int = Field(default=256, ge=1, description="Cap on generated tokens.")
    do_sample: bool = Field(default=False, description="Sample instead of greedy decoding.")
    temperature: float = Field(default=1.0, gt=0, description="Sampling temperature.")
    top_p: float = Field(default=1.0, gt=0, le=1, description="Nucleus sampling mass.")
    top_k: int = Field(default=50, ge=0, description="Top-k sampling cut (0: off).")
    seed: int = Field(default=0, description="Sampling and bootstrap seed.")
    stop: list[str] = Field(
        default_factory=lambda: ["\n\nQuestion:", "\n\nQ:"],
        description="Stop strings (cut from the output).",
    )
    stop_at_answer: bool = Field(
        default=True, description='Stop once "Therefore, the answer is X." is complete.'
    )
    in_domain: list[str] = Field(
        default_factory=lambda: ["bbh", "gsm8k"],
        description="Datasets counted in-domain; every other one is out-of-domain.",
    )
    bootstrap_samples: int = Field(
        default=1000, ge=0, description="Bootstrap resamples for the 95% CI (0: no CI)."
    )
    reference: ReferenceSpec = Field(
        default_factory=ReferenceSpec, description="The unit of relative FLOPs."
    )

    @field_validator("methods")
    @classmethod
    def _some_method(cls, names: list[str]) -> list[str]:
        if not names:
            raise ValueError("empty; name at least one method (`skintern train methods`)")
        return names

    def sampling(self) -> Decoding:
        """The decoding settings as the generator takes them."""
        return Decoding(
            max_new_tokens=self.max_new_tokens,
            do_sample=self.do_sample,
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            stop=tuple(self.stop),
            stop_at_answer=self.stop_at_answer,
            batch_size=self.batch_size,
            seed=self.seed,
        )
