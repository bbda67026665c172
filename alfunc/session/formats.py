"""Label in the tool a team already uses: the pending batch out as files, the answers back into the session.

Three formats, files only (no server):

* ``"label-studio"`` (``.json``): ``export_pending`` writes Label Studio
  *tasks* (a JSON list of ``{"data": {...}}``; the record's text as
  ``text``, an image path as ``image``, a table's row as its fields, and the
  alfunc id as ``alfunc_id``, which Label Studio keeps in the task's data
  through its export; Label Studio numbers tasks itself). ``import_answers``
  reads Label Studio's *JSON* export: tasks with
  ``annotations[].result[].value.choices`` (one choice per record).
  Cancelled annotations (``was_cancelled``) and tasks without an annotation
  are left unanswered; a task whose annotations choose different labels is
  refused (resolve it in Label Studio first).
* ``"jsonl"`` (``.jsonl``): one ``{"id": ..., "label": ...}`` object a line
  (the export adds the record, and ``"label": null``).
* ``"csv"`` (``.csv``): a header with the columns ``id`` and ``label`` (the
  export adds the record's columns; an empty label is unanswered).

Importing validates the whole file first: a malformed file, an id that is not
in the pool, a label outside the session's classes or one id answered twice
with different labels raise one ``ValueError`` naming every bad task, line or
row, and nothing is told. Then each answer is applied: a pending id is
**told**; an id labeled already is **corrected** when the label differs (a
correction event, see ``Session.correct``) and left **unchanged** when it is
the same; an id that is neither (never asked, skipped, or put back as
unsure) is **refused** with the reason, and the rest are still applied.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from alfunc.session.view import match_label, record_view

FORMATS = {".json": "label-studio", ".jsonl": "jsonl", ".csv": "csv"}
ID_KEY = "alfunc_id"  # where a Label Studio task's data keeps the alfunc id
SHOWN_PROBLEMS = 5


@attrs.frozen
class Answer:
    """One answer read from a file: the id as written, the label, and where it was (``"task 7"``, ``"line 3"``).

    Examples
    --------
    >>> from alfunc.session.formats import Answer
    >>> Answer("12", "spam", "row 2").where
    'row 2'
    """

    id: Any
    label: Any
    where: str


@attrs.frozen
class ImportSummary:
    """What an import did, by id: ``told``, ``corrected``, ``unchanged``, ``refused`` (id, reason), ``unanswered``.

    ``unanswered`` lists where the file holds a record without an answer
    (``"task 4"``, ``"line 2"``).

    Parameters
    ----------
    told : tuple, default=()
        Ids of pending points that got their label.
    corrected : tuple, default=()
        Ids of labeled points whose label changed (a correction each).
    unchanged : tuple, default=()
        Ids of labeled points answered with the label they have.
    refused : tuple of (id, str), default=()
        Ids that could not be taken (skipped, unsure, never asked), with the reason.
    unanswered : tuple of str, default=()
        Where the file holds a record without an answer.

    Examples
    --------
    >>> from alfunc.session.formats import ImportSummary
    >>> summary = ImportSummary(told=(3, 5), corrected=(1,), unchanged=(), refused=((9, "it was skipped"),),
    ...                         unanswered=("task 12",))
    >>> print(summary)
    2 told, 1 corrected, 0 unchanged, 1 refused (9: it was skipped), 1 unanswered
    """

    told: tuple[Any, ...] = ()
    corrected: tuple[Any, ...] = ()
    unchanged: tuple[Any, ...] = ()
    refused: tuple[tuple[Any, str], ...] = ()
    unanswered: tuple[str, ...] = ()

    def __str__(self) -> str:
        refused = ", ".join(f"{key}: {reason}" for key, reason in self.refused[:SHOWN_PROBLEMS])
        return (
            f"{len(self.told)} told, {len(self.corrected)} corrected, {len(self.unchanged)} unchanged, "
            f"{len(self.refused)} refused{f' ({refused})' if refused else ''}, {len(self.unanswered)} unanswered"
        )


def file_format(path: str | os.PathLike, format: str | None = None) -> str:
    """The format of a labelling file: ``format`` if given, else from its extension.

    Parameters
    ----------
    path : path-like
        The file.
    format : {"label-studio", "jsonl", "csv"} or None
        The format, when the extension does not say it.

    Returns
    -------
    str

    Examples
    --------
    >>> from alfunc.session.formats import file_format
    >>> file_format("batch.json"), file_format("answers.CSV"), file_format("x.txt", "jsonl")
    ('label-studio', 'csv', 'jsonl')
    >>> file_format("answers.txt")
    Traceback (most recent call last):
    ...
    ValueError: answers.txt: unknown labelling format ('.txt'); use .json (Label Studio), .jsonl or .csv, or pass format=
    """
    if format is not None:
        if format not in FORMATS.values():
            raise ValueError(f"format must be one of {sorted(set(FORMATS.values()))}, got {format!r}")
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{path}: unknown labelling format ({suffix or 'no extension'!r}); "
            "use .json (Label Studio), .jsonl or .csv, or pass format="
        )
    return FORMATS[suffix]


def label_studio_tasks(session: Any, ids: Iterable[Any] | None = None) -> list[dict[str, Any]]:
    """Label Studio tasks (``[{"data": {...}}]``) for the pending ids (or ``ids``), the alfunc id in ``alfunc_id``.

    A text record's data is ``{"text": ...}``, an image path's ``{"image":
    path}``, a table's (or an array's) row its fields by name.

    Parameters
    ----------
    session : Session
        The session.
    ids : iterable or None, default=None
        The ids to export (default: ``session.pending``).

    Returns
    -------
    list of dict

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.formats import label_studio_tasks
    >>> docs = ["a cat purrs", "a dog barks", "photos/7.png"]
    >>> with Session.create(tempfile.mkdtemp(), docs, GaussianNB(), ids=["c", "d", "p"], durable=False) as s:
    ...     label_studio_tasks(s, ["d", "p"])
    [{'data': {'text': 'a dog barks', 'alfunc_id': 'd'}}, {'data': {'image': 'photos/7.png', 'alfunc_id': 'p'}}]
    """
    tasks = []
    for key in session.pending if ids is None else ids:
        view = record_view(session, key)
        data = _content(view)
        if ID_KEY in data:
            raise ValueError(f"the record of id {view['id']!r} has a field named {ID_KEY!r}, which the export uses")
        tasks.append({"data": {**data, ID_KEY: view["id"]}})
    return tasks


def label_studio_config(session: Any, *, name: str = "label") -> str:
    """A Label Studio labeling configuration (XML) that shows the exported tasks and offers the session's classes.

    Parameters
    ----------
    session : Session
        A session with fixed ``classes``.
    name : str, default="label"
        The ``Choices`` control's name (its ``from_name`` in the export).

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.formats import label_studio_config
    >>> with Session.create(tempfile.mkdtemp(), ["a cat", "a dog"], GaussianNB(), classes=["cat", "dog"]) as s:
    ...     print(label_studio_config(s))
    <View>
      <Text name="text" value="$text"/>
      <Choices name="label" toName="text" choice="single" showInline="true">
        <Choice value="cat"/>
        <Choice value="dog"/>
      </Choices>
    </View>
    """
    from xml.sax.saxutils import quoteattr

    if session.classes is None:
        raise ValueError("label_studio_config needs a session with classes (Session.create(..., classes=[...]))")
    view = record_view(session, session.id_at(0))
    if view["kind"] == "text":
        shown, target = '  <Text name="text" value="$text"/>', "text"
    elif view["kind"] == "image":
        shown, target = '  <Image name="image" value="$image"/>', "image"
    else:
        lines = [
            f"  <Text name={quoteattr(f'f{i}')} value={quoteattr('$' + field)}/>"
            for i, (field, _) in enumerate(view["fields"])
        ]
        shown, target = "\n".join(lines), "f0"
    choices = "\n".join(f"    <Choice value={quoteattr(str(label))}/>" for label in session.classes)
    return (
        f'<View>\n{shown}\n  <Choices name={quoteattr(name)} toName={quoteattr(target)} choice="single" '
        f'showInline="true">\n{choices}\n  </Choices>\n</View>'
    )


def export_pending(session: Any, path: str | os.PathLike, format: str | None = None) -> Path:
    """Write the pending batch to ``path`` for a labelling tool (format from the extension, or ``format``).

    Label Studio tasks for ``.json``; for ``.jsonl`` one object a line with
    ``id``, ``label`` (null) and the record; for ``.csv`` the columns ``id``,
    ``label`` (empty) and the record's. Ask first (``session.ask(n)``): only
    pending ids are written.

    Parameters
    ----------
    session : Session
        The session.
    path : path-like
        The file to write (replaced).
    format : {"label-studio", "jsonl", "csv"} or None
        The format, when the extension does not say it.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.formats import export_pending
    >>> folder = tempfile.mkdtemp()
    >>> with Session.create(os.path.join(folder, "s"), ["a cat", "a dog", "a cow"], GaussianNB()) as session:
    ...     asked = session.ask(2)
    ...     path = export_pending(session, os.path.join(folder, "batch.csv"))
    >>> print(path.read_text(), end="")  # the batch in the order asked; fill in the labels, then import it
    id,label,text
    1,,a dog
    0,,a cat
    """
    path = Path(path)
    kind = file_format(path, format)
    if kind == "label-studio":
        text = json.dumps(label_studio_tasks(session), ensure_ascii=False, indent=1) + "\n"
    else:
        records = [_plain_record(record_view(session, key)) for key in session.pending]
        if kind == "jsonl":
            text = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        else:
            text = _csv_text(records)
    path.write_text(text, encoding="utf-8")
    return path


def read_answers(path: str | os.PathLike, format: str | None = None) -> tuple[list[Answer], list[str]]:
    """The answers a labelling file holds, and where it holds records without one (nothing is checked yet).

    Parameters
    ----------
    path : path-like
        A Label Studio JSON export, a JSONL or a CSV file.
    format : {"label-studio", "jsonl", "csv"} or None
        The format, when the extension does not say it.

    Returns
    -------
    (list of Answer, list of str)

    Examples
    --------
    >>> import os, tempfile
    >>> from alfunc.session.formats import read_answers
    >>> path = os.path.join(tempfile.mkdtemp(), "answers.jsonl")
    >>> _ = open(path, "w").write('{"id": 4, "label": "cat"}\\n{"id": 7, "label": null}\\n')
    >>> read_answers(path)
    ([Answer(id=4, label='cat', where='line 1')], ['line 2'])
    """
    path = Path(path)
    kind = file_format(path, format)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    reader = {"label-studio": _label_studio_answers, "jsonl": _jsonl_answers, "csv": _csv_answers}[kind]
    return reader(text, path)


def import_answers(session: Any, path: str | os.PathLike, format: str | None = None) -> ImportSummary:
    """Apply a labelling file's answers to the session: tell pending ids, correct changed labels (see the module).

    The whole file is checked before anything is told; a bad file raises
    ``ValueError`` naming each bad task, line or row, and changes nothing.

    Parameters
    ----------
    session : Session
        An open session.
    path : path-like
        A Label Studio JSON export (``.json``), a JSONL or a CSV file.
    format : {"label-studio", "jsonl", "csv"} or None
        The format, when the extension does not say it.

    Returns
    -------
    ImportSummary

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.formats import import_answers
    >>> folder = tempfile.mkdtemp()
    >>> session = Session.create(os.path.join(folder, "s"), [[0.0], [1.0], [2.0]], GaussianNB(), classes=["a", "b"])
    >>> asked = session.ask(2)
    >>> path = os.path.join(folder, "answers.csv")
    >>> _ = open(path, "w").write(f"id,label\\n{asked[0]},a\\n{asked[1]},b\\n")
    >>> print(import_answers(session, path))
    2 told, 0 corrected, 0 unchanged, 0 refused, 0 unanswered
    >>> _ = open(path, "w").write(f"id,label\\n{asked[0]},b\\n9,a\\n{asked[1]},c\\n")
    >>> import_answers(session, path)
    Traceback (most recent call last):
    ...
    ValueError: ...answers.csv: 2 bad answers, nothing imported: row 3: id '9' is not in the pool; row 4: label 'c' is not one of the session's classes ['a', 'b']
    >>> session.close()
    """
    answers, unanswered = read_answers(path, format)
    checked = _checked(session, answers, Path(path))
    ledger = session.ledger
    told, corrected, unchanged, refused = [], [], [], []
    for index, label in checked:
        key = session.id_at(index)
        if index in ledger.pending:
            session.tell(key, label)
            told.append(key)
        elif index in ledger.labels:
            if ledger.labels[index] == label and type(ledger.labels[index]) is type(label):
                unchanged.append(key)
            else:
                session.correct(key, label)
                corrected.append(key)
        else:
            refused.append((key, _why_not(ledger, index)))
    return ImportSummary(tuple(told), tuple(corrected), tuple(unchanged), tuple(refused), tuple(unanswered))


# --- reading ------------------------------------------------------------------------------------------------------


def _label_studio_answers(text: str, path: Path) -> tuple[list[Answer], list[str]]:
    tasks = _json(text, path)
    if not isinstance(tasks, list):
        raise ValueError(f"{path}: a Label Studio JSON export is a list of tasks, got a JSON {type(tasks).__name__}")
    answers, unanswered, problems = [], [], []
    for position, task in enumerate(tasks, 1):
        where = f"task {task.get('id', f'#{position}')}" if isinstance(task, dict) else f"task #{position}"
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict) or ID_KEY not in data:
            problems.append(f"{where}: its data holds no {ID_KEY!r} (export the tasks with alfunc's export_pending)")
            continue
        chosen = []
        for annotation in task.get("annotations") or []:
            if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
                continue
            choices = [
                choice
                for result in annotation.get("result") or []
                if isinstance(result, dict) and isinstance(result.get("value"), dict)
                for choice in result["value"].get("choices") or []
            ]
            if len(choices) > 1:
                problems.append(f"{where}: an annotation chooses {len(choices)} labels {choices}; a record takes one")
            elif choices:
                chosen.append(choices[0])
        if not chosen:
            unanswered.append(where)
        elif len(set(map(str, chosen))) > 1:
            problems.append(f"{where}: its annotations disagree ({sorted(set(map(str, chosen)))}); resolve them first")
        else:
            answers.append(Answer(data[ID_KEY], chosen[-1], where))
    _raise(problems, path)
    return answers, unanswered


def _jsonl_answers(text: str, path: Path) -> tuple[list[Answer], list[str]]:
    answers, unanswered, problems = [], [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{where}: not JSON ({error.msg})")
            continue
        if not isinstance(record, dict) or "id" not in record:
            problems.append(f"{where}: expected an object with 'id' and 'label'")
            continue
        label = record.get("label")
        if label is None or label == "":
            unanswered.append(where)
        else:
            answers.append(Answer(record["id"], label, where))
    _raise(problems, path)
    return answers, unanswered


def _csv_answers(text: str, path: Path) -> tuple[list[Answer], list[str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [name for name in ("id", "label") if name not in header]
    if missing:
        raise ValueError(f"{path}: the header needs the columns id and label, it lacks {' and '.join(missing)}")
    answers, unanswered = [], []
    for row in reader:
        where = f"row {reader.line_num}"
        label = (row.get("label") or "").strip()
        if label:
            answers.append(Answer((row.get("id") or "").strip(), label, where))
        else:
            unanswered.append(where)
    return answers, unanswered


def _json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None


# --- checking and applying ----------------------------------------------------------------------------------------


def _checked(session: Any, answers: Sequence[Answer], path: Path) -> list[tuple[int, Any]]:
    """``(index, label)`` of every answer, in order, one per id; or ``ValueError`` naming every bad one."""
    problems: list[str] = []
    seen: dict[int, tuple[str, Any]] = {}
    checked: list[tuple[int, Any]] = []
    for answer in answers:
        try:
            index = session.index_of(answer.id)
        except ValueError:
            problems.append(f"{answer.where}: id {answer.id!r} is not in the pool")
            continue
        label = match_label(answer.label, session.classes)
        if session.classes is not None and label not in session.classes:
            problems.append(
                f"{answer.where}: label {answer.label!r} is not one of the session's classes {session.classes}"
            )
            continue
        if not isinstance(label, (str, int, float, bool)):
            problems.append(f"{answer.where}: label must be a string, number or bool, got {label!r}")
            continue
        if index in seen:
            where, before = seen[index]
            if before != label:
                problems.append(f"{answer.where}: id {answer.id!r} was answered {before!r} in {where}, here {label!r}")
            continue
        seen[index] = (answer.where, label)
        checked.append((index, label))
    _raise(problems, path)
    return checked


def _raise(problems: Sequence[str], path: Path) -> None:
    if problems:
        more = f"; ... ({len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
        noun = "answer" if len(problems) == 1 else "answers"
        raise ValueError(
            f"{path}: {len(problems)} bad {noun}, nothing imported: {'; '.join(problems[:SHOWN_PROBLEMS])}{more}"
        )


def _why_not(ledger: Any, index: int) -> str:
    if index in ledger.skipped:
        return "it was skipped"
    if index in ledger.unsure:
        return "it was put back as unsure; ask again"
    return "it was never asked"


# --- writing ------------------------------------------------------------------------------------------------------


def _plain_record(view: dict[str, Any]) -> dict[str, Any]:
    content = _content(view)
    clash = [name for name in ("id", "label") if name in content]
    if clash:
        raise ValueError(
            f"the record of id {view['id']!r} has a field named {clash[0]!r}, which the export's own column uses; "
            "export to Label Studio (.json) instead"
        )
    return {"id": view["id"], "label": None, **content}


def _content(view: dict[str, Any]) -> dict[str, Any]:
    if view["kind"] == "text":
        return {"text": view["text"]}
    if view["kind"] == "image":
        return {"image": view["image"]}
    return dict((name, value) for name, value in view["fields"])


def _csv_text(records: Sequence[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(name for record in records for name in record)) or ["id", "label"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: "" if value is None else value for name, value in record.items()} for record in records)
    return buffer.getvalue()
