#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Suite "data": every long option a program's --help lists is in its man
# page, and every command of loomctl --help too.
#   check-options.sh PAGE PROGRAM [COMMAND…]
# With COMMANDs (loomctl's), each "PROGRAM COMMAND --help" is read.

set -u

page=$1
program=$2
shift 2
n=0
failed=0
# The page's text with roff's escaped hyphens plain.
text=$(sed 's/\\-/-/g' "$page")

check ()
{
  n=$((n + 1))
  if grep -qF -- "$2" <<< "$text"; then
    echo "ok $n - $1 $2"
  else
    echo "not ok $n - $1: $2 is not in ${page##*/}"
    failed=1
  fi
}

options_of ()
{
  "$program" "$@" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u
}

if [ $# -eq 0 ]; then
  for option in $(options_of --help-all); do
    check "${program##*/}" "$option"
  done
else
  for command in "$@"; do
    check "${program##*/}" "$command"
    # shellcheck disable=SC2086
    for option in $(options_of $command); do
      check "${program##*/} $command" "$option"
    done
  done
  # No command of --help is left out of the list given here.
  while read -r command; do
    n=$((n + 1))
    case " $* " in
      *" $command "*) echo "ok $n - $command is checked" ;;
      *) echo "not ok $n - loomctl --help lists $command, which is not checked"; failed=1 ;;
    esac
  done < <("$program" --help | sed -n 's/^  \([a-z]\+\( [a-z]\+\)\?\)\( [A-Z[|-].*\)\?  .*/\1/p' | sed 's/ *$//')
fi

echo "1..$n"
exit $failed
