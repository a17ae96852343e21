#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a while on a copy of its seed
# corpus. Exits non-zero if any target crashed, leaked, timed out or ran out of memory, and
# prints how to reproduce it. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(
    FuzzBencode FuzzMetainfo FuzzPeerWire FuzzTrackerRequest FuzzTrackerResponse
    FuzzTar FuzzGzip FuzzArchiveIndex FuzzHostsFile FuzzDeployfile FuzzPeerJob
)

# Longest input per target: room for the largest seed and what the format needs.
max_len() {
    case "$1" in
        FuzzTar | FuzzPeerWire | FuzzTrackerRequest) echo 16384 ;;
        FuzzGzip | FuzzDeployfile) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

usage() {
    cat <<EOF
usage: scripts/fuzz.sh [--time SECONDS] [TARGET...]
       scripts/fuzz.sh --seeds

Builds the fuzz package in Fuzz/ (release, libFuzzer and AddressSanitizer) and runs each
TARGET for SECONDS (default 30) on a temporary copy of Fuzz/Corpus/TARGET, one at a time.
The committed corpus never changes. Prints one summary line per target, and exits 1 if any
target crashed, leaked, timed out or ran out of memory; the failing input is kept in a
temporary directory whose path is printed with the command that reproduces it.

Targets (default: all): ${all_targets[*]}

  --time SECONDS   how long to fuzz each target (default 30)
  --seeds          rewrite the generated seeds in Fuzz/Corpus from the project's writers
  -h, --help       show this text
EOF
}

seconds=30
seeds=0
targets=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --time)
            [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || { echo "fuzz: --time needs a number of seconds" >&2; exit 2; }
            seconds=$2
            shift 2
            ;;
        --seeds) seeds=1; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) echo "fuzz: unknown option $1 (see --help)" >&2; exit 2 ;;
        *)
            [[ " ${all_targets[*]} " == *" $1 "* ]] || { echo "fuzz: unknown target $1; targets: ${all_targets[*]}" >&2; exit 2; }
            targets+=("$1")
            shift
            ;;
    esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
# Each target once, in the order given.
mapfile -t targets < <(printf '%s\n' "${targets[@]}" | awk '!seen[$0]++')

# libFuzzer ships with the Swift toolchain; zlib and pkg-config come from install-deps.sh.
toolchain=$(dirname "$(dirname "$(command -v swift)")")
if ! compgen -G "$toolchain/lib/clang/*/lib/*/libclang_rt.fuzzer*.a" >/dev/null; then
    echo "fuzz: this Swift toolchain ($toolchain) has no libFuzzer (libclang_rt.fuzzer); use a swift.org toolchain" >&2
    exit 1
fi
if ! pkg-config --exists zlib 2>/dev/null; then
    scripts/install-deps.sh
fi

# -parse-as-library: libFuzzer brings main. The -Xcc flags instrument C dependencies (libyaml)
# too, so the fuzzer sees their branches and AddressSanitizer their memory.
build_flags=(
    -c release
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
    -Xcc -fsanitize=fuzzer-no-link,address
)
# One product at a time: building the package as a whole would build the main package's
# executables too.
build() {
    local product log
    log=$(mktemp "${TMPDIR:-/tmp}/swarmdeploy-fuzz-build.XXXXXX")
    # SwiftPM keeps the main package's file list in this build plan and misses files added
    # there since the last fuzz build; planning again costs seconds, compiling stays incremental.
    rm -f Fuzz/.build/release.yaml
    for product in "$@"; do
        if ! swift build --package-path Fuzz "${build_flags[@]}" --product "$product" >"$log" 2>&1; then
            tail -n 40 "$log"
            rm -f "$log"
            echo "fuzz: building $product failed" >&2
            exit 1
        fi
    done
    rm -f "$log"
}

if [[ $seeds == 1 ]]; then
    echo "== fuzz: writing seeds into Fuzz/Corpus"
    build FuzzSeeds
    Fuzz/.build/release/FuzzSeeds "$PWD" Fuzz/Corpus
    exit 0
fi

echo "== fuzz: building ${targets[*]}"
start=$(date +%s)
build "${targets[@]}"
echo "fuzz: built in $(($(date +%s) - start)) s"

work=$(mktemp -d "${TMPDIR:-/tmp}/swarmdeploy-fuzz.XXXXXX")
artifacts=$(mktemp -d "${TMPDIR:-/tmp}/swarmdeploy-fuzz-crashes.XXXXXX")
cleanup() {
    rm -rf "$work"
    rmdir "$artifacts" 2>/dev/null || true
}
trap cleanup EXIT

failed=0
for target in "${targets[@]}"; do
    corpus=$work/$target/corpus
    mkdir -p "$corpus" "$work/$target/tmp"
    cp -R "Fuzz/Corpus/$target/." "$corpus/"
    options=(
        -max_total_time="$seconds" -max_len="$(max_len "$target")"
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$target-"
    )
    [[ -f Fuzz/Dictionaries/$target.dict ]] && options+=(-dict="Fuzz/Dictionaries/$target.dict")
    log=$work/$target/log
    status=0
    began=$(date +%s)
    # The fuzzer's own scratch files go below $work, so a crash leaves nothing behind. The
    # Swift runtime's backtracer stays off: libFuzzer prints the stack, and the backtracer's
    # memory reads set off AddressSanitizer.
    TMPDIR=$work/$target/tmp SWIFT_BACKTRACE=enable=no "Fuzz/.build/release/$target" "${options[@]}" "$corpus" >"$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - began))

    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
    files=$(find "$corpus" -type f | wc -l)
    reproducer=$(grep -oE 'Test unit written to .*' "$log" | tail -n 1 | sed 's/^Test unit written to //' || true)
    if [[ $status == 0 && -z $reproducer ]]; then
        result=ok
    else
        failed=1
        kind=$(grep -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-z-]+|Fatal error: .*|fuzz invariant broken: .*' "$log" | head -n 1 || true)
        result="FAILED (exit $status${kind:+: $kind})"
        # From the first report of the failure: its cause and stack.
        first=$(grep -n -m 1 -E 'Fatal error|==[0-9]+==ERROR|ERROR: libFuzzer|fuzz invariant broken' "$log" | cut -d: -f1 || true)
        echo "---- $target: the fuzzer's report"
        tail -n +"${first:-1}" "$log" | grep -v -E '^  (Addressable|Partially|Heap|Freed|Stack|Global|Poisoned|Container|Array|Intra|ASan|Left|Right|Shadow)' | head -n 50 || true
        echo "----"
    fi
    echo "$target: ${runs:-0} executions (${rate:-0}/s) in ${elapsed} s, ${coverage:-cov: ? ft: ?}, corpus ${files} files; $result"
    if [[ -n $reproducer ]]; then
        echo "$target: reproduce with: Fuzz/.build/release/$target $reproducer"
    fi
done

if [[ $failed == 1 ]]; then
    echo "fuzz: failing inputs kept in $artifacts"
    exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds} s each without a failure"
