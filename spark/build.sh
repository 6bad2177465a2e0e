#!/usr/bin/env bash
# Builds the Spark application (spark/pom.xml) on top of the plugin jar in ../target; called by the root pom's
# pre-integration-test phase and by ./ldm spark. $1: "--offline=true" to build offline (Maven's -o).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
offline=()
[ "${1:-}" = --offline=true ] && offline=(-o)
# target/classes also holds the plugin jar's classes of the last build (copied there for the shade step): a stale copy
# would shadow the plugin jar's new classes when the application compiles
rm -rf "$here/target/classes"
mvn -B -q -Dstyle.color=never "${offline[@]}" -f "$here/pom.xml" package
