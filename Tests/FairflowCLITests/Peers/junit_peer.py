"""Reads a JUnit XML file the way CI systems do, independently of fairflow.

Usage: python junit_peer.py FILE
  - junitparser reads every suite, case and result; printed as JSON:
    {"tests", "failures", "errors", "skipped",
     "cases": [{"suite", "classname", "name", "result", "message", "text"}]}
    (result: "failure", "error", "skipped" or "passed"; message/text null where absent);
  - xml.etree checks that every count attribute equals the cases it counts, that the timestamp
    is a date and that times are plain decimals;
  - lxml (when installed) validates the file against junit_gates.xsd beside this script.
Exits 1 naming the first problem.
"""
import json, os, re, sys, datetime
import xml.etree.ElementTree as ET
from junitparser import JUnitXml, TestSuite, Failure, Error, Skipped


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def check_counts(path):
    root = ET.parse(path).getroot()
    if root.tag != "testsuites":
        fail(f"root element is <{root.tag}>, not <testsuites>")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counted = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, n in counted.items():
            if int(suite.get(key, "-1")) != n:
                fail(f"suite {suite.get('name')}: {key}={suite.get(key)}, counted {n}")
            if key in totals:
                totals[key] += n
        datetime.datetime.fromisoformat(suite.get("timestamp"))
        for element in [suite] + cases:
            if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", element.get("time", "")):
                fail(f"time {element.get('time')!r} is not a plain decimal")
    for key, n in totals.items():
        if int(root.get(key, "-1")) != n:
            fail(f"testsuites: {key}={root.get(key)}, counted {n}")


def validate(path):
    try:
        from lxml import etree
    except ImportError:
        return
    schema_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "junit_gates.xsd")
    schema = etree.XMLSchema(etree.parse(schema_path))
    document = etree.parse(path)
    if not schema.validate(document):
        fail(f"not valid against junit_gates.xsd: {schema.error_log.last_error}")


def read(path):
    xml = JUnitXml.fromfile(path)
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    cases = []
    for suite in suites:
        for case in suite:
            entry = {"suite": suite.name, "classname": case.classname, "name": case.name,
                     "result": "passed", "message": None, "text": None}
            for result in case.result:
                kind = {Failure: "failure", Error: "error", Skipped: "skipped"}.get(type(result))
                if kind:
                    entry.update(result=kind, message=result.message, text=result.text)
            cases.append(entry)
    return {"tests": xml.tests, "failures": xml.failures, "errors": xml.errors,
            "skipped": sum(s.skipped for s in suites), "cases": cases}


if __name__ == "__main__":
    check_counts(sys.argv[1])
    validate(sys.argv[1])
    print(json.dumps(read(sys.argv[1]), ensure_ascii=False, indent=1))
