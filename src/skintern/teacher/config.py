"""The `teacher` section of a run config: which backend, which prompts, how many samples.

Paths (`replay.rationales`, `knowledge.bank`, `knowledge.demonstrations`) are resolved against the
data root (`data.data_dir`, else `$SKINTERN_DATA_DIR`, else ../shared/data) when relative, so
`bbh/teacher-code-davinci-002` means `DATA_ROOT/bbh/teacher-code-davinci-002`; absolute paths are
used as they are. The API key is never part of the config: only the name of the environment
variable that holds it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skintern.markers import NEUTRAL

LOGPROB_BACKENDS = ("openai-http", "transformers")
"""Backends that return the top-K logprobs of what they generate; any backend's rationales can be
scored afterwards by a local model (`teacher.rationales.score_with`)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HttpConfig(_Section):
    """An OpenAI-compatible server (OpenAI, vLLM serve, llama.cpp's server, ...)."""

    base_url: str = Field(
        default="https://api.openai.com/v1", description="Base URL ending in /v1 (or the like)."
    )
    api_key_env: str | None = Field(
        default="OPENAI_API_KEY",
        description="Name of the environment variable holding the API key (never the key); "
        "null for servers without authentication.",
    )
    endpoint: Literal["chat", "completions"] = Field(
        default="chat", description="`chat` (/chat/completions) or `completions` (/completions)."
    )
    system_prompt: str | None = Field(
        default=None, description="Optional system message for the chat endpoint."
    )
    concurrency: int = Field(default=4, ge=1, le=256, description="Requests in flight at once.")
    timeout_s: float = Field(default=120.0, gt=0, description="Per-request timeout in seconds.")
    max_retries: int = Field(
        default=6, ge=0, description="Retries on 429, 5xx, timeouts and dropped connections."
    )
    backoff_s: float = Field(
        default=1.0, ge=0, description="First backoff; doubles per retry, with full jitter."
    )
    backoff_max_s: float = Field(default=60.0, ge=0, description="Longest single backoff.")


class LocalConfig(_Section):
    """In-process generation (transformers, vLLM) and scoring (`rationales.score_with`)."""

    batch_size: int = Field(default=8, ge=1, description="Prompts per generate() call.")
    device: str = Field(default="auto", description="`auto`, `cpu`, `cuda`, `cuda:1`, ...")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="Weights dtype."
    )
    trust_remote_code: bool = Field(
        default=False, description="Allow model repositories to run their own code."
    )


class ReplayConfig(_Section):
    """Existing teacher outputs mapped onto our examples (no model is called)."""

    rationales: str = Field(
        default="bbh/teacher-code-davinci-002",
        description="A folder of TASK.json files `{outputs: [{input, prediction, target}]}` "
        "whose output i is example `ID_PREFIX/TASK/i`, or a JSONL file of `{id, text}` rows.",
    )
    id_prefix: str = Field(default="bbh", description="Dataset part of the mapped example ids.")
    check_inputs: bool = Field(
        default=True,
        description="Check that each replayed output's input contains the example's question.",
    )


class RationaleConfig(_Section):
    """CoT rationales (paper App. D.1): l samples per question, kept when correct."""

    enabled: bool = Field(default=True, description="Ask for rationales at all.")
    samples: int = Field(default=2, ge=1, description="l: samples per question (paper: 2).")
    temperature: float = Field(default=0.8, ge=0, description="Sampling temperature.")
    top_p: float = Field(default=1.0, gt=0, le=1, description="Nucleus sampling p.")
    max_tokens: int = Field(default=1024, ge=1, description="Longest rationale in tokens.")
    seed: int = Field(default=0, description="Sample j is requested with seed `seed + j`.")
    stop: list[str] = Field(default_factory=list, description="Stop strings.")
    logprobs: int = Field(
        default=0,
        ge=0,
        le=20,
        description="K: ask for the top-K log-probabilities of every generated token and keep "
        "them beside the text (RUN/teacher/logprobs.jsonl), the soft targets of `std-cot-kd`; "
        "0 = off. Backends openai-http and transformers give them (the OpenAI API allows at "
        "most 20). With `score_with`, the top-K of the scoring model instead.",
    )
    score_with: str | None = Field(
        default=None,
        description="A local model (alias such as smollm2-135m, folder or hub id) that scores "
        "the kept rationales teacher-forced, whatever backend wrote them (replay, gold, a "
        "server): it reads the question prompt the student is trained on (chat template "
        "applied) and the rationale, and its top-K (`logprobs`) per rationale token become "
        "RUN/teacher/logprobs.jsonl, replacing any logprobs of the backend (which is then not "
        "asked for any). Uses teacher.local's batch_size, device and dtype; cached.",
    )


class KnowledgeConfig(_Section):
    """Symbolic knowledge (paper App. D.2): from the teacher, or a knowledge bank file."""

    source: Literal["teacher", "bank", "none"] = Field(
        default="teacher",
        description="`teacher`: ask the backend; `bank`: import `bank`; `none`: no knowledge.",
    )
    variant: Literal["summary", "full"] = Field(
        default="full",
        description="`summary`: learning summary only; `full`: plus supplementary knowledge.",
    )
    granularity: Literal["example", "task"] = Field(
        default="example", description="One knowledge per training example, or per task."
    )
    task_examples: int = Field(
        default=3, ge=1, description="Task granularity: questions per task shown to the teacher."
    )
    bank: str | None = Field(
        default=None,
        description="Knowledge bank JSONL `{task | id, learning_summary, "
        "supplementary_knowledge}` (source `bank`).",
    )
    demonstrations: str | None = Field(
        default=None,
        description="Hand-written demonstrations JSONL `{question, answer, learning_summary, "
        "supplementary_knowledge}` put before the question (paper: 2-shot).",
    )
    temperature: float = Field(default=0.8, ge=0, description="Sampling temperature.")
    max_tokens: int = Field(default=1024, ge=1, description="Longest answer in tokens.")
    seed: int = Field(default=0, description="Seed of the knowledge requests.")


