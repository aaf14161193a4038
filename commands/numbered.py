"""(number, kind) pairs of a bulk run, kept compact.

A bulk run notes each command it recorded by its line (or CSV row) and
kind. As a list of tuples that costs about 90 bytes a command, which a
million-command import turns into tens of megabytes that grow with the
feed; here a pair is 9 bytes (the number in an array, the kind as an index
into the few kinds there are).
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["Numbered"]


class Numbered:
    """A list of (number, kind) that stores them as two arrays."""

    def __init__(self, pairs: Iterable[tuple[int, str]] = ()) -> None:
        self._numbers = array("q")
        self._kinds = array("B")
        self._names: list[str] = []
        self._index: dict[str, int] = {}
        self.extend(pairs)

    def append(self, pair: tuple[int, str]) -> None:
        number, kind = pair
        index = self._index.get(kind)
        if index is None:
            index = self._index[kind] = len(self._names)
            self._names.append(kind)  # a few dozen kinds: fits a byte
        self._numbers.append(number)
        self._kinds.append(index)

    def extend(self, pairs: Iterable[tuple[int, str]]) -> None:
        for pair in pairs:
            self.append(pair)

    def numbers(self) -> array[int]:
        """The numbers alone, in order (a copy, as compact)."""
        return array("q", self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[tuple[int, str]]:
        names = self._names
        for number, kind in zip(self._numbers, self._kinds, strict=True):
            yield number, names[kind]

    def __getitem__(self, at: int) -> tuple[int, str]:
        return self._numbers[at], self._names[self._kinds[at]]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Numbered):
            return list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Numbered({list(self)!r})"
