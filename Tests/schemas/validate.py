#!/usr/bin/env python3
"""Validate faceid-enricher events against the JSON Schemas in schemas/.

What it checks
  * every *.schema.json is a valid draft 2020-12 schema;
  * every sample (schemas/*.sample.json) passes its schema and the contract rules a
    schema cannot express (output_rules and media_rules below);
  * every negative sample (schemas/invalid/*.json) FAILS, and fails for the reason
    recorded in schemas/invalid/expected-failures.json (so a negative that breaks
    for an unrelated reason, or stops breaking, is reported);
  * optionally, JSON-lines files of real records from an end-to-end run:
      --input FILE        values read from (or produced to) the input topic
      --output FILE       values of the output topic
      --dlq-headers FILE  header maps of the DLQ topic
    Each line is either the bare value (for --dlq-headers: the bare header map) or a
    record object {"topic", "partition", "offset", "key", "value", "headers"} where
    "value" is a JSON string holding the value or the value itself, and "headers" is
    an object or a list of [name, value] pairs. With a record object, --output also
    checks the content-type header. With both --input and --output, each output is
    matched to its input by eventId (bizToken and metadata must carry over).

The schema a sample is checked against follows from its file name: input-event*,
output-event*, dlq-headers*. Messages name the JSON path and the rule broken, never
the offending value (real output carries media URLs that must not reach CI logs).

Prints one line per failure (and per check with -v), then "N passed, N failed".
Exit status: 0 all passed, 1 any failure, 2 usage or environment error.
Needs: jsonschema >= 4.18, rfc3339-validator (for "format": "date-time").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

try:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
except ImportError:  # pragma: no cover - environment problem, not a validation failure
    print("validate.py: needs the jsonschema package (pip install jsonschema rfc3339-validator)", file=sys.stderr)
    sys.exit(2)

REPO_ROOT = Path(__file__).resolve().parents[2]
KINDS = ("input-event", "output-event", "dlq-headers")
METADATA_MAX_BYTES = 16 * 1024
INPUT_VALUE_MAX_BYTES = 64 * 1024
MEDIA_TTL = timedelta(minutes=10)
MEDIA_URL_FIELDS = ("VideoBestFrameUrl", "VideoUrl")
OUTPUT_CONTENT_TYPE = "application/cloudevents+json"


@dataclass
class Problem:
    """One reason a document is invalid: a JSON pointer (or rule:name) and a message free of instance values."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where or '/'}: {self.what}"


class Tally:
    """Counts checks and prints failures as they happen."""

    def __init__(self, verbose: bool) -> None:
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def record(self, label: str, problems: list[str]) -> None:
        if problems:
            self.failed += 1
            print(f"FAIL {label}")
            for p in problems[:10]:
                print(f"     {p}")
            if len(problems) > 10:
                print(f"     … and {len(problems) - 10} more")
        else:
            self.passed += 1
            if self.verbose:
                print(f"ok   {label}")


# MARK: Schema loading


def load_validators(schema_dir: Path) -> dict[str, Draft202012Validator]:
    validators = {}
    for kind in KINDS:
        path = schema_dir / f"{kind}.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        validators[kind] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validators


def ensure_date_time_is_checked(validator: Draft202012Validator) -> None:
    """jsonschema silently accepts any date-time when rfc3339-validator is missing: refuse to run then."""
    if validator.format_checker is None or validator.format_checker.conforms("24/11/2026", "date-time"):
        print(
            "validate.py: format 'date-time' is not being checked; install rfc3339-validator",
            file=sys.stderr,
        )
        sys.exit(2)


def kind_of(path: Path) -> str | None:
    for kind in KINDS:
        if path.name.startswith(kind):
            return kind
    return None


# MARK: Schema errors, described without instance values


def pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def describe(error: ValidationError) -> str:
    rule = error.validator
    value = error.validator_value
    if rule in ("const", "enum", "pattern", "format", "type", "minLength", "maxLength", "minimum", "maximum"):
        return f"breaks {rule} {json.dumps(value)}"
    if rule == "required":
        missing = [name for name in value if isinstance(error.instance, dict) and name not in error.instance]
        return f"lacks required {', '.join(missing) or value}"
    if rule in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        return f"has properties not in the schema: {', '.join(extra)}"
    if rule == "propertyNames":
        return "has a property name that breaks the naming rule"
    if rule == "not":
        return f"must not match {json.dumps(value)}"
    return f"breaks {rule}"


