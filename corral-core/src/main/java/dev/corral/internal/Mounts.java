package dev.corral.internal;

import java.util.Optional;

/** Parses /proc/self/mountinfo and /proc/self/cgroup. Pure, so it is tested on any host. */
public final class Mounts {
  private Mounts() {}

  /**
   * The mount point of the first cgroup2 file system in {@code mountinfo}, unescaped. It may be
   * anywhere: /sys/fs/cgroup on a pure v2 system, /sys/fs/cgroup/unified in hybrid mode.
   */
  public static Optional<String> cgroup2Mount(String mountinfo) {
    return cgroup2Line(mountinfo).map(f -> unescape(f[4]));
  }

  /**
   * The super block options of that same mount, such as "rw,nsdelegate,favordynmods": the
   * cgroup2 file system's own mount options.
   */
  public static Optional<String> cgroup2Options(String mountinfo) {
    return cgroup2Line(mountinfo).map(f -> f[f.length - 1]);
  }

  /** The first cgroup2 line, split: mount point at 4, file system type after the lone "-". */
  private static Optional<String[]> cgroup2Line(String mountinfo) {
    for (String line : mountinfo.split("\n")) {
      String[] f = line.split(" ");
      // Optional fields end with a lone "-"; the type, the source and the options follow it.
      for (int i = 6; i + 1 < f.length; i++) {
        if (f[i].equals("-")) {
          if (f[i + 1].equals("cgroup2") && f.length > 4) {
            return Optional.of(f);
          }
          break;
        }
      }
    }
    return Optional.empty();
  }

  /** This process's cgroup v2 path from /proc/self/cgroup (the "0::" line), such as "/" or "/user.slice/x.scope". */
  public static Optional<String> cgroup2Path(String procSelfCgroup) {
    for (String line : procSelfCgroup.split("\n")) {
      if (line.startsWith("0::")) {
        String path = line.substring(3).trim();
        // A process in a cgroup that was removed shows " (deleted)".
        return path.endsWith(" (deleted)") ? Optional.empty() : Optional.of(path);
      }
    }
    return Optional.empty();
  }

  /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()
          && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
