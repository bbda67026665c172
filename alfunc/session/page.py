"""The labelling page: a Starlette app over a ``Session``, served on 127.0.0.1 only.

``label_app(session)`` answers

* ``GET /`` the page (``alfunc.session.page_html``), a thin client of:
* ``GET /api/next``: the first pending record (asking a new batch when none
  is pending), the classes and their shortcut keys; ``"record": null`` once
  the pool has nothing left to ask. A reload shows the same record: the
  pending ids live in the session's journal, not in the page.
* ``POST /api/answer`` ``{"id": ..., "label": ...}`` (or ``"skip": true``,
  or ``"unsure": true``): the answer, durable when the response comes; the
  response is the next record, as ``/api/next``.
* ``POST /api/correct`` ``{"id": ..., "label": ...}``: a correction of an
  earlier label.
* ``GET /api/progress``: labelled, asked, pool size, skipped, unsure, fits,
  and the cross-validated accuracy of the current model on the labels so far
  (``alfunc.session.progress``).
* ``GET /api/curve.svg``: the learning curve of those estimates.
* ``GET /image/{position}``: the image file a pool row names (only those:
  the route takes a pool position, not a path).

Bad requests get status 400 and ``{"error": message}``. Every request holds
one lock while it uses the session, so answers are applied one at a time;
the cross-validation behind the progress line and the curve runs after the
lock is released, so an answer never waits for it.
Starlette and uvicorn are an optional extra: ``pip install "alfunc[label]"``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alfunc.session.page_html import PAGE_HTML
from alfunc.session.progress import Progress, learning_curve_svg, with_accuracy
from alfunc.session.view import match_label, record_view, shortcuts

LOOPBACK = ("127.0.0.1", "localhost", "::1")
INSTALL = 'pip install "alfunc[label]"'
NO_CACHE = {"Cache-Control": "no-store"}


def _web_module(name: str) -> Any:
    """An optional web dependency, or an ``ImportError`` that says how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ImportError(f"the labelling page needs starlette and uvicorn: {INSTALL}") from None


def next_record(session: Any, batch: int = 5, *, title: str | None = None) -> dict[str, Any]:
    """What the page shows next: the first pending record (asking ``batch`` new ones if none is pending).

    When only records put back as unsure are left, the session refits (if
    it has new labels) so they can be asked again.

    Parameters
    ----------
    session : Session
        An open session.
    batch : int, default=5
        How many points to ask for when none is pending.
    title : str or None, default=None
        A title for the page (the data file's name).

    Returns
    -------
    dict
        ``{"record": record_view or None, "classes", "shortcuts", "title"}``;
        an image record's ``image`` is the page's URL of the file.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.page import next_record
    >>> with Session.create(tempfile.mkdtemp(), ["a cat", "a dog"], GaussianNB(), classes=["cat", "dog"]) as s:
    ...     shown = next_record(s, batch=1)
    ...     again = next_record(s, batch=1)  # nothing was answered: the same record
    >>> shown == again, shown["record"]["kind"], shown["shortcuts"]
    (True, 'text', {'1': 'cat', '2': 'dog', 'c': 'cat', 'd': 'dog'})
    """
    if not session.pending:
        session.ask(batch)
    if not session.pending and session.unsure_ids:  # only records put back are left: a fit lets them be asked
        with contextlib.suppress(ValueError):  # no fit is possible yet (one class): they wait
            if session.refit():
                session.ask(batch)
    classes = session.classes or sorted(set(session.labels.values()), key=str)
    record = None
    if session.pending:
        record = record_view(session, session.pending[0])
        if record["kind"] == "image":
            record["image"] = f"/image/{session.index_of(record['id'])}"
    return {"record": record, "classes": classes, "shortcuts": shortcuts(classes), "title": title}


