"""Reports as the public format promises them: every report a test reads is checked against the
JSON Schema the package ships (autograder/output/report.schema.json)."""

import json
from functools import lru_cache

from jsonschema import Draft202012Validator

from autograder.results import report_schema


@lru_cache(maxsize=1)
def validator():
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def valid_report(report):
    errors = sorted(validator().iter_errors(report), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return report


def read_report(path):
    return valid_report(json.loads(path.read_text()))
