"""The labelling page's JSON API through Starlette's TestClient: answers, reloads, bad input and restarts."""

import pandas as pd
import pytest
from session_support import CLASSES, POOL, TRUTH
from sklearn.linear_model import LogisticRegression

from alfunc.session import Session, events_of, label_app
from alfunc.session.progress import cv_folds

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

MODEL = LogisticRegression(max_iter=500)


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "session"


@pytest.fixture
def session(folder):
    with Session.create(folder, POOL, MODEL, classes=CLASSES, fit_every=6, durable=False) as opened:
        yield opened


@pytest.fixture
def client(session):
    return TestClient(label_app(session, batch=3, title="irises"))


def shown(client):
    reply = client.get("/api/next")
    assert reply.status_code == 200
    return reply.json()


def answer(client, **body):
    return client.post("/api/answer", json=body)


def label_current(client):
    record = shown(client)["record"]
    assert answer(client, id=record["id"], label=int(TRUTH[record["id"]])).status_code == 200
    return record["id"]


def test_the_page_is_served_and_next_shows_one_pending_record(client, session):
    page = client.get("/")
    assert page.status_code == 200 and "alfunc label" in page.text and "/api/next" in page.text
    first = shown(client)
    assert first["title"] == "irises" and first["classes"] == CLASSES
    assert first["shortcuts"] == {"1": 0, "2": 1, "3": 2}
    record = first["record"]
    assert record["kind"] == "fields" and [name for name, _ in record["fields"]] == ["x0", "x1", "x2", "x3"]
    assert [value for _, value in record["fields"]] == POOL[record["id"]].tolist()
    assert session.pending[0] == record["id"] and len(session.pending) == 3  # one batch asked
    assert shown(client) == first  # a reload shows the same record and asks nothing more
    assert session.n_asked == 3


def test_answers_label_skip_and_put_back_and_each_is_in_the_journal(client, session, folder):
    told = label_current(client)
    skipped = shown(client)["record"]["id"]
    reply = answer(client, id=skipped, skip=True)
    assert reply.status_code == 200 and reply.json()["record"]["id"] != skipped
    unsure = reply.json()["record"]["id"]
    after = answer(client, id=unsure, unsure=True).json()["record"]["id"]
    assert after not in (told, skipped, unsure)
    events = [(event["event"], event.get("id")) for event in events_of(folder) if event["event"] != "ask"]
    assert events[1:] == [("tell", told), ("skip", skipped), ("unsure", unsure)]
    assert session.labels == {told: int(TRUTH[told])} and session.skipped == [skipped]
    assert session.unsure_ids == [unsure]


def test_bad_answers_are_400_with_a_message_and_change_nothing(client, session, folder):
    record = shown(client)["record"]
    before = (folder / "journal.jsonl").read_bytes()
    cases = [
        ({"id": record["id"], "label": 7}, "label 7 is not one of the session's classes [0, 1, 2]"),
        ({"id": 999, "label": 0}, "id 999 is not in the pool"),
        ({"id": record["id"]}, 'an answer is a JSON object with "id" and one of'),
        ({"id": record["id"], "label": 0, "skip": True}, 'an answer is a JSON object with "id" and one of'),
        ({"id": record["id"], "skip": "yes"}, '"skip" must be true'),
    ]
    never_asked = next(i for i in range(len(POOL)) if i not in session.pending)
    cases.append(({"id": never_asked, "label": 0}, f"index {never_asked} is not pending (it was never asked)"))
    for body, message in cases:
        reply = answer(client, **body)
        assert reply.status_code == 400 and message in reply.json()["error"], (body, reply.text)
    reply = client.post("/api/answer", content=b"{not json", headers={"Content-Type": "application/json"})
    assert reply.status_code == 400 and reply.json()["error"] == "the request body must be JSON"
    assert (folder / "journal.jsonl").read_bytes() == before
    assert shown(client)["record"] == record


def test_ids_typed_as_text_and_labels_as_text_are_mapped_back(client, session):
    record = shown(client)["record"]
    reply = answer(client, id=str(record["id"]), label=str(int(TRUTH[record["id"]])))
    assert reply.status_code == 200
    assert session.labels == {record["id"]: int(TRUTH[record["id"]])}