def apply_answer(session: Any, body: Any) -> None:
    """Apply one answer the page sent: ``{"id", "label"}``, ``{"id", "skip": true}`` or ``{"id", "unsure": true}``.

    Parameters
    ----------
    session : Session
        An open session.
    body : object
        The request's JSON.

    Raises
    ------
    ValueError
        For a body of another shape, an id that is not pending, a label outside the classes.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.page import apply_answer
    >>> with Session.create(tempfile.mkdtemp(), [[0.0], [1.0]], GaussianNB(), classes=[0, 1]) as s:
    ...     first, second = s.ask(2)
    ...     apply_answer(s, {"id": str(first), "label": "1"})  # as typed: "1" names the class 1
    ...     apply_answer(s, {"id": second, "skip": True})
    ...     s.labels, s.skipped == [second]
    ({...: 1}, True)
    >>> apply_answer(s, {"label": 1})
    Traceback (most recent call last):
    ...
    ValueError: an answer is a JSON object with "id" and one of "label", "skip": true or "unsure": true
    """
    choices = [name for name in ("label", "skip", "unsure") if isinstance(body, dict) and name in body]
    if not isinstance(body, dict) or "id" not in body or len(choices) != 1:
        raise ValueError('an answer is a JSON object with "id" and one of "label", "skip": true or "unsure": true')
    (choice,) = choices
    if choice == "label":
        session.tell(body["id"], match_label(body["label"], session.classes))
    elif body[choice] is not True:
        raise ValueError(f'"{choice}" must be true')
    elif choice == "skip":
        session.skip(body["id"])
    else:
        session.unsure(body["id"])


def label_app(
    session: Any,
    *,
    batch: int = 5,
    title: str | None = None,
    base: str | os.PathLike | None = None,
) -> Any:
    """The labelling page over ``session`` as a Starlette app (see the module for its routes).

    Parameters
    ----------
    session : Session
        An open session; the app uses it until the server stops (close it then).
    batch : int, default=5
        How many points to ask for at a time.
    title : str or None, default=None
        The page's title (e.g. the data file's name).
    base : path-like or None, default=None
        The folder relative image paths in the pool are read from (default:
        the working directory).

    Returns
    -------
    starlette.applications.Starlette

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from starlette.testclient import TestClient
    >>> from alfunc.session import Session
    >>> from alfunc.session.page import label_app
    >>> session = Session.create(tempfile.mkdtemp(), ["a cat", "a dog"], GaussianNB(), classes=["cat", "dog"])
    >>> client = TestClient(label_app(session))
    >>> shown = client.get("/api/next").json()["record"]
    >>> reply = client.post("/api/answer", json={"id": shown["id"], "label": "cow"})
    >>> reply.status_code, reply.json()["error"]
    (400, "label 'cow' is not one of the session's classes ['cat', 'dog']")
    >>> client.post("/api/answer", json={"id": shown["id"], "label": "cat"}).status_code
    200
    >>> client.get("/api/progress").json()["labeled"]
    1
    >>> session.close()
    """
    routing = _web_module("starlette.routing")
    responses = _web_module("starlette.responses")
    applications = _web_module("starlette.applications")
    lock = threading.Lock()
    progress = Progress(session)
    folder = Path.cwd() if base is None else Path(base)
    JSONResponse, Response = responses.JSONResponse, responses.Response

    def guarded(work: Callable[[Any], Any], *, hold: bool = True) -> Callable[[Any], Any]:
        """Run ``work(request)`` (holding the lock unless ``hold`` is false); a ValueError or TypeError is a 400."""

        async def endpoint(request: Any) -> Any:
            body = None
            if request.method == "POST":
                try:
                    body = await request.json()
                except ValueError:
                    return JSONResponse({"error": "the request body must be JSON"}, status_code=400)

            def locked() -> Any:
                with lock if hold else contextlib.nullcontext():
                    return work(body if request.method == "POST" else request)

            try:
                concurrency = _web_module("starlette.concurrency")
                return await concurrency.run_in_threadpool(locked)
            except (ValueError, TypeError) as error:
                return JSONResponse({"error": " ".join(str(error).split())}, status_code=400, headers=NO_CACHE)

        return endpoint

    def page(request: Any) -> Any:
        return responses.HTMLResponse(PAGE_HTML, headers=NO_CACHE)

    def next_(request: Any) -> Any:
        return JSONResponse(next_record(session, batch, title=title), headers=NO_CACHE)

    def answer(body: Any) -> Any:
        apply_answer(session, body)
        return JSONResponse(next_record(session, batch, title=title), headers=NO_CACHE)

    def correct(body: Any) -> Any:
        if not isinstance(body, dict) or set(body) != {"id", "label"}:
            raise ValueError('a correction is a JSON object with "id" and "label"')
        session.correct(body["id"], match_label(body["label"], session.classes))
        return JSONResponse({"labels": session.n_labeled}, headers=NO_CACHE)

    def progress_(request: Any) -> Any:  # the estimate is fitted outside the lock: answers need not wait for it
        with lock:
            counts, prepared = progress.counts(), progress.prepare()
        return JSONResponse(with_accuracy(counts, progress.finish(prepared)), headers=NO_CACHE)

    def curve(request: Any) -> Any:
        with lock:
            prepared = progress.prepare_curve()
        svg = learning_curve_svg(progress.finish_curve(prepared))
        return Response(svg, media_type="image/svg+xml", headers=NO_CACHE)

    def image(request: Any) -> Any:
        position = request.path_params["position"]
        if not 0 <= position < session.n_pool:
            return Response("no such record", status_code=404)
        view = record_view(session, session.id_at(position))
        path = folder / view["image"] if view["kind"] == "image" else None
        if path is None or not path.is_file():
            return Response("no image for this record", status_code=404)
        return responses.FileResponse(path)

    routes = [
        routing.Route("/", guarded(page)),
        routing.Route("/api/next", guarded(next_)),
        routing.Route("/api/answer", guarded(answer), methods=["POST"]),
        routing.Route("/api/correct", guarded(correct), methods=["POST"]),
        routing.Route("/api/progress", guarded(progress_, hold=False)),
        routing.Route("/api/curve.svg", guarded(curve, hold=False)),
        routing.Route("/image/{position:int}", guarded(image)),
    ]
    return applications.Starlette(routes=routes)


