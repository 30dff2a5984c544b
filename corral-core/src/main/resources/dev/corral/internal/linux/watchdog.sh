# Corral's parent-death guard (see Watchdog.java). It reads its pipe from the JVM until end of
# file, which comes when the JVM ends, however it ends; then it ends every run the JVM started.
# The first three lines: the marker prefix of the JVM's runs; the JVM's cgroup directory, or an
# empty line; the spawn gate's directory, or an empty line. Then, one line each: "KEY SIGNAL
# GRACE_MS" for a run whose stop differs from TERM and 2 s (KEY: N for cgroup run-N,
# m<marker suffix> for a process-group run), "x KEY" when such a group run is over, and "- PID"
# for each process a run left running on purpose.
# A child caught at the gate when the JVM died would wait there forever, holding the dead JVM's
# memory: opening the FIFO read-write lets it exec, and the marker sweep below then ends it.
# Frozen members cannot exit, so their pids stay theirs while they are signalled by number;
# marked processes are signalled by number too, as they are found.
trap '' HUP INT QUIT TERM PIPE TSTP TTIN TTOU
IFS= read -r p1 && IFS= read -r p2 && IFS= read -r p3 || exit 0
set -- "$p1" "$p2" "$p3"
while read -r n s g; do
  case $n in
    -) eval "keep_$s=1" ;;
    x) eval "unset sig_$s grace_$s" ;;
    *) eval "sig_$n=$s grace_$n=$g" ;;
  esac
done
if [ -n "$3" ] && [ -p "$3/release" ]; then
  exec 3<>"$3/release" && exec 3>&-
  sleep 0.05
  rm -f "$3/release"
  rmdir "$3" 2>/dev/null
fi
if [ -n "$2" ] && [ -d "$2" ]; then
  wait=0
  for d in "$2"/run-*; do
    grep -qs 'populated 1' "$d/cgroup.events" || continue
    n=${d##*/run-}
    eval "s=\${sig_$n:-15} g=\${grace_$n:-2000}"
    [ "$s" = 9 ] || [ "$g" = 0 ] && continue
    echo 1 > "$d/cgroup.freeze"
    for i in 1 2 3 4 5 6 7 8 9 10; do
      grep -qs 'frozen 1' "$d/cgroup.events" && break
      sleep 0.01
    done
    for p in $(cat "$d/cgroup.procs"); do
      kill -"$s" "$p" 2>/dev/null
      kill -CONT "$p" 2>/dev/null
    done
    echo 0 > "$d/cgroup.freeze"
    [ "$g" -gt "$wait" ] && wait=$g
  done
  while [ "$wait" -gt 0 ] && grep -qs 'populated 1' "$2"/run-*/cgroup.events; do
    sleep 0.05
    wait=$((wait - 50))
  done
  for i in 1 2 3 4 5 6 7 8 9 10; do
    left=
    for d in "$2"/run-*; do
      [ -d "$d" ] || continue
      echo 1 > "$d/cgroup.kill" 2>/dev/null
      find "$d" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null
      rmdir "$d" 2>/dev/null || left=1
    done
    [ -z "$left" ] && break
    sleep 0.05
  done
  rmdir "$2" 2>/dev/null
  rmdir "${2%/*}" 2>/dev/null
fi
hit() {
  s0=$(cut -d' ' -f6 "/proc/$2/stat" 2>/dev/null)
  [ "$s0" = "$2" ] && kill -"$1" -- "-$2" 2>/dev/null
  kill -"$1" "$2" 2>/dev/null
}
marked() {
  for f in $(grep -lsz "^CORRAL_RUN=$1" /proc/[0-9]*/environ); do
    p=${f#/proc/}; p=${p%/environ}
    [ "$p" = "$$" ] && continue
    eval "kept=\${keep_$p:-}"; [ -n "$kept" ] && continue
    echo "$p"
  done
}
wait=0
for p in $(marked "$1"); do
  v=$(tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -m 1 "^CORRAL_RUN=")
  [ -n "$v" ] || continue
  n=m${v#CORRAL_RUN=$1}
  eval "s=\${sig_$n:-15} g=\${grace_$n:-2000}"
  [ "$s" = 9 ] || [ "$g" = 0 ] && continue
  hit "$s" "$p"
  kill -CONT "$p" 2>/dev/null
  [ "$g" -gt "$wait" ] && wait=$g
done
while [ "$wait" -gt 0 ] && [ -n "$(marked "$1")" ]; do
  sleep 0.05
  wait=$((wait - 50))
done
for i in 1 2 3; do
  for p in $(marked "$1"); do
    hit KILL "$p"
  done
done
