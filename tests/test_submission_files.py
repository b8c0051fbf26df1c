"""Which file is each level: near misses of the names are graded and named, several candidates are
decided by one rule, and a folder without any says what it holds."""

import json

import pytest

from autograder.levels import LEVELS, REPO_ROOT, SOLUTIONS_DIR
from autograder.submission import RULE, SHOWN_NAMES, discover, linked, near_miss
from tests.catalog import mutate
from tests.conftest import run_cli
from tests.reports import valid_report

REFERENCE = (SOLUTIONS_DIR / "level1_manual.py").read_text()


def folder_with(tmp_path, *names):
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(REFERENCE)
    return tmp_path


def only_entry(submission):
    entries = submission.entries()
    assert len(entries) == 1, entries
    return entries[0]


@pytest.mark.parametrize("name, why", [
    ("Level1_Manual.py", "the name differs in case"),
    ("level1_manual.PY", "the name differs in case"),
    ("level1_manual-Copy1.ipynb", "a copy made by Jupyter, '-Copy1'"),
    ("level1_manual-Copy2.ipynb", "a copy made by Jupyter, '-Copy2'"),
    ("level1_manual (1).py", "a duplicate download, '(1)'"),
    ("level1_manual(2).py", "a duplicate download, '(2)'"),
    ("level1_manual-1.py", "a resubmission's number, '-1'"),
])
def test_a_near_miss_is_taken_for_its_level_and_the_report_says_so(tmp_path, name, why):
    entry = only_entry(discover(folder_with(tmp_path, name), LEVELS))
    assert entry["level"] == 1 and entry["file"] == name and entry["ignored"] == []
    suffix = ".ipynb" if name.endswith(".ipynb") else ".py"
    assert entry["note"] == f"taken as level1_manual{suffix} ({why})"


@pytest.mark.parametrize("name", ["level1_manual_1.py", "level1_manual_v2.py", "level1.py", "level1_manual.txt",
                                  "level1_manual.py.bak", "my_level1_manual.py",
                                  "level1_manual.IPYNB"])  # the sandbox would take it for Python
def test_other_names_are_not_taken_and_the_message_lists_them(tmp_path, name):
    found = discover(folder_with(tmp_path, name), LEVELS)
    assert found.present() == {} and near_miss(name) is None
    assert found.missing_message(1) == (f"file not found: level1_manual.py (the submission holds {name}; name the "
                                        "file level1_manual.py)")


def test_an_exact_name_alone_has_no_note_and_the_missing_message_is_unchanged(tmp_path):
    found = discover(folder_with(tmp_path, "level1_manual.py"), LEVELS)
    assert only_entry(found) == {"level": 1, "file": "level1_manual.py", "note": None, "ignored": []}
    assert found.missing_message(2) == "file not found: level2_dataset.py"


@pytest.mark.parametrize("names, taken", [
    (["level1_manual.ipynb", "level1_manual.py"], "level1_manual.py"),
    (["level1_manual/level1_manual.ipynb", "level1_manual.ipynb"], "level1_manual.ipynb"),
    (["Level1_Manual.py", "level1_manual/level1_manual.ipynb"], "level1_manual/level1_manual.ipynb"),
    (["level1_manual-Copy1.ipynb", "level1_manual (1).py"], "level1_manual (1).py"),  # .py before .ipynb
    (["level1_manual (1).py", "Level1_Manual.py", "level1_manual-1.py"], "Level1_Manual.py"),  # then name order
])
def test_of_several_candidates_one_is_taken_by_the_rule_and_the_others_named(tmp_path, names, taken):
    entry = only_entry(discover(folder_with(tmp_path, *names), LEVELS))
    assert entry["file"] == taken
    assert sorted(entry["ignored"]) == sorted(set(names) - {taken})
    assert f"ignored {', '.join(entry['ignored'])} ({RULE})" in entry["note"]


