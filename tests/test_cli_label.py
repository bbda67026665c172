"""``alfunc label``: argument errors are one line with exit code 2; the terminal mode and the file moves work."""

import io
import json
import socket
import sys

import pytest

from alfunc.cli import main
from alfunc.session import Session, events_of

PETS = "name,text,kind\nann,a purring cat,cat\nbob,a barking dog,dog\ncy,a sleepy cat,cat\ndi,a running dog,dog\n"


@pytest.fixture
def pets(tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text(PETS)
    return path


def run(argv, capsys, typed=None, monkeypatch=None):
    if typed is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    try:
        code = main([str(part) for part in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err, fragment):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("alfunc"), err
    assert fragment in lines[0], err


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ([], "one of the arguments --classes --classes-from is required"),
        (["--classes", "cat,dog", "--classes-from", "kind"], "not allowed with argument"),
        (["--classes", "cat"], "--classes must name at least two distinct labels"),
        (["--classes", "cat,dog", "--text", "body"], "no column 'body' (--text); columns: name, text, kind"),
        (["--classes", "cat,dog", "--id", "nobody"], "no column 'nobody' (--id)"),
        (["--classes-from", "species"], "no column 'species' (--target)"),
        (["--classes", "cat,dog", "--batch", "0"], "--batch must be at least 1, got 0"),
        (["--classes", "cat,dog", "--port", "http"], "argument --port: invalid int value"),
    ],
)
def test_argument_errors_are_one_line_and_exit_2(pets, capsys, extra, fragment):
    code, _, err = run(["label", pets, "--tui", *extra], capsys)
    assert code == 2
    one_line_error(err, fragment)


def test_a_missing_file_or_format_is_one_line(tmp_path, capsys):
    code, _, err = run(["label", tmp_path / "none.csv", "--classes", "a,b", "--tui"], capsys)
    assert code == 2
    one_line_error(err, "none.csv: no such file")
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = run(["label", tmp_path / "notes.txt", "--classes", "a,b", "--tui"], capsys)
    assert code == 2
    one_line_error(err, "unknown format")


def test_the_terminal_mode_labels_and_a_second_run_continues_the_same_session(pets, capsys, monkeypatch):
    argv = ["label", pets, "--text", "text", "--id", "name", "--classes", "cat,dog", "--tui", "--batch", "2"]
    code, out, _ = run(argv, capsys, "c\nd\nq\n", monkeypatch)
    assert code == 0 and "(new; 0 labels)" in out and "2 labels saved" in out
    folder = pets.parent / "pets-session"
    told = {event["id"]: event["label"] for event in events_of(folder) if event["event"] == "tell"}
    assert len(told) == 2 and set(told) <= {"ann", "bob", "cy", "di"}
    code, out, _ = run(argv, capsys, "1\n", monkeypatch)  # the next day; the input ends after one answer
    assert code == 0 and "(reopened; 2 labels)" in out and "3 labels saved" in out
    code, _, err = run([*argv[:6], "--classes", "dog,cat", "--tui"], capsys, "q\n", monkeypatch)
    assert code == 2
    one_line_error(err, "--classes gives ['dog', 'cat'], but the session in")


def test_classes_from_a_column_never_shows_that_column(tmp_path, capsys, monkeypatch):
    path = tmp_path / "flowers.csv"
    path.write_text("petal,colour,species\n1.4,white,setosa\n4.7,blue,versicolor\n1.3,white,setosa\n")
    code, out, _ = run(["label", path, "--classes-from", "species", "--tui"], capsys, "q\n", monkeypatch)
    assert code == 0 and "petal: " in out and "colour: " in out
    assert "species" not in out and "setosa" in out  # offered as a class, never shown as a field
    header = events_of(tmp_path / "flowers-session")[0]
    assert header["classes"] == ["setosa", "versicolor"]


def test_export_and_import_move_the_pending_batch_through_files(pets, capsys):
    base = ["label", pets, "--text", "text", "--classes", "cat,dog"]
    batch = pets.parent / "batch.jsonl"
    code, out, _ = run([*base, "--export", batch, "--batch", "3"], capsys)
    assert code == 0 and f"3 pending records written to {batch}" in out
    records = [json.loads(line) for line in batch.read_text().splitlines()]
    kinds = {index: line.split(",")[2] for index, line in enumerate(PETS.splitlines()[1:])}
    for record in records:
        record["label"] = kinds[record["id"]]
    batch.write_text("".join(json.dumps(record) + "\n" for record in records))
    code, out, _ = run([*base, "--import", batch], capsys)
    assert code == 0 and "3 told, 0 corrected, 0 unchanged, 0 refused, 0 unanswered" in out
    told = {
        event["id"]: event["label"] for event in events_of(pets.parent / "pets-session") if event["event"] == "tell"
    }
    assert told == {record["id"]: kinds[record["id"]] for record in records}


def test_a_session_open_elsewhere_is_refused_in_one_line(pets, capsys, monkeypatch):
    argv = ["label", pets, "--text", "text", "--classes", "cat,dog", "--tui"]
    assert run(argv, capsys, "q\n", monkeypatch)[0] == 0
    from alfunc.experiments.files import read_data, text_estimator

    data = read_data(pets, "kind", text="text")
    with Session.open(pets.parent / "pets-session", data.X, text_estimator()):
        code, _, err = run(argv, capsys, "q\n", monkeypatch)
    assert code == 2
    one_line_error(err, "is open in another process")


def test_the_page_without_its_extra_says_how_to_install_it(pets, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if uvicorn were not installed
    code, _, err = run(["label", pets, "--text", "text", "--classes", "cat,dog"], capsys)
    assert code == 2
    one_line_error(err, 'pip install "alfunc[label]"')
    assert not (pets.parent / "pets-session").exists()  # said before anything was made


def test_a_port_in_use_is_one_line(pets, capsys):
    pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run(["label", pets, "--text", "text", "--classes", "cat,dog", "--port", port], capsys)
    assert code == 2
    one_line_error(err, f"cannot listen on 127.0.0.1:{port} (Address already in use); choose another port")
