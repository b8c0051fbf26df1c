"""Write examples/class/: a small class for the batch grader, built from the reference files.

Run `python examples/build_class.py` after changing solutions/; a kit test fails while the
committed class differs from what this writes.
"""

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from autograder.authoring.exercises import replace_stubs  # noqa: E402
from autograder.levels import EXERCISES_DIR, LEVEL_FILES, SOLUTIONS_DIR  # noqa: E402

STEP_WITHOUT_ZERO_GRAD = """
loss = mse(y, model(x))
loss.backward()
optimizer.step()
return loss.item()
"""
STEP_BEFORE_BACKWARD = """
optimizer.zero_grad()
loss = mse(y, model(x))
optimizer.step()
loss.backward()
return loss.item()
"""
BROADCASTING_STEP = """
optimizer.zero_grad()
loss = loss_fn(model(x), y)
loss.backward()
optimizer.step()
return loss.item()
"""

# student: {level: "solution" | "exercise" | {stub: code} (the reference with those stubs replaced) | text}
CLASS = {
    "alice": {level: "solution" for level in LEVEL_FILES},
    "bob": {1: {"level1.zero_grad": "pass"}, 2: "solution", 3: "solution",
            4: {"level4.train_step": STEP_WITHOUT_ZERO_GRAD}, 5: "solution"},
    "carol": {1: {"level1.mse": "return ((y - yhat) ** 2).sum()"}, 2: "solution", 3: "solution", 4: "solution",
              5: {"level5.train_step": BROADCASTING_STEP}},
    "dave": {1: "solution", 2: {"level2.RandomData.__len__": "return self.X.shape"}, 3: "solution",
             4: {"level4.CustomLinearModel.__init__": "self.w = torch.randn(num_parameters, requires_grad=True)"},
             5: "solution"},
    "erin": {1: "solution", 2: "solution", 3: "exercise", 4: "exercise", 5: "exercise"},
    "frank": {1: {"level1.sgd_update": "w = w - lr * w.grad"},
              2: "solution",
              3: "import os\nos._exit(1)  # crashes the process as soon as the file is imported\n",
              4: "solution", 5: "solution"},
    "grace": {1: "solution", 2: "solution", 3: "solution", 4: "solution",
              5: "import time\ntime.sleep(10**6)  # never finishes importing: a time limit stops it\n"},
    "heidi": {1: {"level1.sgd_update": "w -= lr * w.grad"},
              2: {"level2.make_loader": "return DataLoader(data, batch_size=batch_size, shuffle=shuffle)"},
              3: "solution", 4: {"level4.train_step": STEP_BEFORE_BACKWARD}, 5: "solution"},
    "ivan": {level: "exercise" for level in LEVEL_FILES},
    "judy": {1: "solution", 2: "solution", 3: "def forward(self, x)\n    return x\n"},
}


def level_text(level, spec):
    if spec == "solution":
        return (SOLUTIONS_DIR / LEVEL_FILES[level]).read_text()
    if spec == "exercise":
        return (EXERCISES_DIR / LEVEL_FILES[level]).read_text()
    if isinstance(spec, dict):
        return replace_stubs((SOLUTIONS_DIR / LEVEL_FILES[level]).read_text(), level, spec)
    return spec


def planned():
    return {Path(student) / LEVEL_FILES[level]: level_text(level, spec)
            for student, levels in CLASS.items() for level, spec in levels.items()}


def build(target=HERE / "class"):
    shutil.rmtree(target, ignore_errors=True)
    for relative, text in planned().items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text)


if __name__ == "__main__":
    build()
    print(f"wrote {len(CLASS)} students to {HERE / 'class'}")
