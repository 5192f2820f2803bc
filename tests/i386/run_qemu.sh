#!/bin/bash
# Boot the umk i386 image in QEMU (TCG, never KVM) and judge the run by its
# serial output and exit status.
#
#   run_qemu.sh --exit N [--timeout S] [--expect TEXT]... [--reject TEXT]...
#               [--stop-when-expected] -- QEMU-ARGS...
#
# --stop-when-expected: for boots that never end by themselves (no `test`
# verdict, e.g. etc/boot.conf): stop QEMU as soon as every --expect text is
# on serial, and count that as exit status 0.
#
# QEMU-ARGS may contain "-initrd @FILE": the module list is read from FILE
# (the sub-build writes it to initrd.txt). Always added: -serial stdio
# -display none -no-reboot -device isa-debug-exit (a written value v ends
# QEMU with status (v << 1) | 1; the kernel's pass value gives 33, a kernel
# panic 37, a triple fault with -no-reboot 0, our timeout 124).
# Prints the serial log, the measurements and the wall time of the boot.
set -u
want_exit=""
limit=60
expects=()
rejects=()
stop_when_expected=0
while [ $# -gt 0 ]; do
    case "$1" in
        --exit) want_exit=$2; shift 2 ;;
        --timeout) limit=$2; shift 2 ;;
        --expect) expects+=("$2"); shift 2 ;;
        --reject) rejects+=("$2"); shift 2 ;;
        --stop-when-expected) stop_when_expected=1; shift ;;
        --) shift; break ;;
        *) echo "run_qemu.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
args=()
while [ $# -gt 0 ]; do
    if [ "$1" = "-initrd" ] && [ "${2#@}" != "$2" ]; then
        list_file=${2#@}
        [ -r "$list_file" ] || { echo "run_qemu.sh: no module list $list_file (build first)"; exit 2; }
        # Leave out modules that were not built (a program borrowed from
        # elsewhere that stopped building for i386): the scenarios that need
        # them fail with "no boot module named ...", the others still run.
        modules=""
        IFS=',' read -r -a all_modules <<< "$(tr -d '\n' < "$list_file")"
        for mod in "${all_modules[@]}"; do
            if [ -e "$mod" ]; then
                modules="${modules:+$modules,}$mod"
            else
                echo "run_qemu.sh: warning: boot module $mod was not built; left out"
            fi
        done
        args+=(-initrd "$modules")
        shift 2
    else
        args+=("$1")
        shift
    fi
done
qemu=${UMK_QEMU:-qemu-system-i386}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

start=$(date +%s%N)
timeout --kill-after=5 "$limit" "$qemu" -m 128 -serial stdio -display none -monitor none \
    -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 "${args[@]}" \
    < /dev/null > "$log" 2>&1 &
qemu_pid=$!
if [ "$stop_when_expected" = 1 ]; then
    while kill -0 "$qemu_pid" 2> /dev/null; do
        all=1
        for e in "${expects[@]+"${expects[@]}"}"; do
            grep -a -q -F -- "$e" "$log" || { all=0; break; }
        done
        if [ "$all" = 1 ]; then
            sleep 0.2  # let a following line (a panic?) arrive too
            kill "$qemu_pid" 2> /dev/null
            wait "$qemu_pid"
            qemu_pid=""
            break
        fi
        sleep 0.1
    done
fi
if [ -n "$qemu_pid" ]; then
    wait "$qemu_pid"
    status=$?
else
    status=0  # stopped by us once everything expected was there
fi
end=$(date +%s%N)

tr -d '\r' < "$log"
echo "---- run_qemu.sh: QEMU exit status $status, wall time $(( (end - start) / 1000000 )) ms"
grep -a -E "measure:|bench:|ns per SENDREC" "$log" | tr -d '\r' | sed 's/^/---- measurement: /'

fail=0
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "FAIL: QEMU did not finish within ${limit}s"
    fail=1
fi
if [ -n "$want_exit" ] && [ "$status" != "$want_exit" ]; then
    echo "FAIL: exit status $status, expected $want_exit"
    fail=1
fi
for e in "${expects[@]+"${expects[@]}"}"; do
    if ! grep -a -q -F -- "$e" "$log"; then
        echo "FAIL: missing on serial: $e"
        fail=1
    fi
done
for r in "${rejects[@]+"${rejects[@]}"}"; do
    if grep -a -q -F -- "$r" "$log"; then
        echo "FAIL: unexpected on serial: $r"
        fail=1
    fi
done
[ "$fail" = 0 ] && echo "PASS"
exit "$fail"