def schema_problems(validator: Draft202012Validator, document: Any) -> list[Problem]:
    problems = []

    def walk(error: ValidationError, depth: int) -> None:
        problems.append(Problem(pointer(error.absolute_path), describe(error)))
        if depth < 3:
            for sub in error.context or []:
                walk(sub, depth + 1)

    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        walk(error, 0)
    return problems


# MARK: Contract rules a schema cannot express


def parse_rfc3339(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", text)
    if not match:
        return None
    base, fraction, zone = match.groups()
    fraction = (fraction or ".0")[:7]  # Python keeps microseconds
    zone = "+00:00" if zone in ("Z", "z") else zone
    try:
        return datetime.fromisoformat(f"{base.replace('t', 'T')}{fraction}{zone}")
    except ValueError:
        return None


def serialized_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def input_rules(event: Any, raw_size: int | None) -> list[Problem]:
    problems = []
    if raw_size is not None and raw_size > INPUT_VALUE_MAX_BYTES:
        problems.append(Problem("rule:value-size", f"value is {raw_size} bytes, over {INPUT_VALUE_MAX_BYTES}"))
    if isinstance(event, dict) and isinstance(event.get("metadata"), dict):
        size = serialized_size(event["metadata"])
        if size > METADATA_MAX_BYTES:
            problems.append(Problem("rule:metadata-size", f"metadata is {size} bytes serialized, over {METADATA_MAX_BYTES}"))
    return problems


def has_media_urls(result: Any) -> bool:
    return isinstance(result, dict) and any(isinstance(result.get(f), str) and result[f] for f in MEDIA_URL_FIELDS)


def output_rules(event: Any) -> list[Problem]:
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        return []
    data = event["data"]
    problems = []
    if event.get("id") != data.get("eventId"):
        problems.append(Problem("rule:id-is-event-id", "id differs from data.eventId"))
    if event.get("subject") != data.get("bizToken"):
        problems.append(Problem("rule:subject-is-biz-token", "subject differs from data.bizToken"))
    expires = data.get("mediaExpiresAt")
    if has_media_urls(data.get("result")):
        fetched, expiry = parse_rfc3339(data.get("fetchedAt")), parse_rfc3339(expires)
        if expiry is None:
            problems.append(Problem("rule:media-expiry", "result has media URLs but mediaExpiresAt is not a date-time"))
        elif fetched is not None and abs((expiry - fetched) - MEDIA_TTL) > timedelta(milliseconds=1):
            problems.append(Problem("rule:media-expiry", "mediaExpiresAt is not fetchedAt + 10 minutes"))
    elif expires is not None:
        problems.append(Problem("rule:media-expiry", "mediaExpiresAt is set but result has no media URLs"))
    if isinstance(data.get("metadata"), dict):
        size = serialized_size(data["metadata"])
        if size > METADATA_MAX_BYTES:
            problems.append(Problem("rule:metadata-size", f"metadata is {size} bytes serialized, over {METADATA_MAX_BYTES}"))
    return problems + media_rules(data)


MEDIA_KINDS = (
    # data.media member, result URL member, result MD5 member, Intl inline member, object name
    ("bestFrame", "VideoBestFrameUrl", "VideoBestFrameMd5", "BestFrameBase64", "best-frame"),
    ("video", "VideoUrl", "VideoMd5", "VideoBase64", "video"),
)


def media_rules(data: dict[str, Any]) -> list[Problem]:
    """data.media names exactly the media the result has, with its MD5, under {bizToken}/{RequestId}/."""
    media = data.get("media")
    if not isinstance(media, dict):
        return []
    result = data.get("result") if isinstance(data.get("result"), dict) else {}
    problems = []
    for member, url_member, md5_member, inline_member, name in MEDIA_KINDS:
        url = result.get(url_member)
        inline = result.get(inline_member)
        has_url = isinstance(url, str) and bool(url)
        has_media = has_url or (isinstance(inline, str) and bool(inline)) or isinstance(inline, dict)
        entry = media.get(member)
        if not has_media:
            if entry is not None:
                problems.append(Problem("rule:media-matches-result", f"media.{member} is set but the result has no such media"))
            continue
        if not isinstance(entry, dict):
            problems.append(Problem("rule:media-matches-result", f"the result has {member} media but media.{member} is missing"))
            continue
        expected_md5 = result.get(md5_member) if has_url else (inline.get("md5") if isinstance(inline, dict) else None)
        if isinstance(expected_md5, str) and entry.get("md5") != expected_md5.lower():
            problems.append(Problem("rule:media-matches-result", f"media.{member}.md5 differs from the result's MD5"))
        if isinstance(inline, dict) and entry.get("bytes") != inline.get("bytes"):
            problems.append(Problem("rule:media-matches-result", f"media.{member}.bytes differs from the result's placeholder"))
        uri = entry.get("uri")
        key = re.escape(f"{data.get('bizToken')}/{result.get('RequestId')}/{name}.")
        if isinstance(uri, str) and not re.search(f"/{key}[a-z0-9]+$", uri):
            problems.append(Problem("rule:media-key", f"media.{member}.uri does not end in {{bizToken}}/{{RequestId}}/{name}.{{ext}}"))
    return problems


def check_document(kind: str, document: Any, validators: dict[str, Draft202012Validator], raw_size: int | None = None) -> list[Problem]:
    problems = schema_problems(validators[kind], document)
    if kind == "input-event":
        problems += input_rules(document, raw_size)
    elif kind == "output-event":
        problems += output_rules(document)
    return problems


# MARK: Samples and negative samples


def strict_json(text: str) -> Any:
    def reject_constant(name: str) -> Any:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=reject_constant)


