"""The public entry points: `extract_answer`, `is_correct`, `extractor_info`.

Each picks the extractor registered for `gold.answer_type` (see `extractor.extractors`).
"""

from __future__ import annotations

from skintern.answers.extractor import Extractor, extractors
from skintern.answers.types import Gold


def extractor_for(gold: Gold) -> Extractor:
    """The extractor for `gold`'s answer type (a `ConfigError` naming the known types if none)."""
    return extractors.get(str(gold.answer_type))


def extract_answer(text: str, example: Gold) -> str | None:
    """The final answer a model's output `text` gives for `example`, canonically spelled, or
    None when it gives none (empty, truncated, hedging between options)."""
    return extractor_for(example).extract(text or "", example)


def is_correct(text: str, example: Gold) -> bool:
    """Whether the model's output `text` answers `example` with its gold answer."""
    extractor = extractor_for(example)
    answer = extractor.extract(text or "", example)
    return answer is not None and extractor.matches(answer, example)


def extractor_info(example: Gold) -> dict[str, str | int]:
    """`{"extractor": name, "version": N}`, recorded in every prediction row it scores."""
    extractor = extractor_for(example)
    return {"extractor": extractor.name, "version": extractor.version}
