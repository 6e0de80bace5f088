"""Exclusive (self) instruction counts per function and per object file from a callgrind output file.

callgrind_annotate mis-attributes costs in dumps of many-threaded async programs (a thread-exit cycle shows
`clone` at 100 % self), so the benchmark reads the file itself: a cost line counts for the current function
unless it directly follows a `calls=` line (that line is the inclusive cost of the call)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path


def self_costs(path: Path) -> tuple[Counter[str], Counter[str], int]:
    """(instructions by function, by object file, total) of one callgrind dump."""
    names: dict[str, dict[str, str]] = {"ob": {}, "fn": {}}
    by_function: Counter[str] = Counter()
    by_object: Counter[str] = Counter()
    total = 0
    obj, fn = "?", "?"
    after_call = False
    compressed = re.compile(r"^\((\d+)\)(?: (.*))?$")

    def resolve(kind: str, value: str) -> str:
        m = compressed.match(value)
        if not m:
            return value
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
            return m.group(2)
        return names[kind].get(m.group(1), value)

    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line:
                continue
            head = line[0]
            if head.isdigit() or head in "+-*":
                if after_call:
                    after_call = False
                    continue
                parts = line.split()
                if len(parts) >= 2:
                    cost = int(parts[1])
                    by_function[fn] += cost
                    by_object[obj] += cost
                    total += cost
                continue
            key, _, value = line.partition("=")
            if key == "ob":
                obj = resolve("ob", value)
            elif key == "fn":
                fn = resolve("fn", value)
            elif key in ("cob", "cfn"):
                resolve("ob" if key == "cob" else "fn", value)
            elif key == "calls":
                after_call = True
    return by_function, by_object, total