def test_progress_counts_and_estimates_accuracy_once_cross_validation_can_run(client, session):
    empty = client.get("/api/progress").json()
    assert (empty["labeled"], empty["asked"], empty["pool"], empty["accuracy"], empty["accuracy_text"]) == (
        0,
        0,
        len(POOL),
        None,
        "n/a",
    )
    assert "no estimate yet" in client.get("/api/curve.svg").text
    for _ in range(24):
        label_current(client)
    report = client.get("/api/progress").json()
    assert report["labeled"] == 24 and report["fits"] == 4 and report["asked"] >= 24
    assert 0.5 < report["accuracy"] <= 1 and report["accuracy_text"].endswith("%")
    curve = client.get("/api/curve.svg")
    assert curve.headers["content-type"].startswith("image/svg+xml")
    labels = list(session.labels.values())
    estimable = [n for n in (6, 12, 18, 24) if cv_folds(labels[:n]) is not None]  # a point per fit that CV allows
    assert 24 in estimable and curve.text.count("<circle") == len(estimable)


def test_a_correction_goes_through_its_own_endpoint(client, session, folder):
    told = label_current(client)
    wrong = (int(TRUTH[told]) + 1) % 3
    assert client.post("/api/correct", json={"id": told, "label": wrong}).status_code == 200
    assert session.labels[told] == wrong
    never = next(i for i in range(len(POOL)) if i not in session.labels)
    reply = client.post("/api/correct", json={"id": never, "label": 0})
    assert reply.status_code == 400 and "has no label to correct" in reply.json()["error"]


def test_a_restart_is_a_new_app_on_the_reopened_session_and_keeps_everything(folder):
    with Session.create(folder, POOL, MODEL, classes=CLASSES, fit_every=4, durable=False) as first:
        client = TestClient(label_app(first, batch=2))
        told = [label_current(client) for _ in range(9)]
        skipped = shown(client)["record"]["id"]
        answer(client, id=skipped, skip=True)
        waiting = shown(client)["record"]
        labels, history = first.labels, first.history
    with Session.open(folder, POOL, MODEL, durable=False) as second:
        again = TestClient(label_app(second, batch=2))
        assert shown(again)["record"] == waiting  # the record shown before the restart
        assert second.labels == labels and list(second.labels) == told and second.skipped == [skipped]
        assert second.history == history
        label_current(again)
        assert second.n_labeled == 10
        assert client.get("/api/progress").json()["labeled"] == 9  # the old app's session is closed and unchanged


def test_the_pool_running_out_shows_no_record(tmp_path):
    with Session.create(tmp_path / "s", POOL[:3], MODEL, classes=CLASSES, durable=False) as session:
        client = TestClient(label_app(session, batch=5))
        for key in list(session.ask(3)):
            session.skip(key)
        assert shown(client)["record"] is None


def test_image_records_are_served_by_position_only(tmp_path):
    picture = tmp_path / "cat.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    pool = pd.Series(["cat.png", "missing.png", "a plain text"], name="path")
    with Session.create(tmp_path / "s", pool, MODEL, classes=["cat", "dog"], durable=False) as session:
        client = TestClient(label_app(session, batch=3, base=tmp_path))
        shown(client)
        assert {session.row(key) for key in session.pending} == set(pool)
        images = {session.row(key): key for key in session.pending}
        position = session.index_of(images["cat.png"])
        while shown(client)["record"]["id"] != images["cat.png"]:
            answer(client, id=shown(client)["record"]["id"], skip=True)
        assert shown(client)["record"]["image"] == f"/image/{position}"
        reply = client.get(f"/image/{position}")
        assert reply.status_code == 200 and reply.content == picture.read_bytes()
        assert client.get(f"/image/{session.index_of(images['missing.png'])}").status_code == 404
        assert client.get(f"/image/{session.index_of(images['a plain text'])}").status_code == 404
        assert client.get("/image/99").status_code == 404
        assert client.get("/image/..%2F..%2Fetc%2Fpasswd").status_code == 404  # a path is not a position


def test_records_put_back_as_unsure_come_back_when_nothing_else_is_left(tmp_path):
    with Session.create(tmp_path / "s", POOL[:4], MODEL, classes=CLASSES, fit_every=50, durable=False) as session:
        client = TestClient(label_app(session, batch=4))
        put_back = shown(client)["record"]["id"]
        record = answer(client, id=put_back, unsure=True).json()["record"]
        for label in (0, 1, 0):  # two classes: a fit is possible
            record = answer(client, id=record["id"], label=label).json()["record"]
        assert record["id"] == put_back and session.unsure_ids == [] and len(session.history) == 1
        answer(client, id=put_back, unsure=True)
        assert shown(client)["record"] is None  # no new label since that fit: it waits
