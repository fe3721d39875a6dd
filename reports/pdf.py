"""The PDF of a funder report: WeasyPrint, an archival PDF/A-3b, and nothing fetched from outside.

The HTML comes from `templates/reports/report_pdf.html`, rendered from a report's figures
(reports/document.py), which hold free text (names, labels, notes). Auto-escaping keeps that
text text; as a second line of defence the renderer's only way to load anything is
`SafeURLFetcher`, which serves `data:` URLs and the project's own static files and refuses
everything else (local files, the network, redirects), so even markup that slipped through
could not read `/etc/passwd` or reach an internal address.

`render_pdf_limited()` renders in a forked child with a memory limit and a time limit, so a
pathological report cannot take the worker down with it.
"""

import base64
import gc
import logging
import mimetypes
import multiprocessing
import os
import re
import resource
import time
import traceback
from urllib import request
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# The base URL of the report's HTML: "/static/…" resolves to https://report.invalid/static/…,
# which SafeURLFetcher maps onto the static files. ".invalid" can never resolve (RFC 2606).
REPORT_BASE_URL = "https://report.invalid/"
PDF_VARIANT = "pdf/a-3b"
MAX_STATIC_BYTES = 10 * 1024 * 1024
_MIME_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")


class RefusedURLError(ValueError):
    """SafeURLFetcher does not serve this URL."""


class RenderError(Exception):
    """The PDF could not be produced; the message is German and may be shown to the user."""


def _static_roots() -> list[str]:
    """The real paths of every directory the static files finders look in."""
    roots = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(os.path.realpath(location))
    return roots


def _is_inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


class SafeURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves `data:` URLs and the project's static files only.

    `/static/css/x.css` (relative to the report's base URL) is looked up with the static files
    finders; the resolved file must lie inside a static directory. Everything else (`file:`,
    `http(s):` to other hosts, `ftp:`, paths outside `/static/`, `..`) is refused with
    `RefusedURLError`, logged at WARNING and recorded in `refused`; what was served is recorded
    in `served`. Nothing ever goes through urllib's opener, so there are no redirects to follow.
    """

    def __init__(self, base_url: str = REPORT_BASE_URL):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
        # Drop the urllib handlers URLFetcher installed (file, http, ftp …): `fetch` below never
        # uses them, and an opener without handlers cannot open anything even if called.
        request.OpenerDirector.__init__(self)
        self.base_url = base_url
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        try:
            response = self._serve(url)
        except Exception as error:
            self.refused.append(url)
            logger.warning("PDF rendering: refused to fetch %s (%s)", url[:300], error)
            if isinstance(error, RefusedURLError):
                raise
            raise RefusedURLError(str(error)) from error
        self.served.append(url)
        return response

    def _serve(self, url: str) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            # urllib's data: parser on its own, without an opener (no proxies, no other schemes).
            with request.DataHandler().data_open(request.Request(url)) as data:  # noqa: S310 (data: only)
                return URLFetcherResponse(url, data.read(), {"Content-Type": data.headers["Content-Type"]})
        path = self._static_file(url)
        size = os.path.getsize(path)
        if size > MAX_STATIC_BYTES:
            raise RefusedURLError(f"static file too large ({size} bytes)")
        with open(path, "rb") as file:
            body = file.read()
        mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if mime_type.startswith("text/"):
            mime_type += "; charset=utf-8"
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    def _static_file(self, url: str) -> str:
        """The real path of the static file `url` names, or RefusedURLError."""
        absolute = urljoin(self.base_url, url)  # also removes dot segments of the plain URL
        parts, base = urlsplit(absolute), urlsplit(self.base_url)
        if (parts.scheme.lower(), parts.netloc.lower()) != (base.scheme.lower(), base.netloc.lower()):
            raise RefusedURLError("not a static file of the project")
        prefix = urlsplit(settings.STATIC_URL).path
        path = unquote(parts.path)
        if not prefix.startswith("/") or not path.startswith(prefix):
            raise RefusedURLError("outside the static URL prefix")
        relative = path[len(prefix) :]
        segments = relative.split("/")
        if any(segment in ("", ".", "..") for segment in segments) or "\\" in relative or "\0" in relative:
            raise RefusedURLError("not a plain path below the static URL prefix")
        found = finders.find(relative)
        if not found:
            raise RefusedURLError("no such static file")
        real = os.path.realpath(found)
        if not os.path.isfile(real) or not any(_is_inside(real, root) for root in _static_roots()):
            raise RefusedURLError("does not resolve inside a static directory")
        return real


def _data_url(content: bytes, mime_type: str) -> str:
    if not _MIME_TYPE.match(mime_type or ""):
        mime_type = "application/octet-stream"
    return f"data:{mime_type};base64,{base64.b64encode(content).decode('ascii')}"


def render_pdf(html: str, *, title: str, attachments=(), url_fetcher: SafeURLFetcher | None = None) -> bytes:
    """The PDF/A-3b of `html`, in German, titled `title`, with `attachments` embedded.

    `attachments` are (file name, content, MIME type) tuples, e.g. the report's CSV; a fourth
    element may name the PDF/A-3 relationship (default "Data": the data the tables and charts
    present). `url_fetcher` is only for tests that inspect what was fetched.
    """
    fetcher = url_fetcher if url_fetcher is not None else SafeURLFetcher()
    # Tagged PDF (structure tree for screen readers) works together with PDF/A-3b in WeasyPrint
    # 70: the variant sets no `pdf_tags` of its own, so ours is kept (see tests/reports/test_pdf.py).
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}
    document = weasyprint.HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=fetcher).render(**options)
    document.metadata.title = title
    document.metadata.lang = "de"
    # <link rel="attachment"> in the HTML is never embedded: only the attachments given here.
    document.metadata.attachments = []
    pdf_attachments = []
    for name, content, mime_type, *rest in attachments:
        pdf_attachments.append(
            weasyprint.Attachment(
                url=_data_url(content, mime_type),  # data: keeps the MIME type, served by the fetcher
                url_fetcher=fetcher,
                name=name,
                relationship=rest[0] if rest else "Data",
            )
        )
    return document.write_pdf(attachments=pdf_attachments, **options)


_PDF, _MEMORY, _ERROR = b"P", b"M", b"E"  # the first byte of the child's one message


def _address_space_in_use() -> int:
    """Bytes of address space this process maps now (VmSize), e.g. inherited from its parent."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _render_in_child(connection, html, title, attachments, memory_mb):
    """The forked child: limit memory, render, send one tagged message back; no database."""
    # The collector need not walk the objects inherited from the parent (nor copy their pages).
    gc.freeze()
    try:
        limit = _address_space_in_use() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        message = _PDF + render_pdf(html, title=title, attachments=attachments)
    except MemoryError:
        message = _MEMORY
    except BaseException:
        message = _ERROR + traceback.format_exc().encode()
    connection.send_bytes(message)
    connection.close()


# What a report uses, in small: German hyphenation, the heading levels, bold and italic faces, lists,
# tables and an inline SVG chart. Each first use costs a child that did not inherit it (fonts, the
# hyphenation dictionary, SVG drawing): together several hundred milliseconds a report.
_WARM_UP_HTML = (
    '<html lang="de"><head><link rel="stylesheet" href="/static/css/report_print.css"></head>'
    '<body class="report-pdf"><section class="title-page"><h1>Sachbericht</h1><p class="lead">Fachstelle</p></section>'
    "<h2>Umsetzung der Maßnahmen</h2><h3>Beratungen</h3>"
    "<p>Qualifizierungsmaßnahmen für ehrenamtliche Integrationslots*innen <strong>Vereinsgründung</strong> "
    "<em>Gemeinnützigkeit</em> Verwendungsnachweis Zuwendungsbescheid Öffentlichkeitsarbeit.</p>"
    "<ul><li>Basisqualifizierung</li></ul>"
    '<table class="report-table"><thead><tr><th>Unterrichtseinheiten</th><th>Zahl</th></tr></thead>'
    '<tbody><tr><td>Datenschutz und Schweigepflicht</td><td class="num">1</td></tr></tbody></table>'
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
    '<rect x="0" y="10" width="50" height="20" fill="#e67e22"/><line x1="0" y1="39" x2="120" y2="39" stroke="#333"/>'
    '<text x="60" y="25" font-size="8">Jan 2026</text></svg>'
    "</body></html>"
)
_warmed_up = False


def _warm_up_once():
    """Render a tiny document here once, so that every forked child inherits WeasyPrint's loaded
    fonts and parsed user-agent styles instead of building them again (~20–40 ms a report)."""
    global _warmed_up
    if not _warmed_up:
        _warmed_up = True
        render_pdf(_WARM_UP_HTML, title="warm-up")


class PdfJob:
    """`render_pdf` running in a forked child with `memory_mb` of address space to render in and `timeout_s`.

    Started at once; `result()` waits for it, so the caller can do other work meanwhile. The limit
    is RLIMIT_AS of the child: what it inherits from the parent (about 100 MB for this project's
    worker, far more in a process with many threads, whose stacks count) plus `memory_mb`. The child only renders the HTML string (it never
    touches the database), and exits without running the parent's clean-up, as multiprocessing
    children do. `result()` raises RenderError with a German message on timeout, memory
    exhaustion or a crash.
    """

    def __init__(self, html: str, *, title: str, attachments=(), timeout_s: float = 60, memory_mb: int = 1024):
        _warm_up_once()
        self.timeout_s, self.memory_mb = timeout_s, memory_mb
        self.deadline = time.monotonic() + timeout_s
        context = multiprocessing.get_context("fork")
        self.receiver, sender = context.Pipe(duplex=False)
        self.child = context.Process(
            target=_render_in_child, args=(sender, html, title, list(attachments), memory_mb), daemon=True
        )
        self.child.start()
        sender.close()  # the child holds the only writer now: its exit means EOF here

    def result(self) -> bytes:
        child = self.child
        try:
            if not self.receiver.poll(max(0.0, self.deadline - time.monotonic())):
                child.kill()
                logger.warning("PDF rendering: child %s killed after %s s", child.pid, self.timeout_s)
                raise RenderError(
                    f"Die PDF-Erzeugung hat das Zeitlimit von {_seconds(self.timeout_s)} s überschritten."
                )
            try:
                message = self.receiver.recv_bytes()
            except (EOFError, OSError) as error:
                child.join(5)
                logger.error("PDF rendering: child %s ended without a result (exit code %s)", child.pid, child.exitcode)
                raise RenderError("Die PDF-Erzeugung ist fehlgeschlagen.") from error
        finally:
            self.receiver.close()
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join()
        tag, body = message[:1], message[1:]
        if tag == _PDF:
            return body
        if tag == _MEMORY:
            logger.warning("PDF rendering: memory limit of %s MB exceeded", self.memory_mb)
            raise RenderError(f"Die PDF-Erzeugung hat das Speicherlimit von {self.memory_mb} MB überschritten.")
        logger.error("PDF rendering failed in the child process:\n%s", body.decode(errors="replace"))
        raise RenderError("Die PDF-Erzeugung ist fehlgeschlagen.")


def render_pdf_limited(html: str, *, title: str, attachments=(), timeout_s: float = 60, memory_mb: int = 1024) -> bytes:
    """`render_pdf` in a forked child with a time and memory limit (see PdfJob), waiting for it."""
    return PdfJob(html, title=title, attachments=attachments, timeout_s=timeout_s, memory_mb=memory_mb).result()


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")
