#!/bin/sh
# decimal-crosscheck.sh -- make check: a quick seeded run of
# scripts/decimal-crosscheck (5,000 random operations) against dec_calc.
# Skipped (exit 77) when python3 is missing.
: "${top_srcdir:=.}" "${top_builddir:=.}"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
exec python3 "$top_srcdir/scripts/decimal-crosscheck" --count 5000 --seed 20261127 \
	--calc "$top_builddir/tests/unit/dec_calc"
