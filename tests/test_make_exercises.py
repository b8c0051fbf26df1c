"""make-exercises (autograder/authoring/exercises.py) keeps a student's filled stubs unless forced,
and the shipped exercises are untouched stubs."""

from autograder.authoring.exercises import edited_files, write_exercises
from autograder.cli import main
from autograder.levels import EXERCISES_DIR, SOLUTIONS_DIR


def test_make_exercises_keeps_filled_stubs(tmp_path, capsys):
    exercises = tmp_path / "exercises"
    write_exercises(SOLUTIONS_DIR, exercises)
    filled = exercises / "level1_manual.py"
    text = filled.read_text()
    first = text.index("raise NotImplementedError(")
    filled.write_text(text[:first] + "return 42  # my answer" + text[text.index("\n", first):])
    assert edited_files(SOLUTIONS_DIR, exercises) == [filled]
    argv = ["make-exercises", "--solutions", str(SOLUTIONS_DIR), "--exercises", str(exercises)]
    assert main(argv) == 2 and "--force" in capsys.readouterr().err
    assert "my answer" in filled.read_text()
    assert main([*argv, "--force"]) == 0 and "my answer" not in filled.read_text()


def test_the_shipped_exercises_are_untouched_stubs():
    assert edited_files(SOLUTIONS_DIR, EXERCISES_DIR) == []
