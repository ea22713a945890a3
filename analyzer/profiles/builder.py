"""Incremental `Profile` construction shared by the parsers: interning and stack aggregation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analyzer.profiles.model import Function, Line, Location, Mapping, Profile, Sample, Value
from analyzer.profiles.procmaps import MappingIndex

LabelSet = tuple[tuple[str, str], ...]
NumLabelSet = tuple[tuple[str, int], ...]


class ProfileBuilder:
    """Interns functions/locations and (optionally) merges samples with equal stacks and labels."""

    def __init__(self, n_values: int, mappings: Sequence[Mapping] = (), aggregate: bool = True) -> None:
        self.n_values = n_values
        self.mappings = list(mappings)
        self._index = MappingIndex(self.mappings)
        self._aggregate = aggregate
        self._functions: dict[tuple[str, str, str, int], Function] = {}
        self._locations: dict[Any, Location] = {}
        self._samples: dict[Any, list[Any]] = {}
        self._sample_list: list[list[Any]] = []

    # ---- interning ----------------------------------------------------------------
    def function_id(self, name: str, system_name: str = "", filename: str = "", start_line: int = 0) -> int:
        key = (name, system_name, filename, start_line)
        fn = self._functions.get(key)
        if fn is None:
            fn = Function(len(self._functions) + 1, name, system_name, filename, start_line)
            self._functions[key] = fn
        return fn.id

    def address_location(self, address: int, mapping_id: int = 0) -> int:
        key = address
        loc = self._locations.get(key)
        if loc is None:
            if not mapping_id:
                m = self._index.find(address)
                mapping_id = m.id if m else 0
            loc = Location(len(self._locations) + 1, mapping_id, address, ())
            self._locations[key] = loc
        return loc.id

    def symbolic_location(
        self,
        frames: Sequence[tuple[str, str, int]],
        address: int = 0,
        mapping_id: int = 0,
        system_names: Sequence[str] = (),
    ) -> int:
        """A location from (function, file, line) frames, inlined callees first."""
        key = ("sym", address, mapping_id, tuple(frames))
        loc = self._locations.get(key)
        if loc is None:
            lines = []
            for i, (name, file, line) in enumerate(frames):
                sysname = system_names[i] if i < len(system_names) else ""
                lines.append(Line(self.function_id(name, sysname, file), line))
            loc = Location(len(self._locations) + 1, mapping_id, address, tuple(lines))
            self._locations[key] = loc
        return loc.id

    def add_mapping(self, filename: str, start: int = 0, limit: int = 0, offset: int = 0,
                    build_id: str = "") -> int:
        for m in self.mappings:
            if m.filename == filename and m.build_id == build_id and m.start == start:
                return m.id
        m = Mapping(len(self.mappings) + 1, start, limit, offset, filename, build_id)
        self.mappings.append(m)
        self._index = MappingIndex(self.mappings)
        return m.id

    # ---- samples ------------------------------------------------------------------
    def add_sample(self, location_ids: Sequence[int], values: Sequence[Value],
                   labels: LabelSet = (), num_labels: NumLabelSet = ()) -> None:
        key = (tuple(location_ids), labels, num_labels)
        if self._aggregate:
            acc = self._samples.get(key)
            if acc is not None:
                vals = acc[1]
                for i, v in enumerate(values):
                    vals[i] += v
                return
        entry = [key, list(values)]
        if self._aggregate:
            self._samples[key] = entry
        self._sample_list.append(entry)

    def build(self, **kwargs: Any) -> Profile:
        samples = tuple(
            Sample(key[0], tuple(vals), key[1], key[2]) for key, vals in self._sample_list
        )
        return Profile(
            samples=samples,
            locations=tuple(self._locations.values()),
            functions=tuple(self._functions.values()),
            mappings=tuple(self.mappings),
            **kwargs,
        )
