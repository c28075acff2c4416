# POSIX sh, sourced by sim/bin/test and sim/bin/cat with TOOL (test or cat) and self (the script's real path)
# set: answers the quick host probes the action makes (`test -e|-f|-d|-L PATH`, `cat PATH`) at the speed of the
# real programs, and hands everything else to the Node simulator (host-tools.mjs, through cli.mjs). Real `test`
# and `cat` exit in about a millisecond; Node takes tens of milliseconds to start, and a simulator that slow hid
# a race in the action's command runner (a child exiting before its stdin was written).
#
# What the fast path does is what host-tools.mjs's runHostTool does for the same call, no more and no less
# (test/sim-host.test.ts checks that the answers and the call log agree):
# - a system path (/etc/, /var/snap/, /root/, /snap/, /sys/kernel/security and below) is the same path under
#   the state's `root`, as host.mjs's hostPath maps it; that is a plain prefix only when neither contains `//`,
#   `.` or `..` components, so any such path goes to Node, as does anything with a character JSON would escape;
# - the file is answered by the shell's `test` (the same stat/lstat as /usr/bin/test) or by the first real `cat`
#   on PATH after the simulator's own, as runMapped runs it (same program, so the same messages);
# - `test` and `cat` first let the background work run (cluster.mjs's runBackground: containerd's sideload
#   plugin, the launch configuration watcher). It has something to do only while its input files exist
#   (`$SNAP_COMMON/etc/sideload/*.tar`, `$SNAP_COMMON/etc/launcher/install.yaml`), so then Node answers;
# - the call is logged as runHostTool logs it: one JSON line in calls.jsonl beside the state, same fields and
#   order. Host tools take no injected faults and no latency (only snap and microk8s do), so there is nothing
#   else to record.

probe_safe() { # $1 has only characters JSON writes as they are, and is not empty
  case $1 in '' | *[!A-Za-z0-9._/+:@,=~%-]*) return 1 ;; esac
}
probe_plain() { # $1 is absolute with no `//`, `.` or `..` component: path.join leaves it as it is
  case $1 in /*) ;; *) return 1 ;; esac
  case $1 in *//* | */./* | */../* | */. | */..) return 1 ;; esac
}
probe_now() { # epoch milliseconds in ms; fails when no clock answers in digits
  ms=
  t=${EPOCHREALTIME:-}
  if [ -n "$t" ]; then
    f=${t#*[.,]}
    ms=${t%[.,]*}${f%"${f#???}"}
  else
    ms=$(date +%s%3N 2>/dev/null)
  fi
  case $ms in '' | *[!0-9]*) return 1 ;; esac
}

probe_fast() {
  probe_op= probe_file=
  case $TOOL:$#:${1-} in
    test:2:-e | test:2:-f | test:2:-d | test:2:-L) probe_op=$1 probe_file=$2 ;;
    cat:1:-*) return 1 ;;
    cat:1:*) probe_file=$1 ;;
    *) return 1 ;;
  esac
  probe_state=${MICROK8S_SIM_STATE:-}
  probe_safe "$probe_state" && probe_plain "$probe_state" && probe_safe "$probe_file" || return 1
  # The simulation's root: the state file's first field (scenario.mjs's buildState writes it first).
  { read -r _ && read -r probe_line; } <"$probe_state" 2>/dev/null || return 1
  case $probe_line in '"root": "'*'",') ;; *) return 1 ;; esac
  probe_root=${probe_line#'"root": "'}
  probe_root=${probe_root%'",'}
  probe_safe "$probe_root" && probe_plain "$probe_root" || return 1
  case $probe_root in */) return 1 ;; esac
  case $probe_file in
    /etc/* | /var/snap/* | /root/* | /snap/* | /sys/kernel/security | /sys/kernel/security/*)
      probe_plain "$probe_file" || return 1
      probe_mapped=$probe_root$probe_file
      ;;
    *) probe_mapped=$probe_file ;;
  esac
  # Background work pending: Node runs it (and then answers).
  probe_etc=$probe_root/var/snap/microk8s/common/etc
  [ -e "$probe_etc/launcher/install.yaml" ] || [ -L "$probe_etc/launcher/install.yaml" ] && return 1
  for probe_tar in "$probe_etc/sideload/"*.tar "$probe_etc/sideload/".*.tar; do
    [ -e "$probe_tar" ] || [ -L "$probe_tar" ] && return 1
  done
  if [ "$TOOL" = cat ]; then
    probe_program=
    probe_ifs=$IFS
    set -f
    IFS=:
    for probe_dir in $PATH; do
      [ -n "$probe_dir" ] || continue
      if [ -x "$probe_dir/cat" ] && ! [ "$probe_dir/cat" -ef "$self" ]; then
        probe_program=$probe_dir/cat
        break
      fi
    done
    IFS=$probe_ifs
    set +f
    [ -n "$probe_program" ] || return 1
  fi
  probe_now || return 1
  probe_start=$ms

  # From here on the probe is answered: no way back to Node.
  if [ "$TOOL" = test ]; then
    test "$probe_op" "$probe_mapped"
    probe_exit=$?
    probe_args="\"$probe_op\",\"$probe_file\""
  else
    "$probe_program" "$probe_mapped"
    probe_exit=$?
    probe_args="\"$probe_file\""
  fi
  # The end: a clock that costs nothing (bash's EPOCHREALTIME) is read again; `date` only after a cat, which
  # takes time of its own (a `test` builtin ends within the millisecond it started).
  if [ -n "${EPOCHREALTIME:-}" ] || [ "$TOOL" = cat ]; then probe_now || ms=$probe_start; fi
  probe_sudo=false
  [ "${MICROK8S_SIM_VIA_SUDO:-}" = 1 ] && probe_sudo=true
  printf '{"tool":"%s","args":[%s],"sudo":%s,"spawned":%s,"start":%s,"end":%s,"simSeconds":0,"exit":%s}\n' \
    "$TOOL" "$probe_args" "$probe_sudo" "$probe_start" "$probe_start" "$ms" "$probe_exit" \
    >>"${probe_state%/*}/calls.jsonl"
  exit "$probe_exit"
}

probe_fast "$@"
exec node "${self%/*}/../lib/cli.mjs" "$TOOL" "$@"
