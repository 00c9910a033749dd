"""What ``regcourse grade SOURCE...`` grades: notebooks, folders, and the zips that Canvas and Moodle
produce, each notebook with the student it belongs to.

Names the learning-management systems give submitted files (examples in ``tests/test_grading_sources.py``):

- Canvas, "Download Submissions": ``<name>_<user id>_<submission id>_<original file name>``, with
  ``_LATE`` after the name for a late one, and a re-submitted file's own name ending in ``-1``,
  ``-2``, … (``smithjane_LATE_1234_98765_04_l1_lasso-1.ipynb``). The student is ``canvas:<user id>``.
- Moodle, "Download all submissions": a folder per submission,
  ``<Full Name>_<participant id>_assignsubmission_file_/<file>``, or, with the option to
  download without folders, flat files ``<Full Name>_<participant id>_assignsubmission_file_<file>``.
  The student is ``moodle:<participant id>``.
- Anything else: the first folder under the folder given on the command line; for a file named on
  the command line, the folder it is in (``submissions/*/04.ipynb`` names each student by their
  folder), or its stem when it is given without one.

A student with several notebooks (re-submissions) is graded on the newest: the highest Canvas
re-submission number, then the newest modification time (a zip member's own date); the row says
which files were left out. Zips are read as data, never extracted: a member that is not a
regular file, a name that climbs out (``..``, an absolute path), or a member larger than the
notebook limit is skipped and reported.
"""

from __future__ import annotations

import os
import re
import stat
import time
import zipfile
from dataclasses import dataclass, field

MAX_MEMBER_BYTES = 100 * 2**20  # as grade_all's limit for a notebook file
MAX_MEMBERS = 10_000
EMPTY_SOURCE = "nothing to grade: "

_CANVAS = re.compile(r"^(?P<name>[a-z0-9]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
_RESUBMISSION = re.compile(r"^(?P<stem>.*?)-(?P<number>\d+)$")


@dataclass
class Submission:
    """One notebook to grade: where its bytes are, whose it is, and what its LMS name says."""

    name: str  # as shown in the gradebook: the path, or "<zip>!<member>"
    student: str  # "canvas:1234", "moodle:56", a folder name, or the file's stem
    student_name: str = ""  # the name part of an LMS file name ("smithjane", "Jane Smith")
    path: str | None = None  # a file on disk, or None for a zip member
    zip_path: str | None = None
    member: str | None = None
    late: bool = False
    grouped: bool = True  # one per student is graded (False: a file named on the command line, no LMS name)
    attempt: int = 0  # Canvas's re-submission number (0 for the first)
    modified: float = 0.0  # seconds since the epoch
    notes: list[str] = field(default_factory=list)

    def read(self, limit: int = MAX_MEMBER_BYTES) -> bytes:
        """The notebook's bytes (a zip member's, or the file's through the caller's own reader)."""
        if self.zip_path is None:
            raise ValueError("read files through grade_all's reader, which refuses links and pipes")
        with zipfile.ZipFile(self.zip_path) as archive:
            info = archive.getinfo(self.member)
            if info.file_size > limit:
                raise ValueError(f"larger than {limit // 2**20} MB")
            with archive.open(info) as stream:
                data = stream.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"larger than {limit // 2**20} MB")
        return data


def parse_lms_name(file_name: str) -> dict:
    """What an LMS file name says: {"lms", "student", "student_name", "late", "attempt", "file"}; an
    ordinary name gives lms None and the name itself as file."""
    canvas = _CANVAS.match(file_name)
    if canvas:
        original, attempt = canvas["file"], 0
        stem, dot, suffix = original.rpartition(".")
        resubmitted = _RESUBMISSION.match(stem if dot else original)
        if resubmitted:
            attempt = int(resubmitted["number"])
            original = resubmitted["stem"] + (dot + suffix if dot else "")
        return {
            "lms": "canvas",
            "student": f"canvas:{canvas['user']}",
            "student_name": canvas["name"],
            "late": bool(canvas["late"]),
            "attempt": attempt,
            "file": original,
        }
    moodle = _MOODLE.match(file_name)
    if moodle:
        return {
            "lms": "moodle",
            "student": f"moodle:{moodle['participant']}",
            "student_name": moodle["name"],
            "late": False,
            "attempt": 0,
            "file": moodle["file"],
        }
    return {"lms": None, "student": "", "student_name": "", "late": False, "attempt": 0, "file": file_name}


def _student_of(parts: list[str]) -> dict:
    """The student of a notebook from its path's parts below the given folder (folder names first:
    a Moodle folder names its participant; else the file name; else the first folder)."""
    for part in parts[:-1]:
        found = parse_lms_name(part)
        if found["lms"]:
            return found
    found = parse_lms_name(parts[-1])
    if found["lms"]:
        return found
    stem = parts[-1][: -len(".ipynb")] if parts[-1].endswith(".ipynb") else parts[-1]
    return dict(found, student=parts[0] if len(parts) > 1 else stem)


