"""Figures over many judged programs: recall, false-positive rate, and the shapes behind every miss and FP."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class Group:
    signature: str
    count: int = 0
    programs: list[str] = field(default_factory=list)  # sources, first few
    examples: list[dict] = field(default_factory=list)  # the unit or finding records, first few


@dataclass
class Summary:
    programs: int
    statuses: Counter
    runs: int
    units: int  # distinct direct-leak chains LSan saw that the analysis can see
    found: int
    beyond_view: int  # chains through a call by function pointer
    beyond_view_found: int
    findings: int
    confirmed: int
    false_positives: int
    unjudgeable: Counter
    judge_errors: list[str]
    misses: list[Group]
    fps: list[Group]
    miss_tags: list[tuple[str, int, int]]  # (shape label, leaks whose outermost site has it, misses among them)
    fp_tags: list[tuple[str, int, int]]  # (shape label, judged findings at a site with it, FPs among them)

    @property
    def recall(self) -> float:
        return self.found / self.units if self.units else 1.0

    @property
    def fp_rate(self) -> float:
        judged = self.confirmed + self.false_positives
        return self.false_positives / judged if judged else 0.0

    def to_dict(self) -> dict:
        return {"programs": self.programs, "statuses": dict(self.statuses), "runs": self.runs,
                "leaks": self.units, "found": self.found, "recall": self.recall,
                "beyond_static_view": self.beyond_view, "beyond_static_view_found": self.beyond_view_found,
                "findings": self.findings, "confirmed": self.confirmed, "false_positives": self.false_positives,
                "false_positive_rate": self.fp_rate, "unjudgeable": dict(self.unjudgeable),
                "judge_errors": self.judge_errors,
                "misses": [g.__dict__ for g in self.misses], "false_positive_groups": [g.__dict__ for g in self.fps],
                "miss_tags": self.miss_tags, "fp_tags": self.fp_tags}


def _add(groups: dict[str, Group], sig: str, source: str, example: dict) -> None:
    g = groups.setdefault(sig, Group(sig))
    g.count += 1
    if source not in g.programs and len(g.programs) < 8:
        g.programs.append(source)
    if len(g.examples) < 3:
        g.examples.append(example)


def summarize(records: list[dict], tags_of: dict[str, dict[str, list[str]]] | None = None) -> Summary:
    """`tags_of[source][site]`: shape labels per site (from the sidecars) for the per-label tables."""
    statuses: Counter = Counter(r["status"] for r in records)
    units = found = beyond = beyond_found = 0
    findings = confirmed = fps = 0
    unjudgeable: Counter = Counter()
    errors: list[str] = []
    misses: dict[str, Group] = {}
    fp_groups: dict[str, Group] = {}
    miss_tag_all: Counter = Counter()
    miss_tag_missed: Counter = Counter()
    fp_tag_all: Counter = Counter()
    fp_tag_fp: Counter = Counter()
    runs = 0
    for r in records:
        runs += r.get("runs", 0)
        if r["status"] not in ("ok", "leakscan-error"):
            continue
        src = r["source"]
        site_tags = (tags_of or {}).get(src, {})
        errors += [f"{src}: {e}" for e in r["errors"]]
        for u in r["units"]:
            if not u["visible"]:
                beyond += 1
                beyond_found += u["found"]
                continue
            units += 1
            found += u["found"]
            labels = set(site_tags.get(u["chain"][-1], ()))
            miss_tag_all.update(labels)
            if not u["found"]:
                miss_tag_missed.update(labels)
                _add(misses, u["signature"], src, u)
        for f in r["findings"]:
            findings += 1
            v = f["verdict"]
            if v.startswith("unjudgeable"):
                unjudgeable[v.split(":", 1)[1]] += 1
                continue
            labels = set(site_tags.get(f["site"], ())) if f["site"] else {"not-an-acquisition-site"}
            fp_tag_all.update(labels)
            if v == "confirmed":
                confirmed += 1
            else:
                fps += 1
                fp_tag_fp.update(labels)
                _add(fp_groups, f["signature"], src, f)
    miss_tags = sorted(((t, miss_tag_all[t], miss_tag_missed[t]) for t in miss_tag_all),
                       key=lambda x: (-x[2], -x[1], x[0]))
    fp_tags = sorted(((t, fp_tag_all[t], fp_tag_fp[t]) for t in fp_tag_all), key=lambda x: (-x[2], -x[1], x[0]))
    order = lambda groups: sorted(groups.values(), key=lambda g: (-g.count, g.signature))  # noqa: E731
    return Summary(len(records), statuses, runs, units, found, beyond, beyond_found, findings, confirmed, fps,
                   unjudgeable, errors, order(misses), order(fp_groups), miss_tags, fp_tags)


def render_text(s: Summary, examples: dict[str, str] | None = None, top: int = 15) -> str:
    examples = examples or {}
    out = []
    st = ", ".join(f"{k} {v}" for k, v in sorted(s.statuses.items()))
    out.append(f"programs: {s.programs} ({st}); {s.runs} sanitizer runs")
    out.append(f"recall: {s.found}/{s.units} = {100 * s.recall:.1f}% of the leaks LeakSanitizer saw "
               f"(distinct direct-leak ownership chains the analysis can see)")
    out.append(f"false positives: {s.false_positives}/{s.confirmed + s.false_positives} = {100 * s.fp_rate:.1f}% "
               f"of the judged findings ({s.findings} findings; confirmed {s.confirmed})")
    unj = ", ".join(f"{k} {v}" for k, v in sorted(s.unjudgeable.items())) or "none"
    out.append(f"unjudgeable findings (not scored): {unj}")
    out.append(f"beyond static view (leaks through a call by function pointer, not scored): {s.beyond_view} "
               f"({s.beyond_view_found} reported anyway)")
    if s.judge_errors:
        out.append(f"JUDGE ERRORS: {len(s.judge_errors)} (first: {s.judge_errors[0]})")
    for title, groups in (("misses", s.misses), ("false positives", s.fps)):
        total = sum(g.count for g in groups)
        out.append("")
        out.append(f"{title} by shape ({total} in {len(groups)} shapes; shape = acquirer[what the program does "
                   "with the resource] of the site)")
        for g in groups[:top]:
            out.append(f"  {g.count:5d}  {g.signature}")
            out.append(f"         e.g. {', '.join(g.programs[:3])}")
            if g.signature in examples:
                out.append(f"         minimized: {examples[g.signature]}")
        if len(groups) > top:
            out.append(f"  ... {len(groups) - top} more shapes in report.json")
    for title, rows in (("miss rate by shape label (outermost site of each leak)", s.miss_tags),
                        ("false-positive rate by shape label (site of each judged finding)", s.fp_tags)):
        out.append("")
        out.append(f"{title}: label, total, missed/FP")
        for label, total, bad in rows[:top]:
            if bad:
                out.append(f"  {label:28s} {total:6d} {bad:6d}  {100 * bad / total:5.1f}%")
    return "\n".join(out)


def tags_by_site(sidecars: dict[str, dict]) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for src, data in sidecars.items():
        for key, site in data["sites"].items():
            out[src][key] = site["tags"]
    return out
