"""Labelling-tool files: the pending batch out (Label Studio tasks, JSONL, CSV) and the answers back into the session."""

import csv
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.naive_bayes import GaussianNB

from alfunc.experiments.files import table_estimator, text_estimator
from alfunc.session import Session, events_of
from alfunc.session.formats import export_pending, import_answers, label_studio_config, read_answers

DOCS = [f"document {i} about {'cats' if i % 2 else 'dogs'}" for i in range(12)]
TRUTH = {f"d{i}": "cat" if i % 2 else "dog" for i in range(12)}


@pytest.fixture
def session(tmp_path):
    ids = list(TRUTH)
    with Session.create(
        tmp_path / "s", DOCS, text_estimator(), classes=["cat", "dog"], ids=ids, fit_every=100, durable=False
    ) as opened:
        yield opened


def journal(session):
    return (session.path / "journal.jsonl").read_bytes()


def annotated(tasks, answers):
    """What Label Studio's JSON export gives for ``tasks`` once ``answers(alfunc id)`` are chosen (None: none)."""
    exported = []
    for number, task in enumerate(tasks, start=101):
        label = answers(task["data"]["alfunc_id"])
        annotations = []
        if label is not None:
            result = {"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [label]}}
            annotations.append({"id": number * 10, "result": [result], "was_cancelled": False, "lead_time": 2.5})
        exported.append({"id": number, "data": task["data"], "annotations": annotations, "predictions": []})
    return exported


def write_json(path, data):
    path.write_text(json.dumps(data))
    return path


def test_label_studio_tasks_round_trip_into_tell(session, tmp_path):
    asked = session.ask(5)
    tasks = json.loads(export_pending(session, tmp_path / "batch.json").read_text())
    assert [task["data"]["alfunc_id"] for task in tasks] == asked
    assert [task["data"]["text"] for task in tasks] == [DOCS[session.index_of(key)] for key in asked]
    exported = annotated(tasks, lambda key: None if key == asked[-1] else TRUTH[key])
    exported[0]["annotations"].insert(0, {"result": [], "was_cancelled": True})  # a cancelled try first
    summary = import_answers(session, write_json(tmp_path / "export.json", exported))
    assert summary.told == tuple(asked[:-1]) and summary.unanswered == ("task 105",)
    assert session.labels == {key: TRUTH[key] for key in asked[:-1]}
    assert session.pending == asked[-1:]
    told = {event["id"]: event["label"] for event in events_of(session.path) if event["event"] == "tell"}
    assert told == session.labels


def test_a_second_import_corrects_changed_labels_and_refuses_what_is_not_pending(session, tmp_path):
    asked = session.ask(4)
    session.skip(asked[3])
    tasks = json.loads(export_pending(session, tmp_path / "batch.json").read_text())
    assert len(tasks) == 3  # the skipped one is not pending
    import_answers(session, write_json(tmp_path / "first.json", annotated(tasks, TRUTH.get)))
    flipped = {asked[0]: "cat" if TRUTH[asked[0]] == "dog" else "dog"}
    again = annotated(tasks + [{"data": {"alfunc_id": asked[3]}}], lambda key: flipped.get(key, TRUTH[key]))
    summary = import_answers(session, write_json(tmp_path / "second.json", again))
    assert summary.corrected == (asked[0],) and summary.unchanged == tuple(asked[1:3])
    assert summary.refused == ((asked[3], "it was skipped"),) and not summary.told
    assert session.labels[asked[0]] == flipped[asked[0]]
    corrections = [event for event in events_of(session.path) if event["event"] == "correct"]
    assert [(event["id"], event["label"]) for event in corrections] == list(flipped.items())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda tasks: tasks[1]["data"].update(alfunc_id="nope"), r"task 102: id 'nope' is not in the pool"),
        (
            lambda tasks: tasks[0]["annotations"][0]["result"][0]["value"].update(choices=["cow"]),
            r"task 101: label 'cow'",
        ),
        (lambda tasks: tasks[2]["data"].pop("alfunc_id"), r"task 103: its data holds no 'alfunc_id'"),
        (
            lambda tasks: tasks[0]["annotations"].append(
                {
                    "result": [
                        {
                            "type": "choices",
                            "value": {
                                "choices": [
                                    "cat"
                                    if tasks[0]["annotations"][0]["result"][0]["value"]["choices"] == ["dog"]
                                    else "dog"
                                ]
                            },
                        }
                    ]
                }
            ),
            r"task 101: its annotations disagree",
        ),
        (
            lambda tasks: tasks[0]["annotations"][0]["result"][0]["value"].update(choices=["cat", "dog"]),
            r"task 101: an annotation chooses 2 labels",
        ),
    ],
)
def test_a_bad_label_studio_export_is_refused_whole_naming_the_task(session, tmp_path, change, message):
    session.ask(3)
    exported = annotated(json.loads(export_pending(session, tmp_path / "b.json").read_text()), TRUTH.get)
    change(exported)
    before = journal(session)
    with pytest.raises(ValueError, match=message) as refused:
        import_answers(session, write_json(tmp_path / "export.json", exported))
    assert "nothing imported" in str(refused.value)
    assert journal(session) == before and session.labels == {}  # the good tasks were not told either


