"""The console's audit page: the chain head to keep, the whole chain verified with its progress shown, an
audit package downloaded for a period, and an uploaded package checked (offline, nothing recorded)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any, BinaryIO, cast

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import MediaType, RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath
from litestar.response import Template

from application.infrastructure.audit import digest, verify_log
from application.infrastructure.audit_package import head_digest, verify_package
from application.infrastructure.chain import Digest
from interface.auth import Principal
from interface.bootstrap import Services
from interface.console.api import Api
from interface.console.context import render
from interface.console.session import PATH
from interface.errors import BadRequest
from interface.permissions import allowed

Svc = NamedDependency[Services]
Req = Request[Principal, Any, Any]

#: The largest package the console takes for checking (the API's bodies are 1 MiB; packages are larger).
MAX_PACKAGE_BYTES = 512 * 1024 * 1024


@dataclass
class Verification:
    """A chain verification running in the background: how far it has got, and its outcome."""

    total: int
    checked: int = 0
    done: bool = False
    ok: bool | None = None
    problem: str | None = None
    head: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "checked": self.checked,
            "done": self.done,
            "ok": self.ok,
            "problem": self.problem,
            "head": self.head,
        }


#: Verifications of this process, by id (each is small; a process keeps the last few hundred).
VERIFICATIONS: dict[str, Verification] = {}
KEPT = 200


def _auditor(request: Req) -> None:
    if not allowed(request.user.role, "audit.read"):
        raise PermissionDeniedException(f"role {request.user.role!r} may not read the audit trail")


def _run(services: Services, job: Verification, against: Digest | None) -> None:
    def progress(n: int) -> None:
        job.checked += n

    try:
        result = verify_log(services.app.recorder, against, progress)
        finding = result.finding
        job.ok, job.checked, job.head = result.ok, result.checked, result.head.as_text()
        job.problem = None if finding is None else f"{finding.problem} at position {finding.position}: {finding.detail}"
    except Exception as e:  # the page says so rather than spinning for ever
        job.ok, job.problem = False, f"the verification stopped: {e}"
    finally:
        job.done = True


@dataclass
class PackageForm:
    package: UploadFile
    against: str = ""


class ConsoleAudit(Controller):
    """Digest, verification with progress, audit package download and check."""

    path = f"{PATH}/audit"
    include_in_schema = False

    @get("/")
    async def audit(self, request: Req) -> Template:
        _auditor(request)
        head = await Api(request).get("/api/v1/audit/digest")
        return render(request, "audit.html", head=head, outcome=None)

    @get("/verification", sync_to_thread=True)
    def start(self, request: Req, services: Svc) -> Template:
        """Start verifying the whole chain (it changes nothing); the page follows its progress."""
        _auditor(request)
        against_text = request.query_params.get("against", "").strip()
        try:
            against = Digest.parse(against_text) if against_text else None
        except ValueError as e:
            raise BadRequest("against", str(e)) from None
        job = Verification(total=digest(services.app.recorder).count)
        job_id = str(uuid.uuid4())
        while len(VERIFICATIONS) >= KEPT:
            VERIFICATIONS.pop(next(iter(VERIFICATIONS)))
        VERIFICATIONS[job_id] = job
        threading.Thread(target=_run, args=(services, job, against), name="console-verify", daemon=True).start()
        return render(request, "verification.html", job_id=job_id, job=job.as_json())

    @get("/verification/{job_id:str}", media_type=MediaType.HTML)
    async def progress(self, request: Req, job_id: FromPath[str]) -> Template | Response[dict[str, Any]]:
        """How far a verification has got (JSON for the page's script; the page itself without it)."""
        _auditor(request)
        job = VERIFICATIONS.get(job_id)
        if job is None:
            raise NotFoundException("no such verification (this process did not start it)")
        if "application/json" in request.headers.get("accept", ""):
            return Response(job.as_json(), media_type=MediaType.JSON)
        return render(request, "verification.html", job_id=job_id, job=job.as_json())

    @get("/export")
    async def export(self, request: Req) -> Response[bytes]:
        """The API's audit package for the period asked, passed on (a refusal shows the API's problem)."""
        _auditor(request)
        params = {k: request.query_params.get(k) for k in ("from", "to", "from_position", "to_position")}
        answered = await Api(request).download("/api/v1/audit/export", params, "application/zip")
        name = answered.headers.get("content-disposition", 'attachment; filename="inscribe-audit.zip"')
        return Response(answered.content, media_type="application/zip", headers={"Content-Disposition": name})

    @post("/package", request_max_body_size=MAX_PACKAGE_BYTES, sync_to_thread=True, status_code=200)
    def check_package(
        self, request: Req, data: Annotated[PackageForm, Body(media_type=RequestEncodingType.MULTI_PART)]
    ) -> Template | Response[Any]:
        """Check an uploaded package as `inscribe audit verify-package` does; nothing is recorded."""
        _auditor(request)
        against = None
        if data.against.strip():
            try:
                against = Digest.parse(data.against)
            except ValueError as e:
                return render(request, "audit.html", status_code=422, head=None, outcome={"ok": False, "text": str(e)})
        result = verify_package(cast(BinaryIO, data.package.file), against)  # a spooled file is a binary file
        if result.ok and result.manifest is not None:
            text = f"{result.events} events; chain head {head_digest(result.manifest).as_text()}"
        else:
            text = result.finding.as_text() if result.finding else "not a package"
        outcome = {"ok": result.ok, "text": text, "file": data.package.filename}
        return render(request, "audit.html", status_code=200 if result.ok else 422, head=None, outcome=outcome)
