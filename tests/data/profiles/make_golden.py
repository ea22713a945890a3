# ruff: noqa: E501, W291 - the inputs are verbatim lines of real formats
"""Write the tiny golden inputs (in each real format) and their expected dumps into golden/.

    python tests/data/profiles/make_golden.py           # rewrite inputs and expected dumps
    LEAKSCAN_REGEN_GOLDEN=1 pytest tests/profiles       # same, from the golden test

The inputs follow the grammar of real files (see docs/profile-formats.md) but are small
enough to check by eye; review the .golden diffs before committing them.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"

_MAPS = """
MAPPED_LIBRARIES:
55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 1001       /srv/app/build/app
55d0c0a01000-55d0c0a02000 r-xp 00001000 08:01 1001       /srv/app/build/app
55d0c0a02000-55d0c0a03000 r--p 00002000 08:01 1001       /srv/app/build/app
55d0c1a00000-55d0c1c00000 rw-p 00000000 00:00 0          [heap]
7f1000000000-7f1000016000 r--p 00000000 08:01 2002       /usr/lib/x86_64-linux-gnu/libtcmalloc_and_profiler.so.4.6.5
7f1000016000-7f100003e000 r-xp 00016000 08:01 2002       /usr/lib/x86_64-linux-gnu/libtcmalloc_and_profiler.so.4.6.5
7f1000100000-7f1000126000 r--p 00000000 08:01 2003       /usr/lib/x86_64-linux-gnu/libc.so.6
7f1000126000-7f100027c000 r-xp 00026000 08:01 2003       /usr/lib/x86_64-linux-gnu/libc.so.6
7ffd5a000000-7ffd5a021000 rw-p 00000000 00:00 0          [stack]
"""

_JEMALLOC_MAPS = """
MAPPED_LIBRARIES:
55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 1001                       /srv/app/build/app
55d0c0a01000-55d0c0a02000 r-xp 00001000 08:01 1001                       /srv/app/build/app
55d0c0a02000-55d0c0a03000 r--p 00002000 08:01 1001                       /srv/app/build/app
7f1000000000-7f1000009000 r--p 00000000 08:01 2004                       /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
7f1000009000-7f1000080000 r-xp 00009000 08:01 2004                       /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
7f1000100000-7f1000126000 r--p 00000000 08:01 2003                       /usr/lib/x86_64-linux-gnu/libc.so.6
7f1000126000-7f100027c000 r-xp 00026000 08:01 2003                       /usr/lib/x86_64-linux-gnu/libc.so.6
7ffd5a000000-7ffd5a021000 rw-p 00000000 00:00 0                          [stack]
"""


def _heaptrack(records: list[tuple[str, ...]]) -> str:
    """heaptrack_interpret's file format 3: hex numbers, `s LENGTH TEXT` strings."""
    out = []
    for rec in records:
        if rec[0] == "s":
            out.append(f"s {len(rec[1]):x} {rec[1]}")
        else:
            out.append(" ".join(rec))
    return "\n".join(out) + "\n"


