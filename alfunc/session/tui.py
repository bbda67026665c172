"""Label in a terminal: plain prompts over a ``Session``, for machines without a browser.

Each pending record is printed (its text, image path or fields), then a
prompt lists the classes with their keys; type a key (``1``..``9`` or a
class's first letter) or a class's name and Enter to label, ``s`` to skip,
``u`` for unsure, ``q`` (or end of input) to stop. Every answer is durable
when the next record shows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO

from alfunc.session.page import next_record
from alfunc.session.progress import Progress
from alfunc.session.view import match_label, shortcuts


def label_in_terminal(
    session: Any,
    classes: Sequence[Any] | None = None,
    *,
    batch: int = 5,
    input: TextIO | None = None,
    output: TextIO | None = None,
) -> int:
    """Ask for labels one record at a time on ``output``, reading answers from ``input``, until ``q`` or the end.

    Parameters
    ----------
    session : Session
        An open session.
    classes : sequence or None, default=None
        The labels offered (default: the session's classes).
    batch : int, default=5
        How many points to ask for when none is pending.
    input, output : text streams or None, default=None
        Where answers come from and records go (default: stdin and stdout).

    Returns
    -------
    int
        How many answers (labels, skips and unsures) were given.

    Examples
    --------
    >>> import io, tempfile
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from alfunc.session import Session
    >>> from alfunc.session.tui import label_in_terminal
    >>> session = Session.create(tempfile.mkdtemp(), ["a cat", "a dog", "a cow"], GaussianNB(),
    ...                          classes=["cat", "dog"], durable=False)
    >>> shown = io.StringIO()
    >>> label_in_terminal(session, input=io.StringIO("c\\ncow\\ns\\nq\\n"), output=shown)
    2
    >>> print(shown.getvalue())
    <BLANKLINE>
    [1] a dog
    [1] cat (c)  [2] dog (d)  [s] skip  [u] unsure  [q] quit > labelled 'cat'; labelled 1 / asked 3 / pool 3, ...
    <BLANKLINE>
    [0] a cat
    [1] cat (c)  [2] dog (d)  [s] skip  [u] unsure  [q] quit > 'cow' is not an answer here; type a key or ...
    [1] cat (c)  [2] dog (d)  [s] skip  [u] unsure  [q] quit > skipped; labelled 1 / asked 3 / pool 3, ...
    <BLANKLINE>
    [2] a cow
    [1] cat (c)  [2] dog (d)  [s] skip  [u] unsure  [q] quit >
    >>> len(session.labels), len(session.skipped)
    (1, 1)
    >>> session.close()
    """
    source = sys.stdin if input is None else input
    sink = sys.stdout if output is None else output
    offered = list((session.classes or []) if classes is None else classes)
    if len(offered) < 2:
        raise ValueError(f"classes must hold at least two labels to choose from, got {offered}")
    keys = shortcuts(offered)
    progress = Progress(session)
    answered = 0
    while True:
        shown = next_record(session, batch)
        record = shown["record"]
        if record is None:
            print("\nNothing left to ask: every record is labelled, skipped or waiting as unsure.", file=sink)
            return answered
        print(f"\n[{record['id']}] {_describe(record)}", file=sink)
        prompt = _prompt(offered, keys)
        while True:
            sink.write(prompt)
            sink.flush()
            line = source.readline()
            if not line:  # end of input: stop like q
                print(file=sink)
                return answered
            reply = line.strip()
            if reply.lower() == "q":
                return answered
            try:
                outcome = _answer(session, record["id"], reply, offered, keys)
            except ValueError as error:
                print(error, file=sink)
                continue
            answered += 1
            report = progress.report()
            print(
                f"{outcome}; labelled {report['labeled']} / asked {report['asked']} / pool {report['pool']}, "
                f"estimated accuracy {report['accuracy_text']}",
                file=sink,
            )
            break


def _describe(record: dict[str, Any]) -> str:
    if record["kind"] == "text":
        return str(record["text"])
    if record["kind"] == "image":
        return f"image: {record['image']}"
    return "\n".join(f"  {name}: {'' if value is None else value}" for name, value in record["fields"])


def _prompt(classes: Sequence[Any], keys: dict[str, Any]) -> str:
    choices = []
    for label in classes:
        names = [key for key, named in keys.items() if named == label and type(named) is type(label)]
        digit = next((key for key in names if key.isdigit()), None)
        letters = [key for key in names if not key.isdigit()]
        head = f"[{digit}] " if digit else ""
        choices.append(f"{head}{label}" + (f" ({letters[0]})" if letters else ""))
    return "  ".join([*choices, "[s] skip", "[u] unsure", "[q] quit"]) + " > "


def _answer(session: Any, id: Any, reply: str, classes: Sequence[Any], keys: dict[str, Any]) -> str:
    lowered = reply.lower()
    if lowered == "s":
        session.skip(id)
        return "skipped"
    if lowered == "u":
        session.unsure(id)
        return "put back as unsure"
    if lowered in keys:
        label = keys[lowered]
    else:
        label = match_label(reply, classes)
        named = [option for option in classes if str(option).lower() == lowered]
        label = named[0] if label not in classes and len(named) == 1 else label
        if label not in classes:
            raise ValueError(f"{reply!r} is not an answer here; type a key or a class name, s, u or q")
    session.tell(id, label)
    return f"labelled {label!r}"
