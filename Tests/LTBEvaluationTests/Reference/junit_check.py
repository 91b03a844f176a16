"""Parses a JUnit XML report with Python's XML parser and returns what a CI system would read:
per testsuite its counts, and per testcase its name and outcome."""
import json
import sys
import xml.etree.ElementTree as ET

root = ET.fromstring(json.load(sys.stdin)["xml"])
suites = []
for suite in root.iter("testsuite"):
    cases = []
    for case in suite.iter("testcase"):
        outcome = "pass"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                outcome = tag
        cases.append({"name": case.get("name"), "classname": case.get("classname"), "outcome": outcome})
    suites.append({
        "name": suite.get("name"), "tests": int(suite.get("tests")), "failures": int(suite.get("failures")),
        "errors": int(suite.get("errors")), "skipped": int(suite.get("skipped")), "cases": cases,
    })
json.dump({"root": root.tag, "suites": suites}, sys.stdout)