INPUTS: dict[str, str] = {
    "tiny.heap": """heap profile:      7:    12544 [    23:   118528] @ heapprofile
     4:    12288 [     8:    24576] @ 0x55d0c0a01125 0x55d0c0a01210 0x55d0c0a01300 0x7f1000127249
     3:      256 [     5:      320] @ 0x55d0c0a01140 0x55d0c0a01300 0x7f1000127249
     0:        0 [    10:    93632] @ 0x55d0c0a01160 0x55d0c0a01310 0x7f1000127249
""" + _MAPS,
    "tiny-v2.heap": """heap profile:      4:   532480 [     4:   532480] @ heap_v2/524288
     1:     4096 [     1:     4096] @ 0x7f1000020270 0x55d0c0a01125 0x55d0c0a01210 0x55d0c0a01300
     1:     4096 [     1:     4096] @ 0x7f1000020270 0x55d0c0a01125 0x55d0c0a01210 0x55d0c0a01300
     1:   262144 [     1:   262144] @ 0x7f1000020270 0x55d0c0a01140 0x55d0c0a01300
     1:   262144 [     1:   262144] @ 0x7f1000020270 0x55d0c0a01140 0x55d0c0a01300
""" + _MAPS,
    "tiny-off.heap": """%warn
%warn This heap profile does not have any data in it, because
%warn the application was run with heap sampling turned off.
%warn To get useful data from GetHeapSample(), you must
%warn set the environment variable TCMALLOC_SAMPLE_PARAMETER to
%warn a positive sampling period, such as 524288.
%warn
heap profile:      0:        0 [     0:        0] @ heap_v2/0
""" + _MAPS,
    "tiny-growth.heap": """heap profile:      2:  2097152 [     2:  2097152] @ growth
     1:  1048576 [     1:  1048576] @ 0x7f1000029488 0x7f100002952c 0x55d0c0a01125 0x55d0c0a01300
     1:  1048576 [     1:  1048576] @ 0x7f1000029488 0x55d0c0a01140 0x55d0c0a01300
""" + _MAPS,
    "tiny-lsan.txt": """
=================================================================
==4242==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 48 byte(s) in 2 object(s) allocated from:
    #0 0x55d0c0a9e25e in operator new(unsigned long) (/srv/app/build/app+0xa525e) (BuildId: 0123456789abcdef0123456789abcdef01234567)
    #1 0x55d0c0ade352 in svc::make_request(int, unsigned long) /srv/app/src/app.cpp:38:15
    #2 0x55d0c0ade41c in svc::Handler::handle(int, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&) /srv/app/src/app.cpp:64:18
    #3 0x55d0c0ade86d in main /srv/app/src/app.cpp:142:28
    #4 0x7f1000127249 in __libc_start_call_main csu/../sysdeps/nptl/libc_start_call_main.h:58:16

Indirect leak of 8192 byte(s) in 2 object(s) allocated from:
    #0 0x55d0c0a9e448 in __interceptor_malloc (/srv/app/build/app+0xa5448) (BuildId: 0123456789abcdef0123456789abcdef01234567)
    #1 0x55d0c0ade377 in svc::make_request(int, unsigned long) /srv/app/src/app.cpp:41:29
    #2 0x55d0c0ade41c in svc::Handler::handle(int, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&) /srv/app/src/app.cpp:64:18
    #3 0x55d0c0ade86d in main /srv/app/src/app.cpp:142:28
    #4 0x7f1000127249 in __libc_start_call_main csu/../sysdeps/nptl/libc_start_call_main.h:58:16

SUMMARY: AddressSanitizer: 8240 byte(s) leaked in 4 allocation(s).
""",
    "tiny-lsan-raw.txt": """
=================================================================
==4243==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 48 byte(s) in 2 object(s) allocated from:
    #0 0x55d0c0a9e25e  (/srv/app/build/app+0xa525e) (BuildId: 0123456789abcdef0123456789abcdef01234567)
    #1 0x55d0c0ade352  (/srv/app/build/app+0xe5352) (BuildId: 0123456789abcdef0123456789abcdef01234567)
    #2 0x7f1000127249  (/lib/x86_64-linux-gnu/libc.so.6+0x27249) (BuildId: 93ac61ec5a8eb1396f9fbd350e3169a558528a40)

SUMMARY: AddressSanitizer: 48 byte(s) leaked in 2 allocation(s).
""",
    "tiny-valgrind.xml": """<?xml version="1.0"?>

<valgrindoutput>

<protocolversion>4</protocolversion>
<protocoltool>memcheck</protocoltool>
<pid>777</pid>
<tool>memcheck</tool>
<args><argv><exe>/srv/app/build/app</exe></argv></args>

<error>
  <unique>0x0</unique>
  <tid>1</tid>
  <kind>Leak_DefinitelyLost</kind>
  <xwhat>
    <text>8,240 (48 direct, 8,192 indirect) bytes in 2 blocks are definitely lost in loss record 2 of 2</text>
    <leakedbytes>8240</leakedbytes>
    <leakedblocks>2</leakedblocks>
  </xwhat>
  <stack>
    <frame><ip>0x4841F2F</ip><obj>/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so</obj><fn>operator new(unsigned long)</fn></frame>
    <frame><ip>0x10A352</ip><obj>/srv/app/build/app</obj><fn>svc::Pool&lt;int&gt;::get(std::vector&lt;int, std::allocator&lt;int&gt; &gt; const&amp;)</fn><dir>/srv/app/src</dir><file>app.cpp</file><line>38</line></frame>
    <frame><ip>0x10A86D</ip><obj>/srv/app/build/app</obj><fn>main</fn><dir>/srv/app/src</dir><file>app.cpp</file><line>142</line></frame>
  </stack>
</error>

<error>
  <unique>0x1</unique>
  <tid>1</tid>
  <kind>Leak_IndirectlyLost</kind>
  <xwhat>
    <text>8,192 bytes in 2 blocks are indirectly lost in loss record 1 of 2</text>
    <leakedbytes>8192</leakedbytes>
    <leakedblocks>2</leakedblocks>
  </xwhat>
  <stack>
    <frame><ip>0x48417B4</ip><obj>/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so</obj><fn>malloc</fn></frame>
    <frame><ip>0x10A377</ip><obj>/srv/app/build/app</obj><fn>svc::make_request(int, unsigned long)</fn><dir>/srv/app/src</dir><file>app.cpp</file><line>41</line></frame>
    <frame><ip>0x10A86D</ip><obj>/srv/app/build/app</obj></frame>
  </stack>
</error>

<errorcounts>
</errorcounts>

</valgrindoutput>
""",
    "tiny-valgrind.txt": """==777== Memcheck, a memory error detector
==777== Command: /srv/app/build/app
==777== 
==777== HEAP SUMMARY:
==777==     in use at exit: 8,240 bytes in 4 blocks
==777== 
==777== 8,192 bytes in 2 blocks are indirectly lost in loss record 1 of 2
==777==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==777==    by 0x10A377: svc::make_request(int, unsigned long) (app.cpp:41)
==777==    by 0x10A86D: main (app.cpp:142)
==777== 
==777== 8,240 (48 direct, 8,192 indirect) bytes in 2 blocks are definitely lost in loss record 2 of 2
==777==    at 0x4841F2F: operator new(unsigned long) (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==777==    by 0x10A352: svc::make_request(int, unsigned long) (app.cpp:38)
==777==    by 0x10A86D: main (app.cpp:142)
==777== 
==777== LEAK SUMMARY:
==777==    definitely lost: 48 bytes in 2 blocks
""",
    "tiny-pprof-text.txt": """Using local file build/app.
Using local file app.0003.heap.
Total: 12544 B
   12288  98.0%  98.0%    12288  98.0% svc::make_request
     256   2.0% 100.0%      256   2.0% ::make_key
       0   0.0% 100.0%    12544 100.0% main
    -171  -0.0% 100.0%     -171  -0.0% std::__cxx11::basic_string::_M_mutate
""",
    "tiny-pprof-lines.txt": """Total: 12.3 MB
    12.0  97.6%  97.6%     12.0  97.6% svc::make_request /srv/app/src/app.cpp:41
     0.3   2.4% 100.0%      0.3   2.4% std::string::_M_create ??:0
     0.0   0.0% 100.0%     12.3 100.0% main /srv/app/src/app.cpp:142
""",
    "tiny-collapsed.txt": """_start<0000000000002310>;main<0000000000004112>;svc::Pool<int>::get(std::vector<int, std::allocator<int> > const&)<00000000000025d0>;svc::make_request(int, unsigned long)<000000000000470d> 12288
_start<0000000000002310>;main<0000000000004112>;(anonymous namespace)::make_key(char const*) 256
""",
    "tiny-stacks.txt": """Total: 12544 B
Stacks:

12288    (000055d0c0a01125) /srv/app/src/app.cpp:41:svc::make_request
         (000055d0c0a0120f) /srv/app/src/app.cpp:64:svc::Handler::handle
         (000055d0c0a012ff) ??:0:main

256      (000055d0c0a01140) /srv/app/src/app.cpp:90:::make_key
         (000055d0c0a012ff) ??:0:main

Leak of 12288 bytes in 4 objects allocated from:
\t@ 55d0c0a01125 unknown
""",
    "tiny-jemalloc.heap": """heap_v2/524288
  t*: 3: 266240 [0: 0]
  t0: 2: 262144 [0: 0]
  t1: 1: 4096 [0: 0] worker
@ 0x7f1000020270 0x7f1000020d21 0x55d0c0a01125 0x55d0c0a01210 0x55d0c0a01300
  t*: 1: 4096 [0: 0]
  t1: 1: 4096 [0: 0]
@ 0x7f1000020270 0x55d0c0a01140 0x55d0c0a01300
  t*: 2: 262144 [0: 0]
  t0: 2: 262144 [0: 0]
""" + _JEMALLOC_MAPS,
    "tiny-heaptrack.txt": _heaptrack([
        ("v", "10400", "3"), ("X", "./app 100"), ("I", "1000", "5e580f"),
        ("s", "/srv/app/build/app"), ("s", "/lib/x86_64-linux-gnu/libstdc++.so.6"),
        ("s", "main"), ("s", "/srv/app/src/app.cpp"),
        ("i", "55d0c0a01300", "1", "3", "4", "8e"), ("t", "1", "0"),
        ("s", "svc::make_request(int, unsigned long)"), ("s", "svc::Pool<int>::get() const"),
        ("i", "55d0c0a01125", "1", "6", "4", "29", "5", "4", "2a"), ("t", "2", "1"),
        ("s", "operator new(unsigned long)"),
        ("i", "7f10000a958b", "2", "7"), ("t", "3", "2"),
        ("a", "18", "3"), ("a", "1000", "2"), ("i", "55d0c0a01500", "1"), ("t", "4", "1"), ("a", "20", "4"),
        ("+", "0"), ("+", "1"), ("c", "5"), ("+", "0"), ("+", "1"), ("+", "2"), ("-", "1"), ("-", "2"),
        ("+", "1"), ("c", "a"), ("R", "4c4"), ("#", "strings: 7"), ("#", "ips: 4"),
    ]),
    "tiny-massif.out": """desc: --time-unit=ms
cmd: ./app 100
time_unit: ms
#-----------
snapshot=0
#-----------
time=0
mem_heap_B=0
mem_heap_extra_B=0
mem_stacks_B=0
heap_tree=empty
#-----------
snapshot=1
#-----------
time=12
mem_heap_B=8448
mem_heap_extra_B=40
mem_stacks_B=0
heap_tree=detailed
n2: 8448 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
 n1: 8192 0x10A377: svc::make_request(int, unsigned long) (app.cpp:41)
  n0: 8192 0x10A86D: main (app.cpp:142)
 n0: 256 in 2 places, all below massif's threshold (1.00%)
#-----------
snapshot=2
#-----------
time=25
mem_heap_B=12744
mem_heap_extra_B=64
mem_stacks_B=0
heap_tree=peak
n3: 12744 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
 n2: 12288 0x10A377: svc::make_request(int, unsigned long) (app.cpp:41)
  n1: 8192 0x10A41C: svc::Handler::handle(int) (app.cpp:64)
   n0: 8192 0x10A86D: main (app.cpp:142)
  n0: 4096 in 1 place, below massif's threshold (1.00%)
 n1: 200 0x4A3C0D2: strdup (in /usr/lib/x86_64-linux-gnu/libc.so.6)
  n0: 200 0x10A900: main (app.cpp:150)
 n0: 256 in 2 places, all below massif's threshold (1.00%)
""",
}


