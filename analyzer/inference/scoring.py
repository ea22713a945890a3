"""How much each piece of evidence weighs for an acquirer/releaser pair, and the behaviour evidence of bodies."""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from analyzer import ir
from analyzer.analysis.summaries import FunctionSummary

from .bodies import Bodies

HIGH, MEDIUM = 0.8, 0.6  # score thresholds of the high and medium confidences; medium and above are used

# Every weight of the score in one table. A pair starts at `verb` x the strength of its verb pair plus its type
# binding; the rest adds to it, and caps bound it from above when behaviour contradicts the names.
WEIGHTS: Mapping[str, float] = {
    "verb": .35,  # times the verb pair's strength (VERB_PAIRS)
    "bind:specific": .35,  # returns T *, releases T * (T not void/char)
    "bind:void-releaser": .15,  # returns T *, releases void *
    "bind:generic": .1,  # void/char on both sides
    "out-parameter": -.05,  # the acquirer writes through a T ** parameter
    "same-file": .1,
    "single-parameter-releaser": .05,
    "extra-arguments": -.15,  # the releaser takes more arguments after the resource
    "extra-arguments-ambiguous": -.35,  # ... and its verb is del/delete/release: may remove an element
    "one-sided-stem": .05,  # the stem is only before or only after the verb
    "both-in-project": .05,
    "malloc-attribute": .1,
    "summary-returns-owned": .1,
    "body-returns-acquired": .05,
    "summary-releases": .1,
    "body-releases": .05,
    "destructor-with-extra-arguments": .35,  # an ambiguous releaser whose summary releases on every path
    # behaviour pairs (analyzer.inference.behaviour): roles of the bodies, whatever the names
    "behaviour:type": .3,  # acquirer and releaser of the same specific type (`index *`, `sds`)
    "behaviour:array": .2,  # ... of an array of strings (`char **`): many unrelated functions share it
    "behaviour:acquirer": .15,  # returns (writes out) a fresh object on every path, or takes a reference
    "behaviour:releaser": .1,  # releases it on every path (or drops a reference, freeing at zero)
    "behaviour:shared-word": .1,  # the names share a word of the type or past a common prefix
    # integer handles (analyzer.inference.handles): the builtin kind of the call that made the handle binds them
    "handle:kind": .3,  # returns a fresh handle of kind K (an fd), releases a handle of kind K
    "handle:outer-releaser": .1,  # no other releaser of the kind releases through this one (the project's close)
}
CAPS: Mapping[str, float] = {
    "publishes": .5,  # the acquirer hands its new object elsewhere before returning it
    "never-returns-acquired": .5,
    "never-releases": .5,
    "ambiguous-without-summary": .55,
    "inner-handle-releaser": .55,  # `uv__close_nocancel`: the project's own close (`uv__close`) calls it
}


class EvidenceKind(enum.Enum):
    NAMES = "names"
    TYPES = "types"
    SAME_FILE = "same file"
    EXTRA_ARGUMENTS = "extra arguments"
    MALLOC_ATTRIBUTE = "malloc attribute"
    SUMMARY_RETURNS_OWNED = "summary returns owned"
    PUBLISHES = "publishes"
    BODY_RETURNS_ACQUIRED = "body returns acquired"
    NEVER_RETURNS_ACQUIRED = "never returns acquired"
    SUMMARY_RELEASES = "summary releases"
    BODY_RELEASES = "body releases"
    NEVER_RELEASES = "never releases"
    GETTER = "getter"


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: EvidenceKind
    text: str


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What summaries and bodies say about a candidate pair."""
    delta: float
    cap: float
    evidence: tuple[Evidence, ...]
    acquirer_owns: bool  # the acquirer really returns (or writes out) an owned resource

    def says(self, kind: EvidenceKind) -> bool:
        return any(e.kind == kind for e in self.evidence)


def behaviour(acq_decl: ir.FuncDecl, out_arg: int | None, rel_decl: ir.FuncDecl, rel_arg: int,
              summaries: Mapping[str, FunctionSummary], bodies: Bodies) -> Behaviour:
    delta, cap, evidence, owned = _acquirer_behaviour(acq_decl, out_arg, summaries, bodies)
    name = rel_decl.qualname
    r = summaries.get(rel_decl.usr)
    if r is not None and any(i == rel_arg for i, _ in r.releases_args):
        evidence.append(Evidence(EvidenceKind.SUMMARY_RELEASES,
                                 f"behaviour: {name}() releases argument {rel_arg + 1} on every path"))
        delta += WEIGHTS["summary-releases"]
    else:
        v = bodies.releases_param(rel_decl.usr, rel_arg)
        if v:
            evidence.append(Evidence(EvidenceKind.BODY_RELEASES,
                                     f"behaviour: {name}() releases argument {rel_arg + 1}"))
            delta += WEIGHTS["body-releases"]
        elif v is False:
            evidence.append(Evidence(EvidenceKind.NEVER_RELEASES,
                                     f"behaviour: the body of {name}() never releases argument {rel_arg + 1}"))
            cap = min(cap, CAPS["never-releases"])
    return Behaviour(delta, cap, tuple(evidence), owned)


def _acquirer_behaviour(decl: ir.FuncDecl, out_arg: int | None, summaries: Mapping[str, FunctionSummary],
                        bodies: Bodies) -> tuple[float, float, list[Evidence], bool]:
    delta, cap, evidence, owned = 0.0, 1.0, [], False
    name = decl.qualname
    s = summaries.get(decl.usr)
    if s is not None and (s.returns_owned if out_arg is None else any(i == out_arg for i, _ in s.acquires_out)):
        what = s.returns_owned or dict(s.acquires_out).get(out_arg or 0, "")
        via = f" from {s.returns_acquirer}()" if s.returns_acquirer else ""
        evidence.append(Evidence(EvidenceKind.SUMMARY_RETURNS_OWNED,
                                 f"behaviour: {name}() returns an owned {what}{via}"))
        delta, owned = WEIGHTS["summary-returns-owned"], True
    if out_arg is None and (keeper := bodies.publishes(decl.usr)) is not None:
        evidence.append(Evidence(EvidenceKind.PUBLISHES, f"behaviour: {name}() hands the new object to {keeper} "
                                                         "before returning it: callers do not own it"))
        cap, owned = min(cap, CAPS["publishes"]), False
    elif s is not None and owned:
        pass
    elif out_arg is None:
        v = bodies.returns_acquired(decl.usr)
        if v:
            evidence.append(Evidence(EvidenceKind.BODY_RETURNS_ACQUIRED,
                                     f"behaviour: {name}() returns what an acquiring call returned"))
            delta, owned = WEIGHTS["body-returns-acquired"], True
        elif v is False:
            evidence.append(Evidence(EvidenceKind.NEVER_RETURNS_ACQUIRED,
                                     f"behaviour: the body of {name}() never returns an acquired resource"))
            cap = min(cap, CAPS["never-returns-acquired"])
    return delta, cap, evidence, owned