def sample_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.json") if not p.name.endswith(".schema.json") and p.name != "expected-failures.json")
        else:
            yield path


def check_samples(paths: list[Path], validators: dict[str, Draft202012Validator], tally: Tally) -> None:
    expectations: dict[Path, dict[str, str]] = {}
    for path in sample_files(paths):
        label = str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)
        kind = kind_of(path)
        if kind is None:
            tally.record(label, [f"file name starts with none of {', '.join(KINDS)}"])
            continue
        try:
            raw = path.read_bytes()
            document = strict_json(raw.decode("utf-8"))
        except (OSError, ValueError) as error:
            tally.record(label, [f"unreadable JSON: {type(error).__name__}"])
            continue
        problems = check_document(kind, document, validators, len(raw) if kind == "input-event" else None)
        if path.parent.name != "invalid":
            tally.record(label, [str(p) for p in problems])
            continue
        table = expectations.setdefault(path.parent, load_expectations(path.parent))
        expected = table.get(path.name)
        if expected is None:
            tally.record(label, [f"negative sample has no entry in {path.parent.name}/expected-failures.json"])
        elif not problems:
            tally.record(label, [f"negative sample PASSED validation (expected a failure at {expected})"])
        elif not any(p.where == expected or (expected and p.where.startswith(expected + "/")) for p in problems):
            tally.record(label, [f"failed, but not at {expected}:"] + [str(p) for p in problems])
        else:
            tally.record(label + " (rejected as expected)", [])


def load_expectations(directory: Path) -> dict[str, str]:
    path = directory / "expected-failures.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: where for name, where in table.items() if not name.startswith("$")}


# MARK: JSON-lines files of real records


def header_map(headers: Any) -> dict[str, Any] | None:
    if isinstance(headers, dict):
        return headers
    if isinstance(headers, list) and all(isinstance(h, list) and len(h) == 2 for h in headers):
        return {str(name): value for name, value in headers}
    return None


