"""``python -m sync.server tag-comments IN.csv OUT.csv``: the CSV contract a trust's analyst
relies on, and one-line messages (exit 2) for input it cannot use."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from sync.analysis import command, tagger
from sync.server import cli

STAFF = "Staff manner & personal attributes"
WAITING = "Timeliness of care"


def run(capsys, *args: str) -> tuple[int, str]:
    try:
        code = cli.main(["tag-comments", *map(str, args)])
    except SystemExit as exc:  # argparse refusing
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def rows_of(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_out_has_id_themes_sentiment_for_every_row_in_order(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "\ufeffward,id,comment,extra\r\n"
        "7,c-3,The nurses were lovely and kind,x\r\n"
        '7,c-1,"Waited 6 hours in pain, nobody came",\r\n'
        "7,c-2,   ,\r\n"
        "7,=1+1,Brilliant staff and the food was good,\r\n",
        encoding="utf-8",
    )
    code, err = run(capsys, source, target)
    assert code == 0, err
    assert "4 comments tagged" in err
    header, *rows = rows_of(target)
    assert header == ["id", "themes", "sentiment"]
    assert [r[0] for r in rows] == ["c-3", "c-1", "c-2", "'=1+1"]  # spreadsheet-safe
    assert STAFF in rows[0][1].split(" | ")
    assert WAITING in rows[1][1].split(" | ")
    assert rows[2][1:] == ["", ""]  # a blank comment: no themes, no sentiment
    for row in (rows[0], rows[1], rows[3]):
        assert row[2] in {"1", "2", "3", "4", "5"}
        assert all(theme in tagger.load().themes for theme in row[1].split(" | ") if theme)
    assert int(rows[0][2]) <= 2 and int(rows[1][2]) >= 4


def test_several_themes_are_joined_with_a_bar(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "id,comment\n1,The staff were rude and I waited hours to be seen, the food was cold\n",
        encoding="utf-8",
    )
    assert run(capsys, source, target)[0] == 0
    themes = rows_of(target)[1][1]
    assert " | " in themes and "||" not in themes and not themes.endswith(" ")


def test_a_rating_column_is_used_when_there_is_one(tmp_path, capsys):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("id,comment,rating\n1,It was ok,1\n2,It was ok,5\n", encoding="utf-8")
    assert run(capsys, source, target)[0] == 0
    rows = rows_of(target)[1:]
    assert int(rows[0][2]) < int(rows[1][2])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,text\n1,hello\n", "has no 'comment' column"),
        (b"comment\nhello\n", "has no 'id' column"),
        (b"", "has no 'id' or 'comment' column"),
        (b"id,comment\n1,caf\xe9\n", "is not UTF-8 text (byte 17); save it as 'CSV UTF-8'"),
    ],
    ids=["no comment column", "no id column", "empty file", "latin-1"],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(content)
    code, err = run(capsys, source, target)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not target.exists()


def test_a_missing_file_or_unwritable_out_is_exit_2(tmp_path, capsys):
    code, err = run(capsys, tmp_path / "absent.csv", tmp_path / "out.csv")
    assert (code, err.strip()) == (
        2,
        f"{tmp_path / 'absent.csv'} does not exist; give the path of a CSV file",
    )
    source = tmp_path / "in.csv"
    source.write_text("id,comment\n1,fine\n", encoding="utf-8")
    code, err = run(capsys, source, tmp_path / "no-such-folder" / "out.csv")
    assert code == 2 and "cannot be written" in err


def test_a_broken_model_is_a_message_not_a_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(tagger, "MODEL_DIR", tmp_path / "empty")
    source = tmp_path / "in.csv"
    source.write_text("id,comment\n1,fine\n", encoding="utf-8")
    code, err = run(capsys, source, tmp_path / "out.csv")
    assert code == 1
    assert "is missing; rebuild it with `python -m sync.analysis.train`" in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_on_a_terminal_only():
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = command.Progress(3, stream)
        for done in (1, 2, 3):
            progress.update(done)
    assert terminal.getvalue().endswith("\rtagging [" + "#" * 30 + "] 3/3\n")
    assert pipe.getvalue() == ""


@pytest.mark.slow
def test_the_command_line_runs_and_the_server_does_not_load_numpy(tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("id,comment\n1,Kind nurses\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sync.server", "tag-comments", str(source), str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert rows_of(target)[0] == ["id", "themes", "sentiment"]
    check = "import sys, sync.server.cli, sync.server.app; print('numpy' in sys.modules)"
    probe = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert probe.stdout.strip() == "False", probe.stderr