class Prices(_Section):
    """Prices for the cost estimate in the manifest (e.g. US dollars)."""

    prompt_per_million: float = Field(ge=0, description="Price of 1M prompt tokens.")
    completion_per_million: float = Field(ge=0, description="Price of 1M completion tokens.")
    currency: str = Field(default="USD", description="Unit the prices are in.")


class TeacherConfig(_Section):
    """The teacher stage: backend, prompts, sampling, knowledge and accounting."""

    backend: str = Field(
        default="openai-http",
        description="Registered backend: openai-http, transformers, vllm, replay or gold.",
    )
    model: str = Field(
        default="",
        description="Model name the server knows, or a model id/path for local backends; "
        "for replay, a label for the source (e.g. code-davinci-002).",
    )
    tokenizer: str | None = Field(
        default=None,
        description="The teacher's tokenizer (alias, hub id or folder), checked against the "
        "student's when logprobs are distilled; default: `model` for local backends. Needed "
        "with rationales.logprobs > 0 and backend openai-http.",
    )
    http: HttpConfig = Field(default_factory=HttpConfig, description="HTTP backend settings.")
    local: LocalConfig = Field(default_factory=LocalConfig, description="Local backends.")
    replay: ReplayConfig = Field(default_factory=ReplayConfig, description="Replay backend.")
    rationales: RationaleConfig = Field(
        default_factory=RationaleConfig, description="CoT rationales."
    )
    knowledge: KnowledgeConfig = Field(
        default_factory=KnowledgeConfig, description="Symbolic knowledge."
    )
    prices: Prices | None = Field(default=None, description="Token prices for a cost estimate.")
    progress: bool = Field(
        default=True, description="Show a live progress bar.", json_schema_extra=NEUTRAL
    )

    @field_validator("backend")
    @classmethod
    def _known(cls, name: str) -> str:
        from skintern.errors import ConfigError
        from skintern.teacher.backends import backends

        try:
            backends.get(name)
        except ConfigError as err:  # a ValueError lets pydantic report every problem at once
            raise ValueError(err.message + (f" ({err.hint})" if err.hint else "")) from None
        return name

    @model_validator(mode="after")
    def _consistent(self) -> TeacherConfig:
        if self.backend == "replay" and self.rationales.enabled and self.rationales.samples > 1:
            raise ValueError(
                "replayed outputs hold one rationale per question: set "
                "teacher.rationales.samples=1 with backend replay"
            )
        if self.backend == "replay" and self.knowledge.source == "teacher":
            raise ValueError(
                "backend replay cannot write knowledge: set teacher.knowledge.source to "
                "`bank` (with teacher.knowledge.bank) or `none`"
            )
        rc = self.rationales
        if rc.score_with and not rc.logprobs:
            raise ValueError(
                "teacher.rationales.score_with needs K: set teacher.rationales.logprobs to "
                "1..20 (the top-K the scoring model keeps per token)"
            )
        if rc.logprobs and not rc.score_with and self.backend not in LOGPROB_BACKENDS:
            raise ValueError(
                f"backend {self.backend} gives no logprobs: set teacher.rationales.score_with "
                "to a local model (e.g. smollm2-135m) to score its rationales, or set "
                "teacher.rationales.logprobs=0"
            )
        if self.knowledge.source == "bank" and not self.knowledge.bank:
            raise ValueError("teacher.knowledge.source `bank` needs teacher.knowledge.bank")
        return self


def check_runnable(cfg: TeacherConfig) -> None:
    """What a default-valued section may lack but a teacher run needs (a `ConfigError`)."""
    from skintern.errors import ConfigError

    if cfg.backend not in ("replay", "gold") and not cfg.model:
        raise ConfigError(
            f"backend {cfg.backend!r} needs a model name",
            where="teacher.model",
            hint="e.g. teacher.model=gpt-4o-mini, or teacher.backend=replay",
        )
    if cfg.rationales.logprobs and teacher_tokenizer(cfg) is None:
        raise ConfigError(
            f"backend {cfg.backend!r} with rationales.logprobs = {cfg.rationales.logprobs} needs "
            "the teacher's tokenizer, to map its tokens onto the student's",
            where="teacher.tokenizer",
            hint="name the served model's tokenizer, e.g. teacher.tokenizer=smollm2-135m",
        )


def teacher_tokenizer(cfg: TeacherConfig) -> str | None:
    """The tokenizer of the logprobs' tokens: the scoring model's (`rationales.score_with`),
    else `tokenizer`, else the model itself for a local backend."""
    if cfg.rationales.score_with:
        return cfg.rationales.score_with
    if cfg.tokenizer:
        return cfg.tokenizer
    return cfg.model if cfg.backend in ("transformers", "vllm") and cfg.model else None
