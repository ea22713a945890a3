"""Development tool: compile profile.proto into the profile.desc that proto_schema loads.

    python -m analyzer.profiles.proto_compile

Uses the protoc that grpcio-tools bundles (a test extra, not a run-time dependency).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from analyzer.profiles.proto_schema import DESCRIPTOR_SET_FILE, PROTO_FILE

SOURCE_DIR = Path(__file__).resolve().parent


def compile_descriptor_set() -> bytes:
    """What profile.desc should hold: protoc's FileDescriptorSet of profile.proto as it is now."""
    if importlib.util.find_spec("grpc_tools") is None:
        raise RuntimeError("compiling profile.proto needs grpcio-tools (pip install grpcio-tools)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / DESCRIPTOR_SET_FILE
        # A child process: importing grpc_tools.protoc installs import hooks for *_pb2 modules.
        proc = subprocess.run(
            [sys.executable, "-m", "grpc_tools.protoc", f"--proto_path={SOURCE_DIR}",
             f"--descriptor_set_out={out}", PROTO_FILE],
            capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"protoc failed on {SOURCE_DIR / PROTO_FILE}: {proc.stderr.strip()}")
        return out.read_bytes()


def main() -> int:
    target = SOURCE_DIR / DESCRIPTOR_SET_FILE
    target.write_bytes(compile_descriptor_set())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
