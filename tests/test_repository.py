"""The repository's conventions: the two licences, the citation, the changelog and the release
version, and the lint set-up (CONTRIBUTING.md, "Releases" and "Lint")."""

import re

import pytest
import yaml

import regcourse
from _project import ROOT, pyproject

VERSION = pyproject()["project"]["version"]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


# --- licences ----------------------------------------------------------------------------------


def test_the_code_is_under_mit_and_the_package_says_so_in_spdx():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    project = pyproject()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    # PEP 639: with a licence expression, a "License ::" classifier is an error when building.
    assert not any(c.startswith("License ::") for c in project["classifiers"])
    requires = pyproject()["build-system"]["requires"]
    bound = next(re.fullmatch(r"setuptools>=(\d+)", r).group(1) for r in requires if r.startswith("setuptools"))
    assert int(bound) >= 77  # the first setuptools that reads `license` as SPDX and `license-files`


def test_the_content_is_under_cc_by_4_with_its_legal_code():
    statement = " ".join((ROOT / "LICENSE-CC-BY-4.0").read_text(encoding="utf-8").split())
    for words in (
        "Creative Commons Attribution 4.0 International",
        "CC-BY-4.0",
        "LICENSES/CC-BY-4.0.txt",
        "https://creativecommons.org/licenses/by/4.0/legalcode",
        "LICENSE",
        "notebooks/",
        "docs/images/",
    ):
        assert words in statement, words
    legal_code = (ROOT / "LICENSES" / "CC-BY-4.0.txt").read_text(encoding="utf-8")
    assert legal_code.startswith("Attribution 4.0 International")
    assert "Creative Commons Attribution 4.0 International Public License" in legal_code
    for number, title in enumerate(
        (
            "Definitions",
            "Scope",
            "License Conditions",
            "Sui Generis Database Rights",
            "Disclaimer of Warranties and Limitation of Liability",
            "Term and Termination",
            "Other Terms and Conditions",
            "Interpretation",
        ),
        start=1,
    ):
        assert f"Section {number} -- {title}." in legal_code


def test_the_readme_names_both_licences():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    licence = readme.split("\n## License\n", 1)[1]
    assert "MIT" in licence and "(LICENSE)" in licence
    assert "CC BY 4.0" in licence and "(LICENSE-CC-BY-4.0)" in licence and "(CITATION.cff)" in licence


# --- the version, the citation and the changelog -----------------------------------------------


def test_the_version_is_one_release_everywhere():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert regcourse.__version__ == VERSION
    assert str(yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["version"]) == VERSION


def test_citation_cff_has_what_cff_1_2_0_requires():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert {"cff-version", "message", "title", "authors"} <= set(citation)
    assert all(set(author) & {"name", "family-names"} for author in citation["authors"])
    assert citation["license"] == ["MIT", "CC-BY-4.0"]
    assert citation["repository-code"] == pyproject()["project"]["urls"]["Homepage"]
    # A quoted date: an unquoted one would be a YAML date, not the string the CFF schema asks for.
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", citation["date-released"])


def changelog_sections() -> list[tuple[str, str | None]]:
    """[('Unreleased', None), ('0.2.0', '2026-12-06'), ...] in the order of the file."""
    found = []
    for heading in re.findall(r"^## (.+)$", CHANGELOG, flags=re.M):
        match = re.fullmatch(r"\[?(Unreleased|\d+\.\d+\.\d+)\]?(?: - (\d{4}-\d{2}-\d{2}))?", heading)
        assert match, f"CHANGELOG.md: a heading that is neither a version nor Unreleased: {heading!r}"
        found.append((match.group(1), match.group(2)))
    return found


def test_the_changelog_keeps_a_changelog():
    sections = changelog_sections()
    assert sections[0] == ("Unreleased", None)
    versions = [version for version, _ in sections[1:]]
    assert versions[0] == VERSION, "the newest release in CHANGELOG.md is not pyproject's version"
    assert all(date for _, date in sections[1:]), "every release needs its date"
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
    released = dict(sections[1:])[VERSION]
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["date-released"] == released
    for kind in re.findall(r"^### (.+)$", CHANGELOG, flags=re.M):
        assert kind in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kind
    assert f"[{VERSION}]: " in CHANGELOG and "[Unreleased]: " in CHANGELOG


# --- lint ---------------------------------------------------------------------------------------


def test_ruff_is_configured_and_ci_runs_it():
    ruff = pyproject()["tool"]["ruff"]
    assert ruff["line-length"] == 120
    assert {"E", "F", "W", "I", "B", "UP"} <= set(ruff["lint"]["select"])
    dev = " ".join(pyproject()["project"]["optional-dependencies"]["dev"])
    assert "ruff==" in dev and "pre-commit>=" in dev
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    install = ci.index('python -m pip install -e ".[dev]" && python -m pytest')
    assert "python -m ruff check ." in ci[install + 1 :] and "python -m ruff format --check ." in ci[install + 1 :]


def test_pre_commit_runs_the_ruff_version_the_dev_extra_pins():
    """One ruff version for CI's format check and the maintainers' pre-commit hook: another version
    may format the same code differently."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format"} <= set(hooks)
    pin = next(s for s in pyproject()["project"]["optional-dependencies"]["dev"] if s.startswith("ruff=="))
    for hook in hooks.values():
        assert pin in hook["additional_dependencies"]


@pytest.mark.parametrize("name", ["Homepage", "Documentation", "Source", "Issues"])
def test_project_urls_name_the_repository(name):
    homepage = pyproject()["project"]["urls"]["Homepage"]
    assert pyproject()["project"]["urls"][name].startswith(homepage)
