#!/bin/bash
# Regenerates the Swift of the EventStoreDB / KurrentDB client protocol (gRPC v1) that Wharf
# serves (issue 20). The output is committed; the build never runs protoc or a build plugin.
#
# Where the definitions come from (never from the server's source-available repository):
#   - shared, status, code, streams, persistent, gossip: the descriptors compiled into the PyPI
#     package kurrentdbclient 1.3.5 (BSD-3-Clause), dumped by dump-descriptors.py (which only
#     renames files and moves Status back to package google.rpc; see there);
#   - serverfeatures.proto: written by hand (this directory).
#
# Tools, built OUTSIDE the repository in a scratch directory (release):
#   protoc                  libprotoc 3.21.12 (Debian bookworm's protobuf-compiler)
#   protoc-gen-grpc-swift-2 grpc/grpc-swift-protobuf 2.4.1  (swift build -c release --product protoc-gen-grpc-swift-2)
#   protoc-gen-swift        apple/swift-protobuf 1.39.0, as resolved by that checkout (--product protoc-gen-swift)
#
# Usage: PLUGINS=/path/to/.build/release Tools/esdb-codegen/gen-protos.sh   (from the repository root,
#        with `pip install kurrentdbclient==1.3.5` done)
set -euo pipefail
: "${PLUGINS:?set PLUGINS to the directory holding protoc-gen-swift and protoc-gen-grpc-swift-2}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

python3 -c 'import importlib.metadata as m; v = m.version("kurrentdbclient"); assert v == "1.3.5", v'
python3 "$here/dump-descriptors.py" "$scratch/kurrentdbclient.pb"

protos=(shared.proto code.proto status.proto streams.proto persistent.proto gossip.proto serverfeatures.proto)
services=(streams.proto persistent.proto gossip.proto serverfeatures.proto)
out="$root/Sources/WharfESDBProtocol"
tests="$root/Tests/WharfESDBServerTests/Generated"
rm -f "$out"/*.pb.swift "$out"/*.grpc.swift "$tests"/*.grpc.swift
mkdir -p "$out" "$tests"

# Messages and server stubs, public: WharfESDBServer (and the test target) use them.
protoc --descriptor_set_in="$scratch/kurrentdbclient.pb" -I "$here" \
  --plugin=protoc-gen-swift="$PLUGINS/protoc-gen-swift" \
  --swift_opt=Visibility=Public,FileNaming=DropPath \
  --swift_out="$out" \
  "${protos[@]}"
protoc --descriptor_set_in="$scratch/kurrentdbclient.pb" -I "$here" \
  --plugin=protoc-gen-grpc-swift-2="$PLUGINS/protoc-gen-grpc-swift-2" \
  --grpc-swift-2_opt=Visibility=Public,Server=true,Client=false,FileNaming=DropPath \
  --grpc-swift-2_out="$out" \
  "${services[@]}"

# Client stubs for the tests only, importing the messages from WharfESDBProtocol.
cat > "$scratch/modules.asciipb" <<MAP
$(for p in "${protos[@]}"; do printf 'mapping { module_name: "WharfESDBProtocol" proto_file_path: "%s" }\n' "$p"; done)
MAP
protoc --descriptor_set_in="$scratch/kurrentdbclient.pb" -I "$here" \
  --plugin=protoc-gen-grpc-swift-2="$PLUGINS/protoc-gen-grpc-swift-2" \
  --grpc-swift-2_opt=Visibility=Internal,Server=false,Client=true,FileNaming=DropPath,ProtoPathModuleMappings="$scratch/modules.asciipb" \
  --grpc-swift-2_out="$tests" \
  "${services[@]}"
# The generator imports only other files' modules; the messages of the service's own file live
# in WharfESDBProtocol too.
for f in "$tests"/*.grpc.swift; do
  sed -i 's/^import GRPCProtobuf$/import GRPCProtobuf\nimport WharfESDBProtocol/' "$f"
  mv "$f" "${f%.grpc.swift}+Client.grpc.swift"
done
echo "generated into $out and $tests"
