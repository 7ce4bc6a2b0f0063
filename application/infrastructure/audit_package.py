"""The audit package format, and its offline verifier (SPEC §9 Export).

A package is a ZIP holding `events.jsonl` (one stored event per line, in log order, with its link in
the hash chain) and `manifest.json` (the range, counts, the chain hash before the first event and
after the last, and the SHA-256 of each other file). This module needs only the standard library and
`application.infrastructure.chain`, so an auditor can check a package away from our systems with these two files.

Every line and the manifest are written in one canonical JSON form (sorted keys), and the verifier
insists on it: any changed byte, even whitespace, is named at the line where it is. The manifest
carries a seal (the SHA-256 of its other fields) for the same reason. None of this stops someone who
rewrites a whole package consistently; what does is comparing the package's chain with a digest the
auditor kept (`inscribe audit digest`), which `verify_package(..., against=)` does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from application.infrastructure.chain import Digest, content_hash, link_hash

FORMAT = "inscribe-audit-package/1"
EVENTS = "events.jsonl"
MANIFEST = "manifest.json"
MAX_LINE = 16 * 1024 * 1024  # a stored event is kilobytes; this only bounds memory on a bad package
MAX_MANIFEST = 1024 * 1024
LINE_FIELDS = frozenset({"position", "originator_id", "version", "topic", "state", "data", "link"})


def line_bytes(entry: dict[str, Any]) -> bytes:
    """One events.jsonl line in its canonical form."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """manifest.json in its canonical form (indented, for people to read)."""
    return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False).encode() + b"\n"


def seal(manifest: dict[str, Any]) -> str:
    """The SHA-256 of the manifest's fields other than the seal itself."""
    fields = {k: v for k, v in manifest.items() if k != "seal"}
    return hashlib.sha256(line_bytes(fields)).hexdigest()


