"""Capture the golden outputs: ``python -m tests.golden.capture`` from the repository root.

Writes ``outputs/NAME.json`` for every case (and removes outputs of cases that are gone).
"""

from __future__ import annotations

import base64
import json
import sys
from concurrent.futures import ThreadPoolExecutor

from .cases import CASES, Case
from .runner import OUTPUTS, REPO, Result, run_case


def encode(data: bytes) -> dict[str, object]:
    try:
        return {"text": data.decode("utf-8"), "base64": False}
    except UnicodeDecodeError:
        return {"text": base64.b64encode(data).decode("ascii"), "base64": True}


def decode(stored: dict[str, object]) -> bytes:
    text = str(stored["text"])
    return base64.b64decode(text) if stored["base64"] else text.encode("utf-8")


def record(case: Case, result: Result) -> dict[str, object]:
    return {
        "name": case.name,
        "argv": list(case.argv),
        "env": case.env,
        "exit_code": result.exit_code,
        "stdout": encode(result.stdout),
        "stderr": encode(result.stderr),
    }


def serialise(case: Case, result: Result) -> str:
    return json.dumps(record(case, result), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    OUTPUTS.mkdir(exist_ok=True)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run_case, CASES))
    for case, result in zip(CASES, results, strict=True):
        (OUTPUTS / f"{case.name}.json").write_text(serialise(case, result), encoding="utf-8")
    known = {f"{case.name}.json" for case in CASES}
    for path in OUTPUTS.glob("*.json"):
        if path.name not in known:
            path.unlink()
    print(f"captured {len(CASES)} cases from {REPO}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
