#!/bin/sh
# no-mutable-globals.sh OBJECT... — libmamori keeps no global mutable state:
# everything lives in a mamori_ctx or an object the caller owns.  Fails if
# any object file defines a symbol in .data or .bss (const tables, even with
# relocations, live in .rodata / .data.rel.ro and are fine).
status=0
for o in "$@"; do
  objdump -t "$o" | awk -v f="$o" '
    # names starting with "__" are the sanitizers' and the compiler's own
    $0 ~ /[ \t](\.data|\.bss)[ \t]/ && $NF !~ /^\./ && $NF !~ /^__/ { print f ": writable global: " $NF; bad = 1 }
    END { exit bad }' || status=1
done
[ $status -eq 0 ] && echo "no writable globals in $# objects"
exit $status
