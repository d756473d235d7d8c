"""Writes the protocol definitions compiled into the PyPI package `kurrentdbclient` (BSD-3-Clause)
as one FileDescriptorSet, for protoc's --descriptor_set_in (see gen-protos.sh).

Run with the version gen-protos.sh pins installed. The descriptors are the client's own: only
names change, so the generated Swift reads well and the wire stays the same:
  - files lose their `kurrentdbclient/protos/v1/` directory (shared.proto, streams.proto, ...);
  - the client's copy of google.rpc.Status lives in package `kurrentdbclient.status`; it moves
    back to `google.rpc` (the server's name; the fields and numbers are identical).
"""
import importlib
import sys

from google.protobuf import descriptor_pb2

MODULES = [
    "kurrentdbclient.protos.v1.shared_pb2",
    "kurrentdbclient.protos.v1.status_pb2",
    "kurrentdbclient.protos.google.rpc.code_pb2",
    "kurrentdbclient.protos.v1.streams_pb2",
    "kurrentdbclient.protos.v1.persistent_pb2",
    "kurrentdbclient.protos.v1.gossip_pb2",
]


def renamed_file(name):
    for prefix in ("kurrentdbclient/protos/v1/", "kurrentdbclient/protos/google/rpc/"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def rename_types(message):
    for field in message.field:
        if field.type_name.startswith(".kurrentdbclient.status."):
            field.type_name = ".google.rpc." + field.type_name[len(".kurrentdbclient.status."):]
    for nested in message.nested_type:
        rename_types(nested)


def main(out_path):
    files = descriptor_pb2.FileDescriptorSet()
    seen = set()

    def add(fd):
        if fd.name in seen:
            return
        for dep in fd.dependencies:
            add(dep)
        seen.add(fd.name)
        proto = descriptor_pb2.FileDescriptorProto()
        fd.CopyToProto(proto)
        proto.name = renamed_file(proto.name)
        proto.dependency[:] = [renamed_file(d) for d in proto.dependency]
        if proto.package == "kurrentdbclient.status":
            proto.package = "google.rpc"
        for message in proto.message_type:
            rename_types(message)
        files.file.append(proto)

    for module in MODULES:
        add(importlib.import_module(module).DESCRIPTOR)
    with open(out_path, "wb") as out:
        out.write(files.SerializeToString())
    for f in files.file:
        print(f.name, f.package, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
