"""One generic registry per extension point (datasets, methods, extractors, ...).

It is the only list of names: the CLI choices, config validation and the contract tests read it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from skintern.errors import ConfigError

T = TypeVar("T")


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """A "did you mean 'x'?" hint for a mistyped `name`, or None when nothing is close."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else None


class Registry(Generic[T]):
    """Maps a user-facing name (`std-cot`, `bbh`) to an object, with "did you mean" on a miss."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: `@datasets.register("bbh")`."""

        def add(obj: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = obj
            return obj

        return add

    def get(self, name: str) -> T:
        """The entry called `name`, or a `ConfigError` listing the known names."""
        if name in self._entries:
            return self._entries[name]
        known = ", ".join(sorted(self._entries))
        raise ConfigError(
            f"unknown {self.kind} {name!r}; known: {known}", hint=did_you_mean(name, self._entries)
        )

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