def heaptrack_zst_input() -> bytes:
    """tiny-heaptrack.txt as heaptrack writes it where zstd is available."""
    import zstandard

    return zstandard.ZstdCompressor(level=3, write_content_size=False).compress(INPUTS["tiny-heaptrack.txt"].encode())


def proto_input() -> bytes:
    """A tiny profile.proto as go pprof writes one for a sampled heap (objects/space, Period)."""
    sys.path.insert(0, str(HERE.parents[2]))
    from analyzer.profiles.proto_schema import profile_class

    msg = profile_class()()
    strings = ["", "objects", "count", "space", "bytes", "/srv/app/build/app", "abcdef0123",
               "svc::make_request", "_ZN3svc12make_requestEim", "/srv/app/src/app.cpp", "main",
               "kind", "direct", "bytes_total"]
    msg.string_table.extend(strings)
    msg.sample_type.add(type=1, unit=2)
    msg.sample_type.add(type=3, unit=4)
    msg.mapping.add(id=1, memory_start=0x55D0C0A01000, memory_limit=0x55D0C0A02000,
                    file_offset=0x1000, filename=5, build_id=6, has_functions=True)
    msg.function.add(id=1, name=7, system_name=8, filename=9, start_line=34)
    msg.function.add(id=2, name=10, system_name=10, filename=9, start_line=130)
    loc = msg.location.add(id=1, mapping_id=1, address=0x55D0C0A01125)
    loc.line.add(function_id=1, line=41)
    loc = msg.location.add(id=2, mapping_id=1, address=0x55D0C0A012FF)
    loc.line.add(function_id=2, line=142)
    msg.location.add(id=3, mapping_id=1, address=0x55D0C0A01500)  # unsymbolized
    s = msg.sample.add(location_id=[1, 2], value=[129, 528384])
    s.label.add(key=11, str=12)
    s.label.add(key=13, num=528384)
    msg.sample.add(location_id=[3, 2], value=[1, 262144])
    msg.period_type.type = 3
    msg.period_type.unit = 4
    msg.period = 524288
    msg.time_nanos = 1700000000000000000
    msg.default_sample_type = 3
    return gzip.compress(msg.SerializeToString(), mtime=0)


def expected(name: str) -> str:
    sys.path.insert(0, str(HERE.parents[2]))
    from analyzer.profiles.model import dump_text
    from analyzer.profiles.sniff import parse_series_data

    path = GOLDEN / name
    series = parse_series_data(path.read_bytes(), f"golden/{name}")
    if len(series) == 1:
        return dump_text(series[0])
    # A recording of several snapshots (massif): each one, with its place in the series.
    return "".join(f"== {p.series_point}\n" + dump_text(p) for p in series)


def input_names() -> list[str]:
    return [*INPUTS, "tiny.pb.gz", "tiny-heaptrack.zst"]


def write_inputs() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, text in INPUTS.items():
        (GOLDEN / name).write_text(text)
    (GOLDEN / "tiny.pb.gz").write_bytes(proto_input())
    (GOLDEN / "tiny-heaptrack.zst").write_bytes(heaptrack_zst_input())


def write_expected() -> None:
    for name in input_names():
        (GOLDEN / f"{name}.golden").write_text(expected(name))


if __name__ == "__main__":
    write_inputs()
    write_expected()
    print(f"wrote {len(input_names())} inputs and expected dumps to {GOLDEN}")
