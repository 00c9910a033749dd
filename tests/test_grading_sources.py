"""What ``grade`` takes as sources: LMS file names, Canvas and Moodle zips, folders; one notebook per
student (the newest), and zips read as data whatever they hold."""

from __future__ import annotations

import os
import time
import zipfile

import pytest

from regcourse.grading._sources import collect, newest_per_student, parse_lms_name


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "smithjane_1234_98765_04_l1_lasso.ipynb",
            {
                "lms": "canvas",
                "student": "canvas:1234",
                "student_name": "smithjane",
                "late": False,
                "attempt": 0,
                "file": "04_l1_lasso.ipynb",
            },
        ),
        (
            "smithjane_LATE_1234_98766_04_l1_lasso-1.ipynb",
            {
                "lms": "canvas",
                "student": "canvas:1234",
                "student_name": "smithjane",
                "late": True,
                "attempt": 1,
                "file": "04_l1_lasso.ipynb",
            },
        ),
        (
            "doe2_77_5_my-notebook-12.ipynb",
            {
                "lms": "canvas",
                "student": "canvas:77",
                "student_name": "doe2",
                "late": False,
                "attempt": 12,
                "file": "my-notebook.ipynb",
            },
        ),
        (
            "Jane Smith_401_assignsubmission_file_",
            {
                "lms": "moodle",
                "student": "moodle:401",
                "student_name": "Jane Smith",
                "late": False,
                "attempt": 0,
                "file": "",
            },
        ),
        (
            "José Núñez_7_assignsubmission_file_04_l1_lasso.ipynb",
            {
                "lms": "moodle",
                "student": "moodle:7",
                "student_name": "José Núñez",
                "late": False,
                "attempt": 0,
                "file": "04_l1_lasso.ipynb",
            },
        ),
        (
            "04_l1_lasso.ipynb",
            {"lms": None, "student": "", "student_name": "", "late": False, "attempt": 0, "file": "04_l1_lasso.ipynb"},
        ),
    ],
)
def test_lms_file_names_are_read(name, expected):
    assert parse_lms_name(name) == expected


def write_zip(path, members: dict[str, bytes], *, dates: dict[str, tuple] | None = None):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(dates or {}).get(name, (2026, 11, 30, 12, 0, 0)))
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)


def test_a_canvas_zip_gives_one_newest_notebook_per_student(tmp_path):
    archive = tmp_path / "submissions.zip"
    write_zip(
        archive,
        {
            "smithjane_1234_98765_04_l1_lasso.ipynb": b"first",
            "smithjane_LATE_1234_98799_04_l1_lasso-1.ipynb": b"second",
            "doejohn_55_98001_04_l1_lasso.ipynb": b"john",
            "doejohn_55_98002_notes.pdf": b"a stray file",
        },
    )
    found, problems = collect([str(archive)])
    assert problems == []
    kept = newest_per_student(found)
    assert [(s.student, s.member, s.late) for s in kept] == [
        ("canvas:1234", "smithjane_LATE_1234_98799_04_l1_lasso-1.ipynb", True),
        ("canvas:55", "doejohn_55_98001_04_l1_lasso.ipynb", False),
    ]
    assert kept[0].read() == b"second"
    assert "newest of 2 files" in kept[0].notes[0] and "smithjane_1234_98765_04_l1_lasso.ipynb" in kept[0].notes[0]


def test_moodle_zips_in_both_layouts(tmp_path):
    folders, flat = tmp_path / "folders.zip", tmp_path / "flat.zip"
    write_zip(
        folders,
        {
            "Jane Smith_401_assignsubmission_file_/04_l1_lasso.ipynb": b"jane",
            "Jane Smith_401_assignsubmission_file_/old/04_l1_lasso.ipynb": b"jane old",
            "Ann Lee_402_assignsubmission_file_/lasso.ipynb": b"ann",
        },
        dates={"Jane Smith_401_assignsubmission_file_/old/04_l1_lasso.ipynb": (2026, 11, 1, 9, 0, 0)},
    )
    write_zip(
        flat,
        {
            "Jane Smith_401_assignsubmission_file_04_l1_lasso.ipynb": b"jane",
            "Ann Lee_402_assignsubmission_file_lasso.ipynb": b"ann",
        },
    )
    for archive in (folders, flat):
        kept = newest_per_student(collect([str(archive)])[0])
        assert [(s.student, s.student_name, s.read()) for s in kept] == [
            ("moodle:401", "Jane Smith", b"jane"),
            ("moodle:402", "Ann Lee", b"ann"),
        ], archive


def test_hostile_zip_members_are_skipped_and_said(tmp_path):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("../escape.ipynb", b"x")
        out.writestr("/abs.ipynb", b"x")
        link = zipfile.ZipInfo("link.ipynb")
        link.external_attr = 0o120777 << 16
        out.writestr(link, "/etc/passwd")
        out.writestr("__MACOSX/._ok.ipynb", b"x")
        out.writestr("ok.ipynb", b"fine")
    found, problems = collect([str(archive)])
    assert [s.member for s in found] == ["ok.ipynb"]
    assert len(problems) == 3 and all("skipped" in p for p in problems), problems
    assert not (tmp_path.parent / "escape.ipynb").exists()