def test_files_that_are_not_what_they_say_are_refused(session, tmp_path):
    (tmp_path / "broken.json").write_text("[{")
    with pytest.raises(ValueError, match=r"broken.json: not JSON"):
        import_answers(session, tmp_path / "broken.json")
    with pytest.raises(ValueError, match="a Label Studio JSON export is a list of tasks, got a JSON dict"):
        import_answers(session, write_json(tmp_path / "object.json", {"tasks": []}))
    (tmp_path / "answers.txt").write_text("")
    with pytest.raises(ValueError, match="unknown labelling format"):
        import_answers(session, tmp_path / "answers.txt")
    (tmp_path / "nolabel.csv").write_text("id,answer\nd1,cat\n")
    with pytest.raises(ValueError, match="the header needs the columns id and label, it lacks label"):
        import_answers(session, tmp_path / "nolabel.csv")
    (tmp_path / "bad.jsonl").write_text('{"id": "d1", "label": "cat"}\nnot json\n[1, 2]\n')
    with pytest.raises(
        ValueError, match=r"2 bad answers, nothing imported: line 2: not JSON .*; line 3: expected an object"
    ):
        import_answers(session, tmp_path / "bad.jsonl")
    with pytest.raises(ValueError, match="no such file"):
        import_answers(session, tmp_path / "missing.csv")


def test_jsonl_round_trip_and_one_id_answered_twice(session, tmp_path):
    asked = session.ask(3)
    path = export_pending(session, tmp_path / "batch.jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(record["id"], record["label"]) for record in records] == [(key, None) for key in asked]
    assert records[0]["text"] == DOCS[session.index_of(asked[0])]
    records[0]["label"], records[1]["label"] = TRUTH[asked[0]], TRUTH[asked[1]]
    twice = [*records, {"id": asked[0], "label": "cat" if TRUTH[asked[0]] == "dog" else "dog"}]
    path.write_text("".join(json.dumps(record) + "\n" for record in twice))
    with pytest.raises(ValueError, match=rf"line 4: id '{asked[0]}' was answered '{TRUTH[asked[0]]}' in line 1"):
        import_answers(session, path)
    path.write_text("".join(json.dumps(record) + "\n" for record in records + records[:1]))  # the same twice: fine
    summary = import_answers(session, path)
    assert summary.told == tuple(asked[:2]) and summary.unanswered == ("line 3",)


def test_csv_round_trip_on_a_table_with_int_ids_and_int_classes(tmp_path):
    frame = pd.DataFrame({"petal": np.linspace(1.0, 6.0, 10), "colour": ["white", "blue"] * 5})
    truth = [0, 1] * 5
    with Session.create(
        tmp_path / "t", frame, table_estimator(frame), classes=[0, 1], fit_every=100, durable=False
    ) as session:
        asked = session.ask(4)
        path = export_pending(session, tmp_path / "batch.csv")
        with open(path, newline="") as file:
            rows = list(csv.DictReader(file))
        assert list(rows[0]) == ["id", "label", "petal", "colour"]
        assert [int(row["id"]) for row in rows] == asked
        for row in rows[:3]:
            row["label"] = str(truth[int(row["id"])])  # text in a CSV: "1" names the class 1
        with open(path, "w", newline="") as file:
            writer = csv.DictWriter(file, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        summary = import_answers(session, path)
        assert summary.told == tuple(asked[:3]) and summary.unanswered == ("row 5",)
        assert session.labels == {key: truth[key] for key in asked[:3]}
        assert all(type(label) is int for label in session.labels.values())


def test_a_table_with_a_label_column_exports_to_label_studio_not_csv(tmp_path):
    frame = pd.DataFrame({"label": ["x", "y", "z"], "size": [1.0, 2.0, 3.0]})
    with Session.create(tmp_path / "t", frame, GaussianNB(), durable=False) as session:
        session.ask(2)
        with pytest.raises(ValueError, match="has a field named 'label', which the export's own column uses"):
            export_pending(session, tmp_path / "batch.csv")
        tasks = json.loads(export_pending(session, tmp_path / "batch.json").read_text())
        assert tasks[0]["data"]["label"] in {"x", "y", "z"} and "alfunc_id" in tasks[0]["data"]


def test_label_studio_config_names_the_data_and_the_classes(session):
    config = label_studio_config(session)
    assert '<Text name="text" value="$text"/>' in config
    assert config.count("<Choice ") == 2 and 'toName="text"' in config


def test_read_answers_takes_an_explicit_format(tmp_path):
    path = tmp_path / "answers.txt"
    path.write_text("id,label\n3,cat\n")
    assert read_answers(path, "csv")[0][0].label == "cat"
    with pytest.raises(ValueError, match="format must be one of"):
        read_answers(path, "xml")