def readable(state: bytes) -> Any:
    """The stored state as JSON, for people to read (None when it is not JSON). Not what is hashed."""
    try:
        return json.loads(state.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError
        return None


@dataclass(frozen=True)
class PackageFinding:
    """The first problem found: in which file, at which line and log position, and what."""

    file: str
    problem: str
    detail: str
    line: int | None = None
    position: int | None = None

    def as_text(self) -> str:
        where = self.file + (f" line {self.line}" if self.line else "")
        where += f" (position {self.position})" if self.position is not None else ""
        return f"{where}: {self.problem}: {self.detail}"


@dataclass(frozen=True)
class PackageVerification:
    ok: bool
    events: int
    manifest: dict[str, Any] | None = None
    finding: PackageFinding | None = None


class _Failed(Exception):
    def __init__(self, finding: PackageFinding) -> None:
        super().__init__(finding.as_text())
        self.finding = finding


def _fail(file: str, problem: str, detail: str, line: int | None = None, position: int | None = None) -> _Failed:
    return _Failed(PackageFinding(file, problem, detail, line, position))


def verify_package(
    path: str | Path | BinaryIO, against: Digest | None = None, progress: Callable[[int], object] | None = None
) -> PackageVerification:
    """Check a package offline: the manifest, each file's checksum, each event's content hash, and
    the chain from the manifest's `previous_hash` through every event to its `head`; name the first
    problem. `against` is a digest kept earlier whose position the package covers."""
    manifest: dict[str, Any] | None = None
    checked = _Counter(progress, against.position if against else None)
    try:
        with zipfile.ZipFile(path) as package:
            manifest = _manifest(package)
            _check_files(package, manifest, checked)
            if against is not None:
                _check_digest(manifest, checked.watched, against)
    except _Failed as failed:
        return PackageVerification(False, checked.events, manifest, failed.finding)
    except (KeyError, TypeError) as e:  # sealed, yet not what we write: someone built it by hand
        return PackageVerification(
            False, checked.events, manifest, PackageFinding(MANIFEST, "malformed", f"a field is missing or wrong: {e}")
        )
    except Exception as e:  # a broken ZIP: zipfile and zlib raise many kinds (bad CRC, bad header, …)
        return PackageVerification(
            False, checked.events, manifest, PackageFinding("package", "unreadable", f"{type(e).__name__}: {e}")
        )
    return PackageVerification(True, checked.events, manifest)


class _Counter:
    """What the walk over events.jsonl saw, for the manifest's claims and for `against`."""

    def __init__(self, progress: Callable[[int], object] | None, watch: int | None) -> None:
        self.events, self.topics = 0, dict[str, int]()
        self.first: int | None = None
        self.watch = watch  # the kept digest's position, and the hash found there
        self.watched: str | None = None
        self.progress = progress


def _manifest(package: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = package.getinfo(MANIFEST)
    except KeyError:
        raise _fail(MANIFEST, "missing", "the package has no manifest") from None
    if info.file_size > MAX_MANIFEST:
        raise _fail(MANIFEST, "malformed", "the manifest is too large")
    raw = package.read(MANIFEST)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except ValueError as e:
        raise _fail(MANIFEST, "malformed", f"not JSON: {e}") from None
    if not isinstance(manifest, dict) or manifest_bytes(manifest) != raw:
        raise _fail(MANIFEST, "changed", "the manifest is not as written (edited or reformatted)")
    if manifest.get("seal") != seal(manifest):
        raise _fail(MANIFEST, "changed", "the manifest's seal does not match its fields")
    if manifest.get("format") != FORMAT:
        raise _fail(MANIFEST, "malformed", f"format {manifest.get('format')!r}, not {FORMAT!r}")
    return manifest


def _check_files(package: zipfile.ZipFile, manifest: dict[str, Any], seen: _Counter) -> None:
    files: dict[str, dict[str, Any]] = manifest["files"]
    if EVENTS not in files:
        raise _fail(MANIFEST, "malformed", f"the manifest does not list {EVENTS}")
    names = package.namelist()
    for name in names:
        if names.count(name) > 1:
            raise _fail(name, "duplicated", "the package holds two files of this name")
        if name != MANIFEST and name not in files:
            raise _fail(name, "unlisted", "a file the manifest does not list was added")
    for name, expected in sorted(files.items()):
        if name not in names:
            raise _fail(name, "missing", "a file the manifest lists is not in the package")
        sha, size = hashlib.sha256(), 0
        with package.open(name) as member:
            walk = _Events(manifest, seen) if name == EVENTS else None
            while line := member.readline(MAX_LINE):
                sha.update(line)
                size += len(line)
                if walk is not None:
                    walk.line(line)
        if walk is not None:
            walk.end()
        if (sha.hexdigest(), size) != (expected["sha256"], expected["bytes"]):
            raise _fail(name, "checksum", "the file's SHA-256 or size differs from the manifest")


class _Events:
    """Walks events.jsonl line by line: canonical form, positions in range and increasing, each
    content hash from the exact stored bytes, each link from the one before."""

    def __init__(self, manifest: dict[str, Any], seen: _Counter) -> None:
        chain, span = manifest["chain"], manifest["range"]
        self.previous, self.last = chain["previous_hash"], chain["previous_position"]
        self.low, self.high = span["from_position"], span["to_position"]
        self.manifest, self.seen, self.number = manifest, seen, 0

    def line(self, raw: bytes) -> None:
        self.number += 1
        if not raw.endswith(b"\n"):
            raise self._fail(None, "malformed", "the line is cut short or too long")
        try:
            entry = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            raise self._fail(None, "malformed", f"not JSON: {e}") from None
        if not isinstance(entry, dict) or set(entry) != LINE_FIELDS:
            raise self._fail(
                None, "malformed", "not an event line: its fields are not " + ", ".join(sorted(LINE_FIELDS))
            )
        position = entry["position"]
        if line_bytes(entry) != raw:
            raise self._fail(position, "changed", "the line is not as written (edited or reformatted)")
        if not isinstance(position, int) or not (self.low <= position <= self.high) or position <= self.last:
            raise self._fail(position, "reordered", f"position out of order or outside {self.low}..{self.high}")
        self._chain(entry, position)
        seen = self.seen
        seen.events += 1
        seen.first = position if seen.first is None else seen.first
        seen.topics[entry["topic"]] = seen.topics.get(entry["topic"], 0) + 1
        if position == seen.watch:
            seen.watched = self.previous
        if seen.progress is not None:
            seen.progress(1)

    def _chain(self, entry: dict[str, Any], position: int) -> None:
        link = entry["link"]
        if entry["state"] is None:
            raise self._fail(position, "removed", "the store had a link but no event here when exported")
        if link is None:
            raise self._fail(position, "inserted", "the store had an event without a link here when exported")
        try:
            state = base64.b64decode(entry["state"], validate=True)
            content = content_hash(entry["originator_id"], entry["version"], entry["topic"], state)
            linked, hashed = link["content"], link["hash"]
        except (binascii.Error, KeyError, TypeError, ValueError) as e:
            raise self._fail(position, "malformed", f"unreadable event fields: {e}") from None
        if content != linked:
            raise self._fail(position, "changed", "the event differs from what was linked")
        expected = link_hash(self.previous, position, content)
        if expected != hashed:
            raise self._fail(position, "changed", "the link's hash does not follow from the chain")
        if line_bytes({"data": readable(state)}) != line_bytes({"data": entry["data"]}):
            raise self._fail(position, "changed", "the readable data differs from the stored state")
        self.previous, self.last = expected, position

    def end(self) -> None:
        seen, manifest = self.seen, self.manifest
        claims = {
            "events": (manifest["counts"]["events"], seen.events),
            "topics": (manifest["counts"]["topics"], seen.topics),
            "first_position": (manifest["first_position"], seen.first),
            "last_position": (manifest["last_position"], self.last if seen.events else None),
            "chain head": (manifest["chain"]["head"], self.previous),
        }
        for name, (claimed, found) in claims.items():
            if claimed != found:
                raise _fail(MANIFEST, "mismatch", f"{name} is {claimed!r} in the manifest, {found!r} in {EVENTS}")

    def _fail(self, position: int | None, problem: str, detail: str) -> _Failed:
        return _fail(EVENTS, problem, detail, self.number, position)


def _check_digest(manifest: dict[str, Any], watched: str | None, against: Digest) -> None:
    chain = manifest["chain"]
    found = chain["previous_hash"] if against.position == chain["previous_position"] else watched
    if found is None:
        raise _fail(MANIFEST, "digest-outside", f"position {against.position} is not in this package")
    if found != against.hash:
        raise _fail(
            EVENTS,
            "digest-mismatch",
            "the chain does not pass through the digest the auditor kept",
            position=against.position,
        )


def head_digest(manifest: dict[str, Any]) -> Digest:
    """Where the package's chain ends, as POSITION:HASH (the chain before it when it is empty)."""
    chain, last = manifest["chain"], manifest["last_position"]
    position = chain["previous_position"] if last is None else last
    return Digest(position, chain["head"], manifest["counts"]["events"])
