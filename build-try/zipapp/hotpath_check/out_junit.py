"""JUnit XML (GitLab's test report, Jenkins): one failing testcase per site with the report as
written, one error testcase per input error, one passing testcase for a clean run."""

import xml.etree.ElementTree as ET
from typing import Optional, Sequence

from .merge import Site
from .model import BadInput
from .out_sarif import RULES, rule_index
from .out_text import describe, display_path, shown


def junit_doc(sites: Sequence[Site], errors: Sequence[BadInput], root: Optional[str], clean_line: str) -> ET.ElementTree:
    suite = ET.Element("testsuite", name="hotpath", tests=str(max(1, len(sites)) + len(errors)),
                       failures=str(len(sites)), errors=str(len(errors)), skipped="0", time="0")
    for s in sites:
        where, msg = describe(s, root)
        tc = ET.SubElement(suite, "testcase", classname=shown(f"hotpath.{s.rep.section}"),
                           name=shown(f"{s.rep.operation} at {where}"), time="0")
        if s.rep.location.file:
            tc.set("file", shown(display_path(s.rep.location.file, root)))
            tc.set("line", str(s.rep.location.line))
        fail = ET.SubElement(tc, "failure", message=msg, type=RULES[rule_index(s.rep.kind)]["name"])
        fail.text = shown(s.rep.raw) or msg
    for e in errors:
        tc = ET.SubElement(suite, "testcase", classname="hotpath.input", name="readable reports", time="0")
        ET.SubElement(tc, "error", message=shown(str(e)), type="BadInput").text = shown(str(e))
    if not sites and not errors:
        ET.SubElement(suite, "testcase", classname="hotpath", name=shown(clean_line), time="0")
    suites = ET.Element("testsuites", name="hotpath-check", tests=suite.get("tests", ""),
                        failures=suite.get("failures", ""), errors=suite.get("errors", ""))
    suites.append(suite)
    return ET.ElementTree(suites)
