"""Student folders and ids (autograder/batch/students.py): every folder keeps a record of its own."""

import os


def test_long_and_reserved_student_names_keep_their_own_records():
    from autograder.batch.students import MAX_ID, student_id

    long_id = student_id("a" * 250)
    assert len(long_id.encode()) <= MAX_ID and long_id != student_id("a" * 249)
    assert student_id("results") == "results"  # class-wide files live in OUT/class/, never OUT/<id>.json


def test_folder_names_that_escape_alike_stay_two_students(tmp_path):
    from autograder.batch.students import find_students

    for name in (os.fsdecode(b"\xff"), "\\xff"):
        (tmp_path / name).mkdir()
    students, _ = find_students(tmp_path)
    assert len(students) == 2 and len(set(students.values())) == 2
