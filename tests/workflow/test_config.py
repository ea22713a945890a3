"""Configuration files through the real CLI: found by walking up, overridden by flags, printed with their origins,
and a wrong key or type is one line naming the file, the line and the key."""
from __future__ import annotations

import json

from .conftest import leakscan, write

LEAKY = """
#include <stdlib.h>
int f(int n) {
    char *p = malloc(8);
    if (n)
        return 1;
    free(p);
    return 0;
}
"""
CLEAN = "int g(void) { return 0; }\n"
OVERWRITE = """
#include <stdlib.h>
void h(void) {
    char *p = malloc(1);
    p = malloc(2);
    free(p);
}
"""


def test_pyproject_section_found_from_a_scanned_subfolder(tmp_path):
    root = write(tmp_path / "repo", {
        "pyproject.toml": """
            [project]
            name = "x"

            [tool.leakscan]
            exclude = ["vendor/**"]
            disable = ["leak-on-overwrite"]

            [tool.leakscan.output]
            json = "build/leakscan.json"
        """,
        "src/a.c": LEAKY, "src/o.c": OVERWRITE, "src/vendor/v.c": LEAKY.replace("f(", "fv("),
        "vendor/w.c": LEAKY.replace("f(", "fw(")})
    proc = leakscan("scan", str(root / "src"), str(root / "vendor"), "-j", "1", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    data = json.loads((root / "build" / "leakscan.json").read_text())
    # the root is the configuration's folder: paths and fingerprints relative to it; vendor/ only at the top level
    assert data["root"] == str(root)
    found = sorted((f["loc"]["file"].replace(str(root) + "/", ""), f["loc"]["line"], f["rule_id"])
                   for f in data["findings"])
    assert found == [("src/a.c", 5, "resource-leak"), ("src/vendor/v.c", 5, "resource-leak")]
    assert proc.stdout == ""  # the configured output replaces the text report


def test_own_file_wins_and_flags_override(tmp_path):
    root = write(tmp_path / "repo", {
        "pyproject.toml": "[tool.leakscan]\njobs = 2\n",
        ".leakscan.toml": "paths = [\"src\"]\nenable = [\"leak-on-overwrite\"]\njobs = 1\n",
        "src/a.c": LEAKY, "src/o.c": OVERWRITE, "other/b.c": LEAKY})
    proc = leakscan("scan", cwd=root)  # no path: the configured paths, found from the working folder
    assert proc.returncode == 1, proc.stderr
    assert "o.c:4:5: warning:" in proc.stdout and "[leak-on-overwrite]" in proc.stdout
    assert "resource-leak" not in proc.stdout and "b.c" not in proc.stdout
    flags = leakscan("scan", "--enable", "resource-leak", "--format", "json", cwd=root)
    assert {f["rule_id"] for f in json.loads(flags.stdout)["findings"]} == {"resource-leak"}


def test_config_command_prints_values_and_origins(tmp_path):
    root = write(tmp_path / "repo", {
        ".leakscan.toml": """
            # project settings
            paths = ["src"]
            min-confidence = "high"

            [output]
            sarif = "out/l.sarif"
        """, "src/a.c": LEAKY})
    proc = leakscan("config", "--jobs", "3", cwd=root)
    assert proc.returncode == 0, proc.stderr
    lines = {line.split(" = ")[0]: line for line in proc.stdout.splitlines() if " = " in line}
    cfg = root / ".leakscan.toml"
    assert proc.stdout.splitlines()[0] == f"# configuration file: {cfg}"
    assert lines["paths"].endswith(f"# {cfg}:2") and f'"{root / "src"}"' in lines["paths"]
    assert lines["min-confidence"].endswith(f"# {cfg}:3")
    assert lines["output"].endswith(f"# {cfg}:5") and str(root / "out" / "l.sarif") in lines["output"]
    assert lines["jobs"].split("#")[0].strip() == "jobs = 3" and lines["jobs"].endswith("# command line")
    assert lines["infer"].endswith("# default")
    assert lines["root"].endswith("(its folder)")
    none = leakscan("config", "--no-config", cwd=root)
    assert none.stdout.splitlines()[0] == "# configuration file: none found"


def test_unknown_key_names_file_line_and_key(tmp_path):
    root = write(tmp_path / "repo", {"pyproject.toml": """
        [tool.other]
        x = 1

        [tool.leakscan]
        paths = ["src"]
        exlude = ["x/**"]
    """, "src/a.c": LEAKY})
    proc = leakscan("scan", str(root / "src"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"leakscan: {root / 'pyproject.toml'}:6: unknown key 'tool.leakscan.exlude' "
                                   "(did you mean 'exclude'?)")
    assert "Traceback" not in proc.stderr


def test_wrong_types_name_the_key_and_line(tmp_path):
    cases = {
        'jobs = "two"\n': (1, "'jobs' must be a non-negative integer, not a string"),
        'paths = ["src"]\ninfer = "yes"\n': (2, "'infer' must be true or false, not a string"),
        'enable = ["resource-leek"]\n': (1, "'enable': unknown ruleId 'resource-leek'"),
        '[output]\nhtml = 3\n': (2, "'output.html' must be a path or '-', not an integer"),
        '[output]\npdf = "x.pdf"\n': (2, "unknown output format 'output.pdf'"),
        'fail-on = "sometimes"\n': (1, "'fail-on' must be one of new, any, none, not 'sometimes'"),
        'paths = "src"\n': (1, "'paths' must be an array of strings, not a string"),
        'paths = [\n': (1, "invalid TOML"),
    }
    for n, (text, (line, message)) in enumerate(cases.items()):
        root = write(tmp_path / f"r{n}", {".leakscan.toml": text, "src/a.c": CLEAN})
        proc = leakscan("scan", str(root / "src"))
        assert proc.returncode == 2, (text, proc.stderr)
        assert proc.stderr.startswith(f"leakscan: {root / '.leakscan.toml'}:{line}: {message}"), (text, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1


def test_several_outputs_at_once_and_stdout(tmp_path):
    root = write(tmp_path / "repo", {".leakscan.toml": """
        [output]
        text = "-"
        sarif = "out/r.sarif"
        codeclimate = "out/cq.json"
    """, "a.c": LEAKY})
    proc = leakscan("scan", str(root / "a.c"), cwd=root)
    assert proc.returncode == 1
    assert "a.c:5:9: warning:" in proc.stdout
    assert json.loads((root / "out" / "r.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "resource-leak"
    assert json.loads((root / "out" / "cq.json").read_text())[0]["check_name"] == "resource-leak"
