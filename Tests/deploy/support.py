"""Helpers shared by the deploy checks: the report, paths, and lookups into parsed files."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
SOURCES = REPO_ROOT / "Sources"


class Report:
    """Counts checks; prints failures (and passes with -v) as they happen."""

    def __init__(self, verbose: bool) -> None:
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def check(self, name: str, problems: Iterable[str]) -> None:
        problems = list(problems)
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for p in problems:
                print(f"     {p}")
        else:
            self.passed += 1
            if self.verbose:
                print(f"ok   {name}")

    @staticmethod
    def skip(name: str, why: str) -> None:
        print(f"SKIP {name}: {why}")


def rel(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def kubernetes_objects(documents: dict[Path, list[Any]]) -> dict[str, list[tuple[Path, dict[str, Any]]]]:
    objects: dict[str, list[tuple[Path, dict[str, Any]]]] = defaultdict(list)
    for path, docs in documents.items():
        if DEPLOY / "kubernetes" not in path.parents:
            continue
        for doc in docs:
            if isinstance(doc, dict) and "kind" in doc:
                objects[doc["kind"]].append((path, doc))
    return objects


def dig(value: Any, *keys: Any, default: Any = None) -> Any:
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            return default
    return value


def is_enricher_service(service: Any) -> bool:
    if not isinstance(service, dict):
        return False
    image = str(service.get("image", ""))
    dockerfile = str(dig(service, "build", "dockerfile", default=""))
    return "faceid-enricher" in image or dockerfile.endswith("deploy/Dockerfile")


def env_names(environment: Any) -> list[str]:
    if isinstance(environment, dict):
        return [k for k in environment if k != "<<"]
    if isinstance(environment, list):
        return [str(item).split("=", 1)[0] for item in environment]
    return []
