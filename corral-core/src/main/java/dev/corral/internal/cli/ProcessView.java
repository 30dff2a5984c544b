package dev.corral.internal.cli;

import dev.corral.internal.ProcStat;

/**
 * One process as {@code corral tree} shows it: a point-in-time snapshot, which may already be
 * out of date when it is printed.
 *
 * @param cgroup the cgroup v2 path, or "" where there is none
 * @param command the argv joined by spaces, or {@code [comm]} for kernel threads and zombies
 */
public record ProcessView(ProcStat stat, String cgroup, String command) {}