def unwrap(kind: str, line: Any) -> tuple[Any, dict[str, Any] | None, int | None, str | None]:
    """Returns (document, record headers, raw value size, problem) for one JSON line."""
    if kind == "dlq-headers":
        if isinstance(line, dict) and "headers" in line and not any(k.startswith("x-dlq-") for k in line):
            headers = header_map(line["headers"])
            return headers, headers, None, None if headers is not None else "headers is neither a map nor [name, value] pairs"
        return line, None, None, None
    marker = "eventId" if kind == "input-event" else "specversion"
    if isinstance(line, dict) and "value" in line and marker not in line:
        value = line["value"]
        headers = header_map(line.get("headers")) if "headers" in line else None
        if isinstance(value, str):
            try:
                return strict_json(value), headers, len(value.encode("utf-8")), None
            except ValueError:
                return None, headers, None, "record value is not valid JSON"
        return value, headers, serialized_size(value), None
    return line, None, serialized_size(line), None


def check_jsonl(kind: str, path: Path, validators: dict[str, Draft202012Validator], tally: Tally) -> list[Any]:
    documents = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        tally.record(f"{path} ({kind})", [f"unreadable: {type(error).__name__}"])
        return documents
    checked = 0
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        checked += 1
        label = f"{path}:{number} ({kind})"
        try:
            line = strict_json(text)
        except ValueError:
            tally.record(label, ["line is not valid JSON"])
            continue
        document, headers, raw_size, problem = unwrap(kind, line)
        if problem:
            tally.record(label, [problem])
            continue
        problems = [str(p) for p in check_document(kind, document, validators, raw_size)]
        if kind == "output-event" and headers is not None:
            content_type = headers.get("content-type")
            if content_type != OUTPUT_CONTENT_TYPE:
                problems.append(f"rule:content-type: header content-type is not {OUTPUT_CONTENT_TYPE}")
        tally.record(label, problems)
        documents.append(document)
    if checked == 0:
        tally.record(f"{path} ({kind})", ["file holds no records"])
    return documents


def check_carry_over(inputs: list[Any], outputs: list[Any], tally: Tally) -> None:
    """Each output must come from an input with the same eventId, bizToken and metadata."""
    by_id = {e["eventId"]: e for e in inputs if isinstance(e, dict) and isinstance(e.get("eventId"), str)}
    problems = []
    for output in outputs:
        data = output.get("data") if isinstance(output, dict) else None
        if not isinstance(data, dict):
            continue
        event_id = data.get("eventId")
        source = by_id.get(event_id)
        if source is None:
            problems.append(f"rule:carry-over: an output has an eventId that no input has (id {json.dumps(event_id)[:80]})")
            continue
        if data.get("bizToken") != source.get("bizToken"):
            problems.append(f"rule:carry-over: output {json.dumps(event_id)[:80]} has another bizToken than its input")
        if data.get("metadata") != source.get("metadata") or (("metadata" in data) != ("metadata" in source)):
            problems.append(f"rule:carry-over: output {json.dumps(event_id)[:80]} does not carry its input's metadata verbatim")
    tally.record(f"carry-over of {len(outputs)} outputs from {len(by_id)} inputs", problems)


# MARK: Main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="sample files or directories (default: schemas/ when no JSON-lines file is given)")
    parser.add_argument("--input", type=Path, help="JSON-lines file of input events")
    parser.add_argument("--output", type=Path, help="JSON-lines file of output events")
    parser.add_argument("--dlq-headers", type=Path, help="JSON-lines file of DLQ header maps")
    parser.add_argument("--schemas", type=Path, default=REPO_ROOT / "schemas", help="directory holding the *.schema.json files")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the checks that pass")
    args = parser.parse_args(argv)

    tally = Tally(args.verbose)
    try:
        validators = load_validators(args.schemas)
    except (OSError, ValueError) as error:
        print(f"validate.py: cannot load schemas from {args.schemas}: {error}", file=sys.stderr)
        return 2
    tally.passed += len(validators)
    ensure_date_time_is_checked(validators["input-event"])

    jsonl = [(k, p) for k, p in (("input-event", args.input), ("output-event", args.output), ("dlq-headers", args.dlq_headers)) if p]
    paths = args.paths or ([] if jsonl else [args.schemas])
    check_samples(paths, validators, tally)
    parsed = {kind: check_jsonl(kind, path, validators, tally) for kind, path in jsonl}
    if "input-event" in parsed and "output-event" in parsed:
        check_carry_over(parsed["input-event"], parsed["output-event"], tally)

    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
