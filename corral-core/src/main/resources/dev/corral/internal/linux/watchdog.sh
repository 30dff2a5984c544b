# Corral's parent-death guard (see Watchdog.java). It reads its pipe from the JVM until end of
# file, which comes when the JVM ends, however it ends; then it ends every run the JVM started.
# The first three lines: the marker prefix of the JVM's runs, or an empty line (/proc is not its
# pid namespace's: no sweep); the JVM's cgroup directory, or an empty line; the spawn gate's
# directory, or an empty line. Then, one line each: "KEY SIGNAL GRACE_MS" for a run whose stop
# differs from TERM and 2 s (KEY: N for cgroup run-N, m<marker suffix> for a process-group run),
# "x KEY" when such a group run is over, and "- PID" for each process a run left running on
# purpose.
#
# At end of file it stops all runs at once, so that a thousand runs take hardly longer than one:
# 1. It freezes the JVM's cgroup directory (the freeze is recursive): frozen members can neither
#    fork nor exit on their own, so each pid listed is still theirs when it is signalled. Each
#    run-N's members get its stop signal and SIGCONT; a run told signal 9 or grace 0 gets
#    cgroup.kill. Then it thaws.
# 2. One grep finds every process carrying a marker of this JVM: those outside the run cgroups
#    (process-group runs) get their run's stop signal, and so do the processes without a marker
#    in their groups and sessions (one sed reads those processes' stat).
# 3. It checks once a tick whether anything is left, and ends each run whose grace is over
#    (cgroup.kill, or SIGKILL to its marked processes and the groups they lead).
# 4. After the longest grace, or once nothing is left: cgroup.kill of the JVM's directory, SIGKILL
#    to whatever still carries a marker, and the cgroups are removed.
# Per run and per process only builtins run, and each process is signalled once. dash's read
# takes one byte per system call, so per run and per tick it reads only short files
# (cgroup.procs, cgroup.events, /proc/uptime); grep and sed read /proc. Forks are a few per tick.
# A child caught at the gate when the JVM died would wait there forever, holding the dead JVM's
# memory: opening the FIFO read-write lets it exec, and the marker sweep then ends it.
trap '' HUP INT QUIT TERM PIPE TSTP TTIN TTOU
IFS= read -r wd_prefix && IFS= read -r wd_cg && IFS= read -r wd_gate || exit 0
kept=
while read -r n s g; do
  case $n in
    -) eval "keep_$s=1"; kept=1 ;;
    x) eval "unset sig_$s grace_$s" ;;
    *) case $s$g in *[!0-9]*) ;; *) eval "sig_$n=$s grace_$n=$g" ;; esac ;;
  esac
