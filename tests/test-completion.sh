#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Suite "data": the bash completion of loomctl (data/completion/loomctl),
# sourced and asked as bash would ask it, against the real loomctl.
#   test-completion.sh COMPLETION_FILE LOOMCTL

set -u

completion=$1
loomctl=$2
n=0
failed=0

tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp/run XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
PATH=$(dirname "$loomctl"):$PATH
cleanup ()
{
  "$loomctl" cluster stop --profile comp >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=/dev/null
source "$completion"

# complete LINE: COMPREPLY for the last word of LINE (a trailing space
# starts an empty word), sorted and on one line.
complete_line ()
{
  local line=$1
  read -r -a COMP_WORDS <<< "$line"
  [[ $line == *' ' ]] && COMP_WORDS+=('')
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE=$line
  COMP_POINT=${#line}
  COMPREPLY=()
  _loomctl loomctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>"$tmp/stderr"
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

# check NAME LINE EXPECTED
check ()
{
  local got
  n=$((n + 1))
  got=$(complete_line "$2")
  if [[ $got == "$3" && ! -s $tmp/stderr ]]; then
    echo "ok $n - $1"
  else
    echo "not ok $n - $1: “$2” gave “$got”, expected “$3”"
    [[ -s $tmp/stderr ]] && sed 's/^/# stderr: /' "$tmp/stderr"
    failed=1
  fi
}

check commands 'loomctl clu' 'cluster'
check cluster-subcommands 'loomctl cluster s' 'start status stop'
check engines-subcommands 'loomctl engines ' 'add stop'
check map-profile-option 'loomctl map --pro' '--profile'
check export-formats 'loomctl export 1 --format p' 'pdf png'
check scheme-values 'loomctl cluster start --scheme l' 'leastload lru'
check launcher-names 'loomctl cluster start --launcher s' 'sge slurm ssh'
check launcher-names-add 'loomctl engines add 4 --launcher=p' 'pbs'
check slurm-modes 'loomctl cluster start --launcher slurm --slurm-mode ' 'group job'
mkdir -p "$XDG_CONFIG_HOME/loom/launchers"
touch "$XDG_CONFIG_HOME/loom/launchers/mysite.json"
check launcher-user-template 'loomctl cluster start --launcher m' 'mpi mysite'
rm -f "$XDG_CONFIG_HOME/loom/launchers/mysite.json"
check bench-timeline 'loomctl bench --ti' '--timeline'
check bench-scale 'loomctl bench --sc' '--scale'
check run-after-dashes 'loomctl run --sweep x=1,2 -- --pro' ''

mkdir -p "$XDG_RUNTIME_DIR/loom"
touch "$XDG_RUNTIME_DIR/loom/lab.json" "$XDG_RUNTIME_DIR/loom/lab.lock" "$XDG_RUNTIME_DIR/loom/big.json"
check profiles 'loomctl jobs --profile ' 'big lab'
check profiles-short 'loomctl ids -p l' 'lab'
rm -f "$XDG_RUNTIME_DIR/loom/lab.json" "$XDG_RUNTIME_DIR/loom/lab.lock" "$XDG_RUNTIME_DIR/loom/big.json"

# No cluster: no job ids, and nothing on stderr.
check no-cluster-no-jobs 'loomctl show ' ''

# A real cluster's jobs.
if "$loomctl" cluster start -n 1 --profile comp >/dev/null &&
   "$loomctl" map noop --sweep x=1,2 --profile comp >/dev/null &&
   "$loomctl" map noop --sweep x=3 --profile comp >/dev/null; then
  check job-ids 'loomctl get --profile comp ' '1 2'
  check job-ids-prefix 'loomctl abort --profile comp 2' '2'
  check job-ids-default-profile 'loomctl show ' ''
else
  n=$((n + 1)); echo "not ok $n - could not start a cluster"; failed=1
fi

# Every long option of every command's --help is completed.
for command in 'cluster start' 'cluster stop' 'cluster status' 'engines add' 'engines stop' \
               ids map run compare ready get jobs 'jobs purge' show abort export bench seed; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  expected=$("$loomctl" $command --help | grep -o -- '--[a-z][a-z-]*' | sort -u | tr '\n' ' ' | sed 's/ $//')
  got=$(complete_line "loomctl $command --" | tr ' ' '\n' | grep -- '^--' | sort -u | tr '\n' ' ' | sed 's/ $//')
  if [[ -n $expected && $got == "$expected" ]]; then
    echo "ok $n - options of $command"
  else
    echo "not ok $n - options of $command: completed “$got”, --help lists “$expected”"
    failed=1
  fi
done

echo "1..$n"
exit $failed