def _zip_submissions(zip_path: str, problems: list[str]) -> list[Submission]:
    found = []
    try:
        archive = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as err:
        problems.append(f"{zip_path}: not a readable zip ({type(err).__name__})")
        return found
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            problems.append(f"{zip_path}: more than {MAX_MEMBERS:,} members; only the first were read")
            members = members[:MAX_MEMBERS]
        for info in members:
            name = info.filename
            if info.is_dir() or not name.endswith(".ipynb"):
                continue
            parts = [p for p in name.replace("\\", "/").split("/") if p]
            if name.startswith(("/", "\\")) or ".." in parts or not parts or parts[0].endswith(":"):
                problems.append(f"{zip_path}!{name}: a member outside the archive's folder, skipped")
                continue
            if ".ipynb_checkpoints" in parts or parts[-1].startswith("._") or "__MACOSX" in parts:
                continue
            mode = info.external_attr >> 16
            if mode and not (stat.S_ISREG(mode) or stat.S_IFMT(mode) == 0):
                problems.append(f"{zip_path}!{name}: not a regular file, skipped")
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                problems.append(f"{zip_path}!{name}: larger than {MAX_MEMBER_BYTES // 2**20} MB, skipped")
                continue
            who = _student_of(parts)
            try:
                modified = time.mktime(info.date_time + (0, 0, -1))
            except (OverflowError, ValueError):
                modified = 0.0
            found.append(
                Submission(
                    f"{zip_path}!{name}",
                    who["student"],
                    who["student_name"],
                    zip_path=zip_path,
                    member=name,
                    late=who["late"],
                    attempt=who["attempt"],
                    modified=modified,
                )
            )
    return found


def _folder_submissions(folder: str) -> list[Submission]:
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        for file_name in sorted(files):
            if not file_name.endswith(".ipynb"):
                continue
            path = os.path.join(root, file_name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):  # a link or a pipe among a folder's files is not a submission
                continue
            parts = os.path.relpath(path, folder).split(os.sep)
            who = _student_of(parts)
            modified = info.st_mtime
            found.append(
                Submission(
                    path,
                    who["student"],
                    who["student_name"],
                    path=path,
                    late=who["late"],
                    attempt=who["attempt"],
                    modified=modified,
                )
            )
    # in the order of their paths (a student's folder before the next one's, top-level files among them)
    return sorted(found, key=lambda submission: os.path.relpath(submission.path, folder).split(os.sep))


def collect(sources: list[str]) -> tuple[list[Submission], list[str]]:
    """Every notebook the sources name, with its student: (submissions, problems to report; a
    problem that starts with ``EMPTY_SOURCE`` is a folder or zip with no notebook at all).

    A file is graded as given (a link or a pipe is refused later, by grade_all's reader); a folder
    is searched for ``*.ipynb`` (links to folders not followed), unless its own name ends in
    ``.ipynb`` (then it is a notebook that is not a file: an ``invalid`` row); a ``.zip`` is read as
    an LMS download. The same file named twice is graded once.
    """
    submissions, problems, seen = [], [], set()
    for source in sources:
        source = os.fspath(source)
        if os.path.isdir(source) and not os.path.islink(source) and not source.endswith(".ipynb"):
            found = _folder_submissions(source)
            if not found:
                problems.append(f"{EMPTY_SOURCE}{source}: a folder with no notebook in it")
        elif source.lower().endswith(".zip") and os.path.isfile(source):
            said = len(problems)
            found = _zip_submissions(source, problems)
            if not found and len(problems) == said:
                problems.append(f"{EMPTY_SOURCE}{source}: a zip with no notebook in it")
        else:  # a file named on the command line: its LMS id, else its folder's name, else its stem
            who = _student_of([os.path.basename(source)])
            folder = os.path.basename(os.path.dirname(os.path.abspath(source)))
            student = who["student"] if who["lms"] else (folder if os.path.dirname(source) else who["student"])
            found = [
                Submission(
                    source,
                    student,
                    who["student_name"],
                    path=source,
                    late=who["late"],
                    attempt=who["attempt"],
                    grouped=bool(who["lms"]),
                )
            ]
            try:
                found[0].modified = os.lstat(source).st_mtime
            except OSError:
                pass
        for submission in found:
            key = os.path.realpath(submission.path) if submission.path else submission.name
            if key not in seen:
                seen.add(key)
                submissions.append(submission)
    return submissions, problems


def newest_per_student(submissions: list[Submission], key=None) -> list[Submission]:
    """One submission per student (or per ``key(submission)``, such as student and chapter): the
    latest re-submission, else the newest; the one kept says which files it replaced. Order: as
    the students first appear."""
    groups: dict[object, list[Submission]] = {}
    for index, submission in enumerate(submissions):
        if not submission.grouped:  # named on the command line: always graded
            groups[("file", index)] = [submission]
            continue
        groups.setdefault(key(submission) if key else submission.student, []).append(submission)
    kept = []
    for group in groups.values():
        best = max(group, key=lambda s: (s.attempt, s.modified, s.name))
        others = [s.name for s in group if s is not best]
        if others:
            shown = ", ".join(os.path.basename(name.split("!")[-1]) for name in others[:3])
            more = f" and {len(others) - 3} more" if len(others) > 3 else ""
            best.notes.append(f"the newest of {len(group)} files from this student; not graded: {shown}{more}")
        kept.append(best)
    return kept