def test_the_choice_does_not_depend_on_the_order_files_were_written(tmp_path):
    names = ["level1_manual-Copy1.ipynb", "Level1_Manual.py", "level1_manual (1).py"]
    first = discover(folder_with(tmp_path / "a", *names), LEVELS).entries()
    second = discover(folder_with(tmp_path / "b", *reversed(names)), LEVELS).entries()
    assert first == second


def test_a_folder_without_candidates_lists_at_most_ten_names(tmp_path):
    names = [f"notes{n:02}.txt" for n in range(SHOWN_NAMES + 3)]
    for name in names:
        (tmp_path / name).write_text("")
    (tmp_path / ".DS_Store").write_text("")
    (tmp_path / "drafts").mkdir()
    message = discover(tmp_path, LEVELS).missing_message(3)
    shown = sorted([*names, "drafts/"])[:SHOWN_NAMES]
    assert message == (f"file not found: level3_module.py (the submission holds {', '.join(shown)} and 4 more; "
                       "name the file level3_module.py)")


def test_only_the_assigned_levels_are_looked_for(tmp_path):
    found = discover(folder_with(tmp_path, "level1_manual.py", "Level2_Dataset.py"), (1,))
    assert found.present() == {1: tmp_path / "level1_manual.py"}
    assert [e["level"] for e in found.entries()] == [1]


def test_a_single_file_under_a_near_miss_name_is_its_level(tmp_path):
    path = folder_with(tmp_path, "level2_dataset-Copy1.ipynb") / "level2_dataset-Copy1.ipynb"
    entry = only_entry(discover(path, LEVELS))
    assert entry["level"] == 2 and entry["note"] == "taken as level2_dataset.ipynb (a copy made by Jupyter, '-Copy1')"


def test_a_linked_near_miss_is_found_and_refused(tmp_path):
    (tmp_path / "Level1_Manual.py").symlink_to("/etc/hostname")
    found = discover(tmp_path, LEVELS)
    assert linked(found.present()[1])


@pytest.mark.slow
def test_grading_a_near_miss_scores_it_and_every_output_names_the_file(tmp_path):
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "Level1_Manual.py").write_text(mutate(1, {"level1.zero_grad": "pass"}))
    (submission / "level1_manual-Copy1.ipynb").write_text("{}")  # ignored: a .py comes first
    result = run_cli("grade", submission, "--json", "--levels", "1", "--feedback", tmp_path / "fb", cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    report = valid_report(json.loads(result.stdout))
    assert report["levels"] == [{"level": 1, "score": report["score"], "max_score": 25}]
    assert 0 < report["score"] < 25  # graded: only the zero_grad mistake costs points
    assert report["files"][0]["file"] == "Level1_Manual.py"
    assert report["files"][0]["ignored"] == ["level1_manual-Copy1.ipynb"]
    page = (tmp_path / "fb" / "index.html").read_text()
    assert "Level1_Manual.py" in page and "the name differs in case" in page
    gradescope = json.loads((tmp_path / "fb" / "results.json").read_text())
    assert "Level1_Manual.py: taken as level1_manual.py" in gradescope["output"]
    table = run_cli("grade", submission, "--levels", "1", cwd=REPO_ROOT)
    assert "graded Level1_Manual.py" in " ".join(table.stdout.split())


@pytest.mark.slow
def test_a_folder_without_level_files_is_a_usage_error_naming_what_it_holds(tmp_path):
    (tmp_path / "lvl1.py").write_text(REFERENCE)
    (tmp_path / "README.txt").write_text("")
    result = run_cli("grade", tmp_path, cwd=REPO_ROOT)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert "no level files in it" in result.stderr and "it holds README.txt, lvl1.py" in result.stderr


def test_a_name_that_is_not_utf8_is_listed_escaped(tmp_path):
    import os

    open(os.path.join(os.fsencode(tmp_path), b"notes\xff.txt"), "w").close()
    message = discover(tmp_path, LEVELS).missing_message(1)
    assert "notes\\xff.txt" in message
    message.encode("utf-8")  # every output can hold it
