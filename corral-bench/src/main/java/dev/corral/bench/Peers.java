package dev.corral.bench;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import dev.corral.Command;
import dev.corral.Containment;
import dev.corral.Output;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.StartedProcess;

/**
 * Each library used the way its documentation shows for the task: run and wait, run with output
 * captured, run under a deadline, start a long-lived child. One adapter per peer.
 */
interface Peers {

  String name();

  /** Runs argv to completion and returns how many bytes of stdout it read (0 when discarded). */
  long run(List<String> argv, boolean capture) throws Exception;

  /** Runs argv with output captured and a deadline, as the library offers it; returns when the call does. */
  void runWithDeadline(List<String> argv, Duration deadline) throws Exception;

  /** Starts a child that lives until the returned handle is closed. */
  AutoCloseable start(List<String> argv) throws Exception;

  List<Peers> ALL = List.of(new CorralPeer(), new ProcessBuilderPeer(), new ZtExecPeer(),
      new CommonsExecPeer(), new NuProcessPeer());

  /** Counts bytes without keeping them, so capture tests measure reading, not memory. */
  final class Counter extends OutputStream {
    final AtomicLong bytes = new AtomicLong();

    @Override
    public void write(int b) {
      bytes.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes.addAndGet(len);
    }
  }

  final class CorralPeer implements Peers {
    private final Containment containment;

    CorralPeer() {
      this(Containment.AUTO);
    }

    /** With {@link Containment#PORTABLE}, the JDK-only tier: ProcessBuilder and snapshots of the tree. */
    CorralPeer(Containment containment) {
      this.containment = containment;
    }

    @Override
    public String name() {
      return containment == Containment.AUTO ? "Corral"
          : "Corral (" + containment.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
    }

    @Override
    public long run(List<String> argv, boolean capture) {
      Command c = Command.of(argv).containment(containment);
      if (!capture) {
        return c.stdout(Output.discard()).stderr(Output.discard()).run().status();
      }
      return c.stdout(Output.capture(16 << 20)).run().stdout().length;
    }

    @Override
    public void runWithDeadline(List<String> argv, Duration deadline) {
      Command.of(argv).containment(containment).deadline(deadline).grace(Duration.ofMillis(100)).run();
    }

    @Override
    public AutoCloseable start(List<String> argv) {
      return Command.of(argv).containment(containment).stdout(Output.discard()).stderr(Output.discard())
          .start();
    }
  }

  final class ProcessBuilderPeer implements Peers {
    private final boolean descendants;

    ProcessBuilderPeer() {
      this(false);
    }

    /** With {@code descendants}, a deadline also destroys each descendant the JDK can still see. */
    ProcessBuilderPeer(boolean descendants) {
      this.descendants = descendants;
    }

    @Override
    public String name() {
      return descendants ? "ProcessBuilder + descendants()" : "ProcessBuilder";
    }

    @Override
    public long run(List<String> argv, boolean capture) throws Exception {
      ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD);
      if (!capture) {
        return pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
      }
      Process p = pb.start();
      long total = drain(p.getInputStream());
      p.waitFor();
      return total;
    }