done
# From here on, a process or cgroup gone meanwhile is no news.
exec 2>/dev/null
# Byte-wise matching: faster, and the same in every locale.
LC_ALL=C
export LC_ALL
# This process's pid as /proc shows it: $$ is the launcher's when it sources this script.
read -r wd_self _ < /proc/self/stat
# Markers are hex: anything else (an empty prefix above all) must not reach grep's pattern.
case $wd_prefix in *[!0-9a-f-]*) wd_prefix= ;; esac
[ -n "$wd_cg" ] && [ -d "$wd_cg" ] || wd_cg=
wd_name=${wd_cg##*/}

# $ms: milliseconds of uptime, a clock that costs no fork.
clock() {
  read -r up _ < /proc/uptime
  ms=$((${up%.*} * 1000 + 1${up#*.}0 - 1000))
}

# Whether cgroup $1 has a live member ("populated" ignores zombies).
populated() {
  while read -r k v; do
    [ "$k" = populated ] && { [ "$v" = 1 ]; return; }
  done < "$1/cgroup.events"
  return 1
}

# Whether cgroup $1 is frozen, or empty.
frozen() {
  while read -r k v; do
    case $k:$v in populated:0|frozen:1) return 0 ;; esac
  done < "$1/cgroup.events"
  return 1
}

# SIGKILL to every member of cgroup $1. Before Linux 5.14 (no cgroup.kill), to each member of
# it and of its child cgroups by pid, frozen; the marker sweeps catch the rest.
cgkill() {
  echo 1 > "$1/cgroup.kill" && return
  echo 1 > "$1/cgroup.freeze"
  for f in "$1/cgroup.procs" "$1"/*/cgroup.procs; do
    while read -r p; do kill -9 "$p"; done < "$f"
  done
  echo 0 > "$1/cgroup.freeze"
}

# Grace $2 is one to wait for: list $1 is "graces" for cgroup runs, "ggraces" for group runs.
due() {
  eval "l=\" \$$1 \""
  case $l in *" $2 "*) ;; *) eval "$1=\"\$$1 $2\"" ;; esac
}

# Whether pid $1 is a process of a process-group run: not this shell, not left running on
# purpose, and not in a run cgroup (those were listed while frozen; a process forked since is
# looked up in /proc, which only a JVM with both kinds of runs needs).
ingroup() {
  [ "$1" = "$wd_self" ] && return 1
  eval "k=\${keep_$1-} c=\${cg_$1-}"
  [ -z "$k" ] || return 1
  if [ -z "$c" ]; then
    c=0
    if [ -n "$cgseen" ]; then
      while IFS= read -r line; do
        case $line in 0::*/"$wd_name"/*) c=1 ;; esac
      done < "/proc/$1/cgroup"
    fi
    eval "cg_$1=$c"
  fi
  [ "$c" = 0 ]
}

# One sweep over the processes of this JVM's process-group runs. $1 "stop": each gets its run's
# stop signal and SIGCONT, once, or SIGKILL if the run was told signal 9 or grace 0; so do the
# processes without a marker in the group or session of one of them, as GroupTree finds members.
# $1 a number of milliseconds: those whose run's grace is no longer get SIGKILL. SIGKILL goes to
# the group a process leads too (a member may get it twice): that group is its own, as a group's
# id is its creator's pid, which the kernel does not reuse while the group lives ("kill -9 -PID"
# fails harmlessly for a process that leads none). Sets $found if it met any.
sweep() {
  found= kills= terms=
  [ -n "$wd_prefix" ] || return
  list=$(grep -asozH -m 1 "^CORRAL_RUN=$wd_prefix[0-9a-f]*" /proc/[0-9]*/environ | tr '\0' '\n')
  for e in $list; do
    p=${e#/proc/}
    p=${p%%/*}
    eval "c=\${cg_$p-}"
    [ "$c" != 1 ] || continue
    n=-
    ingroup "$p" && n=m${e#*:CORRAL_RUN="$wd_prefix"}
    [ "$1" != stop ] || eval "mk_$p=$n"
    [ "$n" != - ] || continue
    found=1
    eval "s=\${sig_$n:-15} g=\${grace_$n:-2000}"
    if [ "$1" != stop ]; then
      [ "$g" -le "$1" ] && kills="$kills -$p $p"
    elif [ "$s" = 9 ] || [ "$g" = 0 ]; then
      kills="$kills -$p $p"
    else
      [ "$g" = "$last" ] || due ggraces "$g"
      last=$g
      if [ "$s" = 15 ]; then
        terms="$terms $p"
      else
        kill -"$s" "$p"
        kill -CONT "$p"
      fi
    fi
  done
  # One kill for many pids, so that the loop does not compete with exits for the CPUs. A pid
  # that grep saw marked is still that process's: pids are handed out cyclically, so one freed
  # since is not reused within the fraction of a second a sweep takes.
  [ -z "$kills" ] || kill -9 $kills
  [ -z "$terms" ] || { kill -15 $terms; kill -CONT $terms; }
  [ "$1" = stop ] && [ -n "$found" ] || return 0
  # The others' group and session, read from /proc/PID/stat by one sed as "PID:PGID:SID"; the
  # comm field ends at the last ") ". A group or session id that is a marked process's pid is its
  # own: the kernel does not reuse a pid while a group or session has it as id.
  stats=
  for d in /proc/[0-9]*; do
    eval "m=\${mk_${d#/proc/}-}\${cg_${d#/proc/}-}"
    [ -n "$m" ] || stats="$stats $d/stat"
  done
  re='s/^\([0-9]*\) .*) . [0-9]* \([0-9]*\) \([0-9]*\) .*/\1:\2:\3/p'
  for w in $(sed -n "$re" /dev/null $stats); do
    p=${w%%:*}
    w=${w#*:}
    eval "n=\${mk_${w%:*}-}"
    [ -n "$n" ] && [ "$n" != - ] || eval "n=\${mk_${w#*:}-}"
    [ -n "$n" ] && [ "$n" != - ] && ingroup "$p" || continue
    eval "s=\${sig_$n:-15} g=\${grace_$n:-2000}"
    if [ "$s" = 9 ] || [ "$g" = 0 ]; then
      kill -9 "$p"
    else
      kill -"$s" "$p"
      kill -CONT "$p"
    fi
  done
}

# Whether a process of a process-group run is left. Without processes to skip, grep stops at the
# first marked process it meets.
groupleft() {
  [ -n "$wd_prefix" ] || return
  if [ -z "$kept$cgseen" ]; then
    grep -qsz "^CORRAL_RUN=$wd_prefix" /proc/[0-9]*/environ
    return
  fi
  for f in $(grep -lsz "^CORRAL_RUN=$wd_prefix" /proc/[0-9]*/environ); do
    p=${f#/proc/}
    ingroup "${p%/environ}" && return 0
  done
  return 1
}

pause=
if [ -n "$wd_gate" ] && [ -p "$wd_gate/release" ]; then
  exec 3<>"$wd_gate/release" && exec 3>&-
  # The child needs a moment to exec and show its marker: taken while the cgroups freeze.
  sleep 0.05 &
  pause=$!
fi

graces= cgseen= groups= t0=0
if [ -n "$wd_cg" ]; then
  echo 1 > "$wd_cg/cgroup.freeze"
  calm=
  for i in 1 2 3 4 5 6 7 8 9 10; do
    frozen "$wd_cg" && calm=1 && break
    sleep 0.01
  done
  for d in "$wd_cg"/run-*; do
    [ -d "$d" ] || continue
    n=${d##*/run-}
    case $n in
      *[!0-9a-z]*) s=15 g=2000 ;;
      *) eval "s=\${sig_$n:-15} g=\${grace_$n:-2000}" ;;
    esac
    l=
    while read -r p; do
      eval "cg_$p=1"
      l=1
      [ "$s" = 9 ] || [ "$g" = 0 ] && continue
      kill -"$s" "$p"
      kill -CONT "$p"
    done < "$d/cgroup.procs"
    [ -n "$l" ] || continue
    cgseen=1
    if [ "$s" = 9 ] || [ "$g" = 0 ]; then
      cgkill "$d"
      continue
    fi
    # The JVM may have died while stopping this run, with it frozen.
    echo 0 > "$d/cgroup.freeze"
    due graces "$g"
    eval "runs_$g=\"\${runs_$g-} $n\""
  done
  # A freeze that did not complete (a member in D state) leaves the listing unsure.
  [ -n "$calm" ] || cgseen=1
  echo 0 > "$wd_cg/cgroup.freeze"
fi
# The cgroup runs' graces count from the thaw, when their members see the signals.
clock
t0=$ms
if [ -n "$pause" ]; then
  wait "$pause"
  # Once more for a child that reached the gate since; after the removal, one fails to spawn.
  exec 3<>"$wd_gate/release" && exec 3>&-
  rm -f "$wd_gate/release"
  rmdir "$wd_gate"
fi
ggraces= last=
sweep stop
groups=$found
# The group runs' graces count from here.
clock
t0g=$ms
while [ -n "$graces$ggraces" ]; do
  { [ -n "$wd_cg" ] && populated "$wd_cg"; } || { [ -n "$groups" ] && groupleft; } || break
  sleep 0.05
  clock
  over= rest=
  for g in $graces; do
    if [ "$g" -le $((ms - t0)) ]; then over="$over $g"; else rest="$rest $g"; fi
  done
  graces=$rest gover= rest=
  for g in $ggraces; do
    if [ "$g" -le $((ms - t0g)) ]; then gover=1; else rest="$rest $g"; fi
  done
  ggraces=$rest
  # The longest grace is over: the final kill below ends everything at once.
  [ -n "$graces$ggraces" ] || break
  for g in $over; do
    eval "l=\${runs_$g-}"
    for n in $l; do cgkill "$wd_cg/run-$n"; done
  done
  [ -n "$gover" ] && sweep $((ms - t0g))
done

[ -n "$wd_cg" ] && cgkill "$wd_cg"
# A process forked between a sweep's grep and its kill shows up in the next sweep.
if [ -n "$wd_prefix" ]; then
  for i in 1 2 3; do
    kills=
    for f in $(grep -lsz "^CORRAL_RUN=$wd_prefix" /proc/[0-9]*/environ); do
      p=${f#/proc/}
      p=${p%/environ}
      [ "$p" = "$wd_self" ] && continue
      eval "k=\${keep_$p-}"
      [ -z "$k" ] || continue
      kills="$kills -$p $p"
    done
    [ -n "$kills" ] || break
    kill -9 $kills
  done
fi
if [ -n "$wd_cg" ]; then
  for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    [ -d "$wd_cg" ] || break
    if ! populated "$wd_cg"; then
      find "$wd_cg" -depth -mindepth 1 -type d -exec rmdir {} +
      rmdir "$wd_cg" && break
    fi
    sleep 0.05
  done
  rmdir "${wd_cg%/*}"
fi
