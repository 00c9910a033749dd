"""The class list in, the LMS's own file out: a Canvas gradebook export and a Moodle grading
worksheet, real-shaped, read with ``--roster`` and written back with ``--lms-out``: the same rows and
columns, only the grades (and Moodle's comments) filled in; who did not submit and who is not on
the roster is said, never dropped."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
import zipfile

import pytest

from _project import ROOT

SOLUTION = (ROOT / "solutions" / "01_overfitting.ipynb").read_bytes()
UNTOUCHED = (ROOT / "exercises" / "01_overfitting.ipynb").read_bytes()

CANVAS_EXPORT = [
    ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lasso (4321)", "Ridge (4322)", "Current Score"],
    ["    Points Possible", "", "", "", "", "10.00", "5.00", "(read only)"],
    ["Smith, Jane", "1234", "S001", "jsmith", "Section A", "", "4.00", "80"],
    ["Doe, John", "55", "S002", "jdoe", "Section A", "", "", ""],
    ["Kim, Lee", "77", "S003", "lkim", "Section B", "", "5.00", "100"],
]
MOODLE_WORKSHEET = [
    [
        "Identifier",
        "Full name",
        "Email address",
        "Status",
        "Grade",
        "Maximum Grade",
        "Grade can be changed",
        "Last modified (submission)",
        "Last modified (grade)",
        "Feedback comments",
    ],
    [
        "Participant 401",
        "Ann Lee",
        "ann@example.org",
        "Submitted for grading",
        "",
        "100.00",
        "Yes",
        "Monday, 30 November 2026, 10:00 AM",
        "-",
        "",
    ],
    ["Participant 402", "Bo Chen", "bo@example.org", "No submission", "", "100.00", "Yes", "-", "-", ""],
]


def csv_bytes(rows, *, bom=False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def grade(tmp_path, *args):
    grader_tmp = tempfile.mkdtemp(prefix="rcl-", dir="/tmp")
    try:
        return subprocess.run(
            [sys.executable, "-m", "regcourse", "grade", *map(str, args), "--chapter", "1", "--jobs", "2", "--quiet"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            env=dict(os.environ, TMPDIR=grader_tmp),
        )
    finally:
        assert os.listdir(grader_tmp) == []
        os.rmdir(grader_tmp)


def rows_of(path):
    with open(path, newline="", encoding="utf-8-sig") as stream:
        return list(csv.reader(stream))


def test_canvas_round_trip(tmp_path):
    export = tmp_path / "export.csv"
    export.write_bytes(csv_bytes(CANVAS_EXPORT, bom=True))
    write_zip(
        tmp_path / "submissions.zip",
        {
            "smithjane_1234_900_01_overfitting.ipynb": UNTOUCHED,
            "smithjane_LATE_1234_901_01_overfitting-1.ipynb": SOLUTION,
            "doejohn_55_902_01_overfitting.ipynb": UNTOUCHED,
            "strangerx_999_903_01_overfitting.ipynb": SOLUTION,
            "doejohn_55_904_readme.txt": b"a stray file",
        },
    )
    result = grade(
        tmp_path,
        "submissions.zip",
        "--out",
        "g.csv",
        "--roster",
        export,
        "--lms-out",
        "upload.csv",
        "--assignment",
        "Lasso",
    )
    assert result.returncode == 0, result.stderr
    expected = [list(row) for row in CANVAS_EXPORT]
    expected[2][5] = "10"  # 4/4 scaled to the assignment's 10 points
    expected[3][5] = "0"
    upload = (tmp_path / "upload.csv").read_bytes()
    assert upload == csv_bytes(expected, bom=True)  # the same file, byte for byte, but two cells
    book = {row["student"]: row for row in csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8"))}
    assert book["canvas:1234"]["roster"] == "Smith, Jane" and "newest of 2 files" in book["canvas:1234"]["reason"]
    assert book["canvas:999"]["roster"] == "not on the roster"
    assert book["canvas:77"]["status"] == "missing" and book["canvas:77"]["roster"] == "Kim, Lee"
    assert "on the roster, no submission (1): Kim, Lee (canvas:77)" in result.stdout
    assert "submitted, not on the roster (1):" in result.stdout and "strangerx_999" in result.stdout


def test_moodle_round_trip_with_comments(tmp_path):
    worksheet = tmp_path / "worksheet.csv"
    worksheet.write_bytes(csv_bytes(MOODLE_WORKSHEET))
    write_zip(tmp_path / "moodle.zip", {"Ann Lee_401_assignsubmission_file_/01_overfitting.ipynb": SOLUTION})
    result = grade(tmp_path, "moodle.zip", "--out", "g.csv", "--roster", worksheet, "--lms-out", "upload.csv")
    assert result.returncode == 0, result.stderr
    upload = rows_of(tmp_path / "upload.csv")
    assert upload[0] == MOODLE_WORKSHEET[0] and upload[2] == MOODLE_WORKSHEET[2]  # Bo Chen: untouched
    ann = upload[1]
    assert ann[:4] == MOODLE_WORKSHEET[1][:4] and ann[5:9] == MOODLE_WORKSHEET[1][5:9]
    assert ann[4] == "100"  # 4/4 scaled to Maximum Grade 100
    assert ann[9].startswith("4/4 (ok); overfit.mse: passed")
    assert "Bo Chen (moodle:402)" in result.stdout
    assert not (tmp_path / "upload.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # no BOM added


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--roster", "export.csv"], "--assignment"),  # a Canvas export must say which column
        (["--roster", "export.csv", "--assignment", "Lasso (9)"], "matches no column"),
        (["--lms-out", "upload.csv"], "--lms-out needs --roster"),
        (["--roster", "other.csv"], "neither a Canvas gradebook export"),
    ],
)
def test_roster_mistakes_stop_before_grading(tmp_path, extra, message):
    (tmp_path / "export.csv").write_bytes(csv_bytes(CANVAS_EXPORT))
    (tmp_path / "other.csv").write_text("name,score\na,1\n")
    (tmp_path / "a.ipynb").write_bytes(SOLUTION)
    result = subprocess.run(
        [sys.executable, "-m", "regcourse", "grade", "a.ipynb", "--out", "g.csv", *extra],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "g.csv").exists() and not (tmp_path / "upload.csv").exists()


@pytest.mark.parametrize(
    "score, max_score, possible, text",
    [(3, 4, 10.0, "7.5"), (4, 4, 4.0, "4"), (2, 3, None, "2"), (1, 3, 100.0, "33.33"), (0, 0, 10.0, "0")],
)
def test_scores_are_scaled_to_the_lms_points(score, max_score, possible, text):
    from regcourse.grading._lms import _grade_text

    assert _grade_text(score, max_score, possible) == text
