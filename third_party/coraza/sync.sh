#!/usr/bin/env bash
# Rebuilds src/ from the upstream Coraza release plus the patches in patches/, so the tree
# we build is always "upstream $VERSION + these diffs" and nothing else (see README.md).
#
#   ./sync.sh          rebuild src/
#   ./sync.sh -check   fail when src/ differs from what the script would produce (make lint)
#   ./sync.sh -test    run upstream's own test suite on the patched tree (make coraza-test)
set -euo pipefail
cd "$(dirname "$0")"

VERSION=v3.8.1
MODULE=github.com/corazawaf/coraza/v3
mode=${1:-}

upstream=$(cd /tmp && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$upstream" ] || { echo "sync.sh: cannot download $MODULE@$VERSION" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$upstream" "$work/full"
chmod -R u+w "$work/full"
for p in patches/*.diff; do
	patch --quiet -p1 -d "$work/full" <"$p" || { echo "sync.sh: $p does not apply to $VERSION" >&2; exit 1; }
done

if [ "$mode" = "-test" ]; then
	cd "$work/full"
	GOWORK=off GOFLAGS=-mod=mod go test ./internal/... ./experimental/... ./types/... .
	exit
fi

# Only what the library needs to build: no tests, test data, docs, examples or build tooling.
mkdir "$work/src"
(cd "$work/full" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum -o -name LICENSE \) \
	! -name '*_test.go' ! -path '*/testdata/*' ! -path './testing/*' ! -path './http/e2e/*' \
	! -path './docs/*' ! -name 'mage*.go' -print0 | xargs -0 cp --parents -t "$work/src")

if [ "$mode" = "-check" ]; then
	diff -r "$work/src" src >/dev/null || { echo "third_party/coraza/src differs from upstream $VERSION + patches/: run third_party/coraza/sync.sh" >&2; exit 1; }
	exit 0
fi
rm -rf src
cp -r "$work/src" src
echo "src/ = $MODULE@$VERSION + $(ls patches/*.diff | wc -l) patches"
