#!/usr/bin/env bash
# Regenerates the Go code for rampart.proto. Needs protoc (3.21+) and the two Go plugins:
#   go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
#   go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
# The generated files are committed, so only run this after changing rampart.proto.
set -euo pipefail

cd "$(dirname "$0")"
PATH="$(go env GOPATH)/bin:$PATH"

for tool in protoc protoc-gen-go protoc-gen-go-grpc; do
	if ! command -v "$tool" >/dev/null; then
		echo "generate.sh: $tool not found; see the install commands at the top of this script" >&2
		exit 1
	fi
done

protoc \
	--proto_path=. \
	--go_out=. --go_opt=paths=source_relative \
	--go-grpc_out=. --go-grpc_opt=paths=source_relative \
	rampart.proto
