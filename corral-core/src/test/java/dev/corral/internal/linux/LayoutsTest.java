package dev.corral.internal.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.corral.internal.posix.OwnSignals;
import dev.corral.internal.posix.PosixLayout;
import dev.corral.internal.posix.PosixLibC;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Struct sizes, offsets and constants are never guessed: a C probe compiled here prints what the
 * headers say, and every value Corral uses must match.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LayoutsTest {

  private static final String PROBE = """
      #define _GNU_SOURCE
      #include <spawn.h>
      #include <signal.h>
      #include <sys/epoll.h>
      #include <poll.h>
      #include <sys/eventfd.h>
      #include <sys/wait.h>
      #include <sys/resource.h>
      #include <sys/syscall.h>
      #include <sys/prctl.h>
      #include <fcntl.h>
      #include <stddef.h>
      #include <stdio.h>
      #define P(name, value) printf("%s=%ld\\n", name, (long) (value))
      int main(void) {
        P("sizeof.posix_spawnattr_t", sizeof(posix_spawnattr_t));
        P("sizeof.posix_spawn_file_actions_t", sizeof(posix_spawn_file_actions_t));
        P("sizeof.sigset_t", sizeof(sigset_t));
        P("sizeof.epoll_event", sizeof(struct epoll_event));
        P("sizeof.pollfd", sizeof(struct pollfd));
        P("offsetof.pollfd.events", offsetof(struct pollfd, events));
        P("offsetof.pollfd.revents", offsetof(struct pollfd, revents));
        P("POLLIN", POLLIN); P("F_DUPFD_CLOEXEC", F_DUPFD_CLOEXEC);
        P("offsetof.epoll_event.data", offsetof(struct epoll_event, data));
        P("sizeof.siginfo_t", sizeof(siginfo_t));
        P("offsetof.siginfo_t.si_code", offsetof(siginfo_t, si_code));
        P("offsetof.siginfo_t.si_pid", offsetof(siginfo_t, si_pid));
        P("offsetof.siginfo_t.si_status", offsetof(siginfo_t, si_status));
        sigset_t s3; sigemptyset(&s3); sigaddset(&s3, 1); sigaddset(&s3, 15); sigaddset(&s3, 64);
        P("sigset.word0", ((unsigned long *) &s3)[0]);
        P("sizeof.sigaction", sizeof(struct sigaction));
        P("offsetof.sigaction.sa_mask", offsetof(struct sigaction, sa_mask));
        P("offsetof.sigaction.sa_flags", offsetof(struct sigaction, sa_flags));
        P("offsetof.sigaction.sa_restorer", offsetof(struct sigaction, sa_restorer));
        P("SIG_BLOCK", SIG_BLOCK); P("SIG_UNBLOCK", SIG_UNBLOCK); P("SIGCHLD", SIGCHLD);
        P("PR_SET_DUMPABLE", PR_SET_DUMPABLE); P("POSIX_SPAWN_SETPGROUP", POSIX_SPAWN_SETPGROUP);
        P("O_WRONLY", O_WRONLY); P("O_CREAT", O_CREAT); P("O_TRUNC", O_TRUNC);
        P("O_APPEND", O_APPEND); P("O_NONBLOCK", O_NONBLOCK); P("O_DIRECTORY", O_DIRECTORY);
        P("O_CLOEXEC", O_CLOEXEC);
        P("POSIX_SPAWN_SETSID", POSIX_SPAWN_SETSID); P("POSIX_SPAWN_SETSIGMASK", POSIX_SPAWN_SETSIGMASK);
        P("POSIX_SPAWN_SETSIGDEF", POSIX_SPAWN_SETSIGDEF);
        P("EPOLLIN", EPOLLIN); P("EPOLLOUT", EPOLLOUT); P("EPOLLPRI", EPOLLPRI);
        P("EPOLLERR", EPOLLERR); P("EPOLLHUP", EPOLLHUP); P("EPOLL_CTL_ADD", EPOLL_CTL_ADD);
        P("EPOLL_CTL_DEL", EPOLL_CTL_DEL); P("EPOLL_CTL_MOD", EPOLL_CTL_MOD);
        P("EFD_NONBLOCK", EFD_NONBLOCK);
        P("P_PID", P_PID); P("P_PIDFD", P_PIDFD); P("WEXITED", WEXITED); P("WNOWAIT", WNOWAIT);
        P("WNOHANG", WNOHANG); P("CLD_EXITED", CLD_EXITED); P("CLD_KILLED", CLD_KILLED);
        P("F_SETFL", F_SETFL); P("SIGKILL", SIGKILL); P("SIGCONT", SIGCONT); P("SIGTERM", SIGTERM); P("NSIG", _NSIG);
        P("SYS_pidfd_open", SYS_pidfd_open); P("SYS_openat", SYS_openat); P("SYS_fcntl", SYS_fcntl);
        P("SYS_kcmp", SYS_kcmp);
        P("SYS_prctl", SYS_prctl); P("AT_FDCWD", AT_FDCWD); P("SYS_pidfd_send_signal", SYS_pidfd_send_signal);
        P("O_RDONLY", O_RDONLY); P("O_RDWR", O_RDWR); P("SIG_DFL", SIG_DFL); P("SIG_IGN", SIG_IGN);
        P("EPOLL_CLOEXEC", EPOLL_CLOEXEC); P("EFD_CLOEXEC", EFD_CLOEXEC);
        P("offsetof.sigaction.sa_handler", offsetof(struct sigaction, sa_handler));
        return 0;
      }
      """;

  @Test
  void layoutsAndConstantsMatchTheCHeaders(@TempDir Path dir) throws Exception {
    Map<String, Long> c = probe(dir);
    PosixLayout posix = PosixLibC.LAYOUT;
    assertThat(posix).as("this host's table")
        .isSameAs(PosixLayout.forPlatform("Linux", System.getProperty("os.arch")))
        .isIn(PosixLayout.LINUX_X86_64, PosixLayout.LINUX_AARCH64);
    assertThat(posix.SPAWNATTR.byteSize()).isEqualTo(c.get("sizeof.posix_spawnattr_t"));
    assertThat(posix.FILE_ACTIONS.byteSize()).isEqualTo(c.get("sizeof.posix_spawn_file_actions_t"));
    assertThat(posix.SIGSET.byteSize()).isEqualTo(c.get("sizeof.sigset_t"));
    assertThat(posix.SIGINFO.byteSize()).isEqualTo(c.get("sizeof.siginfo_t"));
    assertThat(PosixLayout.POLLFD.byteSize()).isEqualTo(c.get("sizeof.pollfd"));
    assertThat(PosixLayout.POLLFD.byteOffset(groupElement("events"))).isEqualTo(c.get("offsetof.pollfd.events"));
    assertThat(PosixLayout.POLLFD.byteOffset(groupElement("revents"))).isEqualTo(c.get("offsetof.pollfd.revents"));
    assertThat(posix.sigsetWord(sig -> sig == 1 || sig == 15 || sig == 64)).isEqualTo(c.get("sigset.word0"));
    assertThat(posix.SIGACTION.byteSize()).isEqualTo(c.get("sizeof.sigaction"));
    assertThat(posix.SIGACTION.byteOffset(groupElement("sa_handler"))).isEqualTo(c.get("offsetof.sigaction.sa_handler"));
    assertThat(posix.SIGACTION.byteOffset(groupElement("sa_mask"))).isEqualTo(c.get("offsetof.sigaction.sa_mask"));
    assertThat(posix.SIGACTION.byteOffset(groupElement("sa_flags"))).isEqualTo(c.get("offsetof.sigaction.sa_flags"));
    assertThat(posix.SIGACTION.byteOffset(groupElement("sa_restorer"))).isEqualTo(c.get("offsetof.sigaction.sa_restorer"));
    assertThat(Layouts.EPOLL_EVENT.byteSize()).isEqualTo(c.get("sizeof.epoll_event"));
    assertThat(Layouts.EPOLL_EVENT.byteOffset(groupElement("data"))).isEqualTo(c.get("offsetof.epoll_event.data"));
    assertThat(Layouts.SIGINFO.byteSize()).isEqualTo(c.get("sizeof.siginfo_t"));
    assertThat(Layouts.SIGINFO.byteOffset(groupElement("si_code"))).isEqualTo(c.get("offsetof.siginfo_t.si_code"));
    assertThat(Layouts.SIGINFO.byteOffset(groupElement("si_pid"))).isEqualTo(c.get("offsetof.siginfo_t.si_pid"));
    assertThat(Layouts.SIGINFO.byteOffset(groupElement("si_status"))).isEqualTo(c.get("offsetof.siginfo_t.si_status"));

    Map<String, Long> java = new HashMap<>();
    java.put("O_RDONLY", (long) posix.O_RDONLY);
    java.put("O_WRONLY", (long) posix.O_WRONLY);
    java.put("O_RDWR", (long) posix.O_RDWR);
    java.put("O_CREAT", (long) posix.O_CREAT);
    java.put("O_TRUNC", (long) posix.O_TRUNC);
    java.put("O_APPEND", (long) posix.O_APPEND);
    java.put("O_NONBLOCK", (long) posix.O_NONBLOCK);
    java.put("O_DIRECTORY", (long) posix.O_DIRECTORY);
    java.put("O_CLOEXEC", (long) posix.O_CLOEXEC);
    java.put("POSIX_SPAWN_SETSID", (long) posix.POSIX_SPAWN_SETSID);
    java.put("POSIX_SPAWN_SETPGROUP", (long) posix.POSIX_SPAWN_SETPGROUP);
    java.put("POSIX_SPAWN_SETSIGMASK", (long) posix.POSIX_SPAWN_SETSIGMASK);
    java.put("POSIX_SPAWN_SETSIGDEF", (long) posix.POSIX_SPAWN_SETSIGDEF);
    java.put("SIG_BLOCK", (long) posix.SIG_BLOCK);
    java.put("SIG_UNBLOCK", (long) posix.SIG_UNBLOCK);
    java.put("SIG_DFL", PosixLibC.SIG_DFL);
    java.put("SIG_IGN", PosixLibC.SIG_IGN);
    java.put("P_PID", (long) posix.P_PID);
    java.put("WEXITED", (long) posix.WEXITED);
    java.put("POLLIN", (long) posix.POLLIN);
    java.put("SIGCHLD", (long) OwnSignals.SIGCHLD);
    java.put("PR_SET_DUMPABLE", (long) LibC.PR_SET_DUMPABLE);
    java.put("EPOLL_CLOEXEC", (long) LibC.EPOLL_CLOEXEC);
    java.put("EPOLLIN", (long) LibC.EPOLLIN);
    java.put("EPOLLOUT", (long) LibC.EPOLLOUT);
    java.put("EPOLLPRI", (long) LibC.EPOLLPRI);
    java.put("EPOLLERR", (long) LibC.EPOLLERR);
    java.put("EPOLLHUP", (long) LibC.EPOLLHUP);
    java.put("EPOLL_CTL_ADD", (long) LibC.EPOLL_CTL_ADD);
    java.put("EPOLL_CTL_DEL", (long) LibC.EPOLL_CTL_DEL);
    java.put("EPOLL_CTL_MOD", (long) LibC.EPOLL_CTL_MOD);
    java.put("EFD_CLOEXEC", (long) LibC.EFD_CLOEXEC);
    java.put("EFD_NONBLOCK", (long) LibC.EFD_NONBLOCK);
    java.put("P_PIDFD", (long) LibC.P_PIDFD);
    java.put("WNOWAIT", (long) LibC.WNOWAIT);
    java.put("WNOHANG", (long) LibC.WNOHANG);
    java.put("CLD_EXITED", (long) LibC.CLD_EXITED);
    java.put("CLD_KILLED", (long) LibC.CLD_KILLED);
    java.put("F_SETFL", (long) LibC.F_SETFL);
    java.put("F_DUPFD_CLOEXEC", (long) LibC.F_DUPFD_CLOEXEC);
    java.put("SIGKILL", (long) LibC.SIGKILL);
    java.put("SIGCONT", (long) LibC.SIGCONT);
    java.put("SIGTERM", (long) LibC.SIGTERM);
    java.put("NSIG", (long) LibC.NSIG);
    java.put("SYS_pidfd_open", LibC.SYS_PIDFD_OPEN);
    java.put("SYS_openat", LibC.SYS_OPENAT);
    java.put("SYS_kcmp", LibC.SYS_KCMP);
    java.put("SYS_fcntl", LibC.SYS_FCNTL);
    java.put("SYS_prctl", LibC.SYS_PRCTL);
    java.put("AT_FDCWD", (long) LibC.AT_FDCWD);
    java.put("SYS_pidfd_send_signal", LibC.SYS_PIDFD_SEND_SIGNAL);
    java.forEach((name, value) -> assertThat(value).as(name).isEqualTo(c.get(name)));
  }

  private static Map<String, Long> probe(Path dir) throws Exception {
    Path src = dir.resolve("probe.c");
    Path bin = dir.resolve("probe");
    Files.writeString(src, PROBE);
    assumeTrue(run("cc", "-o", bin.toString(), src.toString()) != null, "no C compiler on this host");
    String out = run(bin.toString());
    Map<String, Long> values = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] kv = line.split("=");
      values.put(kv[0], Long.parseLong(kv[1]));
    }
    return values;
  }

  /** Standard output, or null when the program is missing or fails. */
  private static String run(String... argv) throws Exception {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      return p.waitFor() == 0 ? out : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
