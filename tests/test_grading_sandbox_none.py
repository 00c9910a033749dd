"""The attacks that do not need a sandbox to fail, graded with ``--sandbox none`` (and one job,
as the README advises without bubblewrap): forged passes earn nothing, because the verdicts
are computed outside the kernel; detached processes are killed and counted against the memory
limit, because the worker is a child subreaper; odd text still gives rows and feedback."""

import pytest

from test_grading_attacks import ATTACKS, EXPECTED_HONEST, FULL, SANDBOX_ONLY, check_batch, sha

NONE_ATTACKS = [name for name in ATTACKS if name not in SANDBOX_ONLY]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    return check_batch(tmp_path_factory.mktemp("attacks-none"), NONE_ATTACKS, "--sandbox", "none", "--jobs", "1")


def test_honest_submissions_keep_their_exact_scores_without_a_sandbox(batch):
    for name, score in EXPECTED_HONEST.items():
        row = batch["rows"][name]
        assert (row["status"], int(row["score"])) == ("ok", score), (name, row)


@pytest.mark.parametrize("attack", NONE_ATTACKS)
def test_no_attack_earns_a_point_without_a_sandbox(batch, attack):
    row = batch["rows"][attack]
    assert int(row["score"]) == 0 and int(row["max_score"]) == FULL, (attack, row)


def test_no_process_is_left_and_originals_are_unchanged_without_a_sandbox(batch):
    assert batch["left"] == []
    for name, path in batch["paths"].items():
        assert sha(path) == batch["before"][name] == batch["rows"][name]["sha256"], name
    row = batch["rows"]["detached_memory"]
    assert row["status"] == "error" and "memory limit of 400 MB" in row["reason"], row
    assert [p.name for p in batch["grader_tmp"].iterdir()] == []
    batch["grader_tmp"].rmdir()


def test_the_grader_warns_only_when_asked_for_auto(batch):
    assert b"warning" not in batch["stderr"]  # --sandbox none was chosen explicitly