    @Override
    public void runWithDeadline(List<String> argv, Duration deadline) throws Exception {
      // The JDK's own tools: a reader thread for the output, waitFor with a timeout, then
      // destroy(), and with descendants() for each descendant the JDK can still see.
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      Thread reader = Thread.ofVirtual().start(() -> {
        try {
          drain(p.getInputStream());
        } catch (IOException e) {
          // closed
        }
      });
      if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
        if (descendants) {
          p.descendants().forEach(ProcessHandle::destroy);
        }
        p.destroy();
      }
      p.waitFor();
      reader.join();
    }

    @Override
    public AutoCloseable start(List<String> argv) throws Exception {
      Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      return () -> {
        p.destroyForcibly();
        p.waitFor();
      };
    }
  }

  final class ZtExecPeer implements Peers {
    @Override
    public String name() {
      return "zt-exec 1.12";
    }

    @Override
    public long run(List<String> argv, boolean capture) throws Exception {
      if (!capture) {
        return new ProcessExecutor().command(argv).execute().getExitValue();
      }
      Counter n = new Counter();
      new ProcessExecutor().command(argv).redirectOutput(n).execute();
      return n.bytes.get();
    }

    @Override
    public void runWithDeadline(List<String> argv, Duration deadline) throws Exception {
      try {
        new ProcessExecutor().command(argv).readOutput(true)
            .timeout(deadline.toMillis(), TimeUnit.MILLISECONDS).execute();
      } catch (TimeoutException expected) {
        // zt-exec destroys the process on timeout and throws
      }
    }

    @Override
    public AutoCloseable start(List<String> argv) throws Exception {
      StartedProcess p = new ProcessExecutor().command(argv).start();
      return () -> {
        p.getProcess().destroyForcibly();
        p.getProcess().waitFor();
      };
    }
  }

  final class CommonsExecPeer implements Peers {
    @Override
    public String name() {
      return "Commons Exec 1.5.0";
    }

    private static CommandLine line(List<String> argv) {
      CommandLine c = new CommandLine(argv.get(0));
      for (String a : argv.subList(1, argv.size())) {
        c.addArgument(a, false);
      }
      return c;
    }

    @Override
    public long run(List<String> argv, boolean capture) throws Exception {
      DefaultExecutor e = DefaultExecutor.builder().get();
      e.setExitValues(null);
      Counter n = new Counter();
      e.setStreamHandler(new PumpStreamHandler(capture ? n : OutputStream.nullOutputStream(),
          OutputStream.nullOutputStream()));
      int status = e.execute(line(argv));
      return capture ? n.bytes.get() : status;
    }

    @Override
    public void runWithDeadline(List<String> argv, Duration deadline) throws Exception {
      DefaultExecutor e = DefaultExecutor.builder().get();
      e.setExitValues(null);
      e.setWatchdog(ExecuteWatchdog.builder().setTimeout(deadline).get());
      e.setStreamHandler(new PumpStreamHandler(new ByteArrayOutputStream()));
      e.execute(line(argv));
    }

    @Override
    public AutoCloseable start(List<String> argv) throws Exception {
      DefaultExecutor e = DefaultExecutor.builder().get();
      ExecuteWatchdog w = ExecuteWatchdog.builder().setTimeout(ExecuteWatchdog.INFINITE_TIMEOUT_DURATION).get();
      e.setWatchdog(w);
      e.setStreamHandler(new PumpStreamHandler(OutputStream.nullOutputStream()));
      DefaultExecuteResultHandler done = new DefaultExecuteResultHandler();
      e.execute(line(argv), done);
      return () -> {
        w.destroyProcess();
        done.waitFor();
      };
    }
  }

  final class NuProcessPeer implements Peers {
    @Override
    public String name() {
      return "NuProcess 3.0.0";
    }

    private static NuProcess startCounting(List<String> argv, AtomicLong bytes) {
      NuProcessBuilder pb = new NuProcessBuilder(argv);
      pb.setProcessListener(new NuAbstractProcessHandler() {
        @Override
        public void onStdout(ByteBuffer buffer, boolean closed) {
          bytes.addAndGet(buffer.remaining());
          buffer.position(buffer.limit());
        }
      });
      return pb.start();
    }

    @Override
    public long run(List<String> argv, boolean capture) throws Exception {
      AtomicLong n = new AtomicLong();
      int status = startCounting(argv, n).waitFor(0, TimeUnit.SECONDS);
      return capture ? n.get() : status;
    }

    @Override
    public void runWithDeadline(List<String> argv, Duration deadline) throws Exception {
      NuProcess p = startCounting(argv, new AtomicLong());
      if (p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS) == Integer.MIN_VALUE) {
        p.destroy(false);
        p.waitFor(0, TimeUnit.SECONDS);
      }
    }

    @Override
    public AutoCloseable start(List<String> argv) {
      NuProcess p = startCounting(argv, new AtomicLong());
      return () -> {
        p.destroy(true);
        p.waitFor(0, TimeUnit.SECONDS);
      };
    }
  }

  private static long drain(InputStream in) throws IOException {
    long total = 0;
    byte[] buf = new byte[64 * 1024];
    try (in) {
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
      }
    }
    return total;
  }
}