def serve(
    session: Any,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    batch: int = 5,
    title: str | None = None,
    base: str | os.PathLike | None = None,
) -> None:
    """Serve the labelling page of ``session`` on ``host:port`` until interrupted (Ctrl-C); loopback only.

    Parameters
    ----------
    session : Session
        An open session (the caller closes it afterwards).
    host : {"127.0.0.1", "localhost", "::1"}, default="127.0.0.1"
        The page has no login, so it listens on this machine only.
    port : int, default=8765
        The port.
    batch : int, default=5
        How many points to ask for at a time.
    title : str or None, default=None
        The page's title.
    base : path-like or None, default=None
        The folder relative image paths are read from.

    Examples
    --------
    >>> from alfunc.session.page import serve
    >>> serve(None, host="0.0.0.0")
    Traceback (most recent call last):
    ...
    ValueError: host must be a loopback address ('127.0.0.1', 'localhost', '::1'): the page has no login, got '0.0.0.0'
    """
    if host not in LOOPBACK:
        raise ValueError(f"host must be a loopback address {LOOPBACK}: the page has no login, got {host!r}")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an int in [0, 65535], got {port!r}")
    uvicorn = _web_module("uvicorn")
    _check_free(host, port)
    app = label_app(session, batch=batch, title=title, base=base)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    try:
        server.run()
    except SystemExit:  # uvicorn exits when it cannot listen
        raise OSError(f"cannot listen on {host}:{port} (is the port in use? choose another with --port)") from None


def _check_free(host: str, port: int) -> None:
    """Refuse a port another program listens on, in one line (before uvicorn logs its own error)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(
                f"cannot listen on {host}:{port} ({error.strerror or error}); choose another port with --port"
            ) from None