def test_a_zip_bomb_member_is_not_read(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        with out.open("big.ipynb", "w") as stream:
            chunk = b"\0" * 2**20
            for _ in range(101):
                stream.write(chunk)
    found, problems = collect([str(archive)])
    assert found == [] and "larger than 100 MB" in problems[0]


def test_folders_name_students_by_their_first_folder(tmp_path):
    for student in ("alice", "bob"):
        (tmp_path / "class" / student / ".ipynb_checkpoints").mkdir(parents=True)
        (tmp_path / "class" / student / "04.ipynb").write_text("{}")
        (tmp_path / "class" / student / ".ipynb_checkpoints" / "04-checkpoint.ipynb").write_text("{}")
    (tmp_path / "class" / "loose.ipynb").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.ipynb").write_text("{}")
    os.symlink(tmp_path / "elsewhere", tmp_path / "class" / "link")
    found, problems = collect([str(tmp_path / "class"), str(tmp_path / "class" / "alice" / "04.ipynb")])
    assert problems == []
    assert sorted((s.student, os.path.basename(s.path)) for s in found) == [
        ("alice", "04.ipynb"),
        ("bob", "04.ipynb"),
        ("loose", "loose.ipynb"),
    ]


def test_an_empty_folder_and_a_broken_zip_are_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    found, problems = collect([str(tmp_path / "empty"), str(tmp_path / "broken.zip")])
    assert found == [] and len(problems) == 2
    assert problems[0].startswith("nothing to grade: ") and "no notebook" in problems[0]
    assert "not a readable zip" in problems[1]


def test_the_newest_file_wins_when_names_carry_no_attempt(tmp_path):
    for name, age in (("a", 100), ("b", 10)):
        path = tmp_path / "alice" / f"{name}.ipynb"
        path.parent.mkdir(exist_ok=True)
        path.write_text("{}")
        os.utime(path, (time.time() - age, time.time() - age))
    kept = newest_per_student(collect([str(tmp_path)])[0])
    assert [os.path.basename(s.path) for s in kept] == ["b.ipynb"] and "a.ipynb" in kept[0].notes[0]


# --- through the command: the gradebook's student column, the newest file, zips read as data ---------


def test_grade_takes_lms_zips_and_folders_and_names_each_student(tmp_path):
    import csv
    import subprocess
    import sys
    import tempfile

    from _project import ROOT

    solution = (ROOT / "solutions" / "01_overfitting.ipynb").read_bytes()
    untouched = (ROOT / "exercises" / "01_overfitting.ipynb").read_bytes()
    canvas, moodle = tmp_path / "canvas.zip", tmp_path / "moodle.zip"
    write_zip(
        canvas,
        {
            "smithjane_1234_98765_01_overfitting.ipynb": untouched,  # first try: nothing done
            "smithjane_LATE_1234_98799_01_overfitting-1.ipynb": solution,  # late re-submission
            "doejohn_55_98001_01_overfitting.ipynb": untouched,
            "doejohn_55_98002_notes.pdf": b"a stray file",
        },
    )
    write_zip(moodle, {"Ann Lee_402_assignsubmission_file_/01_overfitting.ipynb": solution})
    (tmp_path / "class" / "bob").mkdir(parents=True)
    (tmp_path / "class" / "bob" / "01.ipynb").write_bytes(solution)
    out = tmp_path / "gradebook.csv"
    grader_tmp = tempfile.mkdtemp(prefix="rcs-", dir="/tmp")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regcourse",
            "grade",
            str(canvas),
            str(moodle),
            str(tmp_path / "class"),
            "--out",
            str(out),
            "--chapter",
            "1",
            "--jobs",
            "2",
            "--quiet",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, TMPDIR=grader_tmp),
    )
    assert result.returncode == 0, result.stderr
    with open(out, newline="", encoding="utf-8") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert sorted(rows) == ["bob", "canvas:1234", "canvas:55", "moodle:402"]
    assert rows["canvas:1234"]["score"] == "4" and "newest of 2 files" in rows["canvas:1234"]["reason"]
    assert rows["canvas:1234"]["submission"].endswith("canvas.zip!smithjane_LATE_1234_98799_01_overfitting-1.ipynb")
    assert rows["canvas:55"]["score"] == "0"
    assert rows["moodle:402"]["score"] == "4" and rows["bob"]["score"] == "4"
    assert os.listdir(grader_tmp) == []  # nothing extracted, nothing left
    os.rmdir(grader_tmp)


def test_grade_refuses_an_empty_folder_naming_it(tmp_path):
    import subprocess
    import sys

    (tmp_path / "empty").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "regcourse", "grade", str(tmp_path / "empty"), "--out", str(tmp_path / "g.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "empty: a folder with no notebook in it" in result.stderr
    assert not (tmp_path / "g.csv").exists()
