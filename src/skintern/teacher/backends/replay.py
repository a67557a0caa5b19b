"""Backend `replay`: existing teacher outputs read from files and mapped onto our examples.

Two layouts (`teacher.replay.rationales`, relative to the data root unless absolute):

- a folder of `TASK.json` files `{"outputs": [{"input", "prediction", "target"}]}` in the order of
  the task's questions, so output i answers example `ID_PREFIX/TASK/i` (the BBH code-davinci-002
  CoT outputs in `bbh/teacher-code-davinci-002`);
- a JSONL file of `{"id", "text"}` rows (`prediction` is accepted for `text`).

A request whose example has no replayed output fails with reason `replay-missing`; one whose
output was made for another question (`input` does not contain the question) with
`replay-mismatch`. Token counts are zero: nothing was generated.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from skintern.errors import ConfigError, DataError
from skintern.files import read_json, read_jsonl, require
from skintern.teacher.backends.base import Completion, Failure, OnResult, Request, backends
from skintern.teacher.config import TeacherConfig


def resolve_path(path: str, data_root: Path | None) -> Path:
    """`path` as given when absolute, else under the data root."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute() or data_root is None:
        return candidate
    return data_root / candidate


def read_task_outputs(path: Path, prefix: str) -> dict[str, dict[str, str]]:
    """`{example id: {"text", "input"}}` from one `TASK.json` of outputs in question order."""
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), list):
        raise DataError("expected {'outputs': [{input, prediction, target}, ...]}", where=str(path))
    rows = {}
    for index, row in enumerate(data["outputs"]):
        where = f"{path}: outputs[{index}]"
        rows[f"{prefix}/{path.stem}/{index}"] = {
            "text": str(require(row, "prediction", where)),
            "input": str(row.get("input") or ""),
        }
    return rows


def read_id_outputs(path: Path) -> dict[str, dict[str, str]]:
    """`{example id: {"text", "input"}}` from a JSONL file of `{id, text}` rows."""
    rows = {}
    for lineno, row in enumerate(read_jsonl(path), start=1):
        where = f"{path}:{lineno}"
        text = row.get("text", row.get("prediction"))
        if text is None:
            raise DataError("missing field 'text'", where=where)
        rows[str(require(row, "id", where))] = {"text": str(text), "input": ""}
    return rows


@backends.register("replay")
class ReplayBackend:
    """Answers each rationale request with the replayed output for its example."""

    name: ClassVar[str] = "replay"

    def __init__(self, cfg: TeacherConfig, data_root: Path | None = None) -> None:
        self.cfg = cfg
        self.path = resolve_path(cfg.replay.rationales, data_root)
        self._tasks: dict[str, dict[str, dict[str, str]]] = {}
        self._by_id: dict[str, dict[str, str]] | None = None

    @staticmethod
    def identity(cfg: TeacherConfig) -> str:
        return f"replay:{cfg.model or Path(cfg.replay.rationales).name}"

    def check(self) -> None:
        if not self.path.exists():
            raise ConfigError(
                "replayed teacher outputs not found",
                where=str(self.path),
                hint="set teacher.replay.rationales to a folder of TASK.json files or a JSONL "
                "file (relative paths are under the data root)",
            )

    def _output(self, example_id: str, task: str) -> dict[str, str] | None:
        if self.path.is_file():
            if self._by_id is None:
                self._by_id = read_id_outputs(self.path)
            return self._by_id.get(example_id)
        if task not in self._tasks:
            file = self.path / f"{task}.json"
            prefix = self.cfg.replay.id_prefix
            self._tasks[task] = read_task_outputs(file, prefix) if file.is_file() else {}
        return self._tasks[task].get(example_id)

    def answer(self, request: Request) -> Completion | Failure:
        meta: dict[str, Any] = request.meta
        if request.kind != "rationale":
            return Failure(request.key, "replay-unsupported", f"no replayed {request.kind}")
        found = self._output(meta["id"], meta["task"])
        if found is None:
            return Failure(request.key, "replay-missing", f"no output for {meta['id']}")
        question = meta.get("question", "")
        if self.cfg.replay.check_inputs and found["input"] and question not in found["input"]:
            return Failure(request.key, "replay-mismatch", f"output for {meta['id']} is not ours")
        return Completion(request.key, found["text"], finish_reason="replay")

    def generate(self, requests: Sequence[Request], on_result: OnResult) -> None:
        for request in requests:
            on_result(self.answer(request))

    def close(self) -> None:
        pass
