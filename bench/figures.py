"""A figure of `make bench`: its value, its target, met or missed, and how it was measured."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Figure:
    """One line of the targets table."""

    name: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target for this figure
    how: str = ""  # the command or procedure behind it

    @property
    def verdict(self) -> str:
        return {None: "", True: "met", False: "**missed**"}[self.met]


@dataclass
class Results:
    """Everything one run found: figures, the side-by-side table, notes on where cost goes."""

    figures: list[Figure] = field(default_factory=list)
    side_by_side: str = ""  # markdown table, printed at the end and written to the doc
    method: list[str] = field(default_factory=list)  # how the side-by-side rows were measured
    notes: list[str] = field(default_factory=list)  # "where the cost goes" sections (markdown)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        verdict = f"  [{figure.verdict.strip('*')}: {figure.target}]" if figure.target else ""
        print(f"  {figure.name}: {figure.value}{verdict}", flush=True)
