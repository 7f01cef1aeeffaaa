"""The Python judge of the accreditation cases is exactly as strict as the official collection.

`tests/accreditation.py` ports the collections' test scripts. Here its functions run side by side
with the collection's own: its `removeEmptyObjectsAndArrays`, taken from the collection file,
and lodash's `_.some` and `_.isEqual`, which its scripts call, in Node.js over thousands of
generated values; every answer must agree. The scripts are pinned by hash, so a new version of
the collection makes this fail until the port is reviewed against it.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
from typing import Any

import pytest

from .accreditation import (
    ScriptError,
    detail_equal,
    expected_results_included,
    is_equal,
    is_match,
    remove_empty_objects_and_arrays,
    vumid_to_look_up,
)
from .conftest import DATA, ROOT, need, report

COLLECTIONS = DATA / "accreditatie-collectie"
JUDGE = ROOT / "tests" / "newman" / "judge.js"
LODASH = ROOT / "tests" / "newman" / "node_modules" / "lodash"
PORTED = {  # sha256 of each collection's scripts, the version tests/accreditation.py follows
    "werkzoekenden": "a18d90e4edc177c90ad114ca89bf046b0a014534388a35a6f2a0c9d7bf2810b7",
    "vacatures": "82d0989a513495fc59b5511ce9eb2584ff5b3c791253c445cda9bc0f7a5036ea",
}
GENERATED = 5000


def scripts(kind: str) -> list[str]:
    collection = json.loads((COLLECTIONS / f"{kind}-collection.json").read_text(encoding="utf-8"))
    return [
        event["listen"] + "\n" + "\n".join(event["script"]["exec"])
        for item in collection["item"]
        for event in item.get("event", ())
    ]


def remove_empty_source() -> str:
    """The collection's `removeEmptyObjectsAndArrays`, as written in its search test."""
    lines = next(s for s in scripts("werkzoekenden") if "function removeEmptyObjectsAndArrays" in s).split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("function removeEmptyObjectsAndArrays"))
    end = next(i for i in range(start, len(lines)) if lines[i] == "}")
    return "\n".join(lines[start : end + 1])


@pytest.mark.parametrize("kind", sorted(PORTED))
def test_the_port_follows_this_version_of_the_collections_scripts(kind: str) -> None:
    digest = hashlib.sha256("\n".join(scripts(kind)).encode()).hexdigest()
    assert digest == PORTED[kind], (
        f"the {kind} collection's scripts changed: review tests/accreditation.py against them, then update PORTED"
    )


# -- what the collection's judge means, by example ---------------------------------------------------

PROFILE = {"mobiliteit": {"bemiddelingspostcode": "1234AB"}, "opleiding": [{"toelichtingOpleiding": ""}, {"a": 1}]}


def test_an_empty_string_is_a_value_and_an_empty_list_or_object_is_not_in_a_match() -> None:
    expected = [{"idWerkzoekende": "w", **PROFILE, "sector": [], "eisAanWerk": {}}]
    assert expected_results_included(expected, [("v", PROFILE)], "werkzoekende")
    without_empty_string = {**PROFILE, "opleiding": [{}, {"a": 1}]}
    assert not expected_results_included(expected, [("v", without_empty_string)], "werkzoekende")


def test_a_match_may_carry_more_fields_and_items_in_another_order() -> None:
    observed = {**PROFILE, "opleiding": [{"a": 1, "b": 2}, {"toelichtingOpleiding": ""}], "extra": True}
    assert expected_results_included([{"idWerkzoekende": "w", **PROFILE}], [("v", observed)], "werkzoekende")
    assert vumid_to_look_up([{"idWerkzoekende": "w", **PROFILE}], [("v", observed)], "werkzoekende") == "", (
        "the detail is looked up only for a match equal to the first expected result"
    )
    assert vumid_to_look_up([{"idWerkzoekende": "w", **PROFILE}], [("v", PROFILE)], "werkzoekende") == "v"


def test_a_detail_is_equal_only_with_every_field_its_empty_lists_included() -> None:
    stored = {"idVacature": "x", "naamVacature": "", "sector": [], "werkgever": {"webadres": []}}
    assert detail_equal(stored, stored, "vacature")
    assert detail_equal({**stored, "idVacature": "other"}, stored, "vacature"), "the vacancy collection drops the id"
    assert not detail_equal({k: v for k, v in stored.items() if k != "sector"}, stored, "vacature")
    assert not detail_equal({**stored, "werkgever": {}}, stored, "vacature")
    with pytest.raises(ScriptError):
        detail_equal({**stored, "naamVacature": None}, stored, "vacature")


# -- the same answers as the collection's own functions -------------------------------------------------

KEYS = ("a", "b", "c")
LEAVES: tuple[Any, ...] = (None, True, False, 0, 1, 1.0, 2, "", "x", "y")


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth >= 3 or roll < 0.4:
        return rng.choice(LEAVES)
    if roll < 0.7:
        return _object(rng, depth)
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]


def _object(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    return {key: _value(rng, depth + 1) for key in rng.sample(KEYS, rng.randint(0, 3))}


def _part_of(rng: random.Random, value: Any) -> Any:
    """Something like `value`: keys and items left out, items reordered, now and then changed."""
    if rng.random() < 0.1:
        return _value(rng, 2)
    if isinstance(value, dict):
        return {key: _part_of(rng, item) for key, item in value.items() if rng.random() < 0.8}
    if isinstance(value, list):
        items = [_part_of(rng, item) for item in value if rng.random() < 0.8]
        rng.shuffle(items)
        return items
    return value


def _cases(count: int) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    rng = random.Random(14)
    cases = []
    for _ in range(count):
        observed = [_object(rng) for _ in range(rng.randint(1, 3))]
        roll = rng.random()
        expected = observed[0] if roll < 0.2 else _object(rng) if roll < 0.4 else _part_of(rng, rng.choice(observed))
        cases.append((observed, expected if isinstance(expected, dict) else {"a": expected}))
    return cases


def _python_clean(value: Any) -> dict[str, Any]:
    try:
        return {"value": remove_empty_objects_and_arrays(value)}
    except ScriptError:
        return {"error": "TypeError"}


def test_the_judge_answers_as_the_collections_own_functions() -> None:
    if shutil.which("node") is None or not LODASH.is_dir():
        need("Node.js and tests/newman's packages are needed (`npm ci` in tests/newman)")
    cases = _cases(GENERATED)
    completed = subprocess.run(
        ["node", str(JUDGE)],
        input=json.dumps({"source": remove_empty_source(), "cases": cases}),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers = json.loads(completed.stdout)
    disagreements = []
    for (observed, expected), js in zip(cases, answers, strict=True):
        clean = _python_clean(expected)
        python = {
            "clean": clean,
            "some": any(is_match(o, expected) for o in observed),
            "isEqual": is_equal(observed[0], expected),
        }
        cleaned_alike = ("error" in clean) == ("error" in js["clean"]) and (
            "error" in js["clean"] or is_equal(clean["value"], js["clean"]["value"])
        )
        if not cleaned_alike or python["some"] != js["some"] or python["isEqual"] != js["isEqual"]:
            disagreements.append({"observed": observed, "expected": expected, "python": python, "collection": js})
    assert any(js["some"] for js in answers) and not all(js["some"] for js in answers), "the cases say something"
    report(f"accreditation judge: {GENERATED} generated comparisons agree with the collection's own functions")
    assert not disagreements, disagreements[:3]
