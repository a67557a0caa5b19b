"""Token identity between a teacher and a student, checked once before logprobs are distilled.

An API returns the teacher's tokens as text, not ids. They become student ids through the
student's vocabulary read as bytes (`VocabMap`): exact when every teacher token has a student
token with the same bytes, which holds for the same tokenizer and for a teacher vocabulary that
the student's contains. `check_vocab` says so, or why not, naming both models.

    problem = check_vocab(teacher_tok, student_tok, "gemma3-270m", "smollm2-135m")
    vocab = VocabMap(student_tok)            # vocab.id_of(" the") -> 260
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skintern.models.decoding import TokenScore
    from skintern.records import TokenLogprob

_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")


@cache
def _byte_level_alphabet() -> dict[str, int]:
    """GPT-2's printable stand-in character -> byte (`bytes_to_unicode`, inverted)."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    keep += range(ord("®"), ord("ÿ") + 1)
    chars, extra = list(keep), 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(keep, chars, strict=True)}


def _decoder_type(tokenizer: Any) -> str:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return ""
    decoder = json.loads(backend.to_str()).get("decoder") or {}
    return str(decoder.get("type", ""))


def _piece_bytes(piece: str, byte_level: bool) -> bytes | None:
    """A vocabulary entry's bytes: GPT-2 byte-level, or SentencePiece (`▁`, `<0xNN>`)."""
    if byte_level:
        table = _byte_level_alphabet()
        if any(ch not in table for ch in piece):
            return None
        return bytes(table[ch] for ch in piece)
    found = _BYTE_PIECE.fullmatch(piece)
    if found:
        return bytes([int(found.group(1), 16)])
    return piece.replace("▁", " ").encode("utf-8")


def token_bytes(tokenizer: Any) -> dict[bytes, int]:
    """The tokenizer's ordinary tokens by their bytes (special tokens left out; first id wins)."""
    byte_level = _decoder_type(tokenizer) == "ByteLevel"
    special = set(getattr(tokenizer, "all_special_ids", ()))
    table: dict[bytes, int] = {}
    for piece, token_id in sorted(tokenizer.get_vocab().items(), key=lambda item: item[1]):
        if token_id in special:
            continue
        raw = _piece_bytes(piece, byte_level)
        if raw:
            table.setdefault(raw, token_id)
    return table


class VocabMap:
    """Teacher token text -> student token id (same bytes), and the student's own encoding."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.table = token_bytes(tokenizer)

    def id_of(self, token: str) -> int | None:
        """The student id whose bytes are `token`'s UTF-8, or None."""
        return self.table.get(token.encode("utf-8")) if token else None

    def encode(self, text: str) -> list[int]:
        """`text` as the student tokenizes it (no special tokens)."""
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])


def check_vocab(teacher: Any, student: Any, teacher_name: str, student_name: str) -> str | None:
    """None when the teacher's tokens map exactly onto the student's vocabulary, else why not
    (one sentence naming both models)."""
    theirs, ours = token_bytes(teacher), token_bytes(student)
    if theirs == ours:
        return None
    missing = [raw for raw in theirs if raw not in ours]
    if not missing:
        return None
    shown = ", ".join(repr(raw.decode("utf-8", "replace")) for raw in missing[:3])
    return (
        f"the teacher's tokenizer ({teacher_name}, {len(theirs)} tokens) does not map onto the "
        f"student's ({student_name}, {len(ours)} tokens): {len(missing)} teacher tokens have no "
        f"student token with the same text (e.g. {shown})"
    )


def token_texts(tokenizer: Any) -> dict[int, str]:
    """Token id -> its text: the UTF-8 of its bytes, special tokens as written; ids whose bytes
    are not valid UTF-8 on their own (part of a character) are left out."""
    texts = {}
    for raw, token_id in token_bytes(tokenizer).items():
        try:
            texts.setdefault(token_id, raw.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    for token_id in getattr(tokenizer, "all_special_ids", ()):
        texts.setdefault(token_id, str(tokenizer.convert_ids_to_tokens(token_id)))
    return texts


def token_logprobs(texts: dict[int, str], scores: Iterable[TokenScore]) -> tuple[TokenLogprob, ...]:
    """A local model's scored tokens as an API returns them (`TokenLogprob`: text, not ids), so
    they take the path a server's logprobs take. Ends before the first token that is part of a
    character (no text of its own); alternatives without text are dropped."""
    from skintern.records import TokenLogprob

    out = []
    for score in scores:
        text = texts.get(score.id)
        if text is None:
            break
        top = tuple((texts[i], lp) for i, lp in score.top if i in texts)
        out.append(TokenLogprob(text, score.logprob, top))
    return tuple(out)
