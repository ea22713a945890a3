"""The `perftools.profiles` message classes, built from profile.proto through its compiled descriptor set.

profile.proto is the one source of truth for message and field names and numbers. protoc compiles it into
profile.desc (a serialized FileDescriptorSet, committed beside it; `python -m analyzer.profiles.proto_compile`
regenerates it and a test fails while it is stale), from which the classes are built at run time in a private
descriptor pool. Unlike a generated profile_pb2.py, a descriptor set carries no gencode/runtime version check,
so it loads with any protobuf runtime.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PACKAGE = "perftools.profiles"
PROTO_FILE = "profile.proto"
DESCRIPTOR_SET_FILE = "profile.desc"


def descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """The committed descriptor set of profile.proto."""
    data = resources.files(__package__).joinpath(DESCRIPTOR_SET_FILE).read_bytes()
    return descriptor_pb2.FileDescriptorSet.FromString(data)


@functools.lru_cache(maxsize=1)
def profile_class() -> Any:
    """The message class for `perftools.profiles.Profile` (private pool)."""
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_set().file:
        pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.Profile"))
