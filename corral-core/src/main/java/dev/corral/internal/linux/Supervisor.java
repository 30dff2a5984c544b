package dev.corral.internal.linux;

import dev.corral.internal.posix.PosixLibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one service thread. It multiplexes every run's pidfd, pipes and cgroup events through one
 * epoll instance, and runs every run's timers, so the thread count stays constant however many
 * children are alive.
 *
 * <p>All run state is touched only on this thread, once the run is handed to it: a run held by
 * the caller of {@code Command.run()} is that thread's until it finishes or hands it over (see
 * {@link LinuxRun#awaitLeader}), and this thread never sees it before. Other threads hand work over with {@link
 * #execute}, which wakes the loop through an eventfd. A new run with nothing to feed is handed over
 * without a wake-up, which costs the waker tens of microseconds here: its thread {@link #arm arms}
 * the run's descriptors in the epoll set and {@link #executeQuietly queues} their registration,
 * which the loop runs first when one of them fires, or sooner for a nearer deadline.
 *
 * <p>Stop work comes first. Each pass runs the due timers (deadlines, grace periods) and the
 * leader and cgroup events before any pipe is read, and checks the timers again between pipes,
 * so output from busy runs delays a deadline by at most one pipe's read budget.
 */
final class Supervisor implements dev.corral.internal.Scheduler {
  private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());
  private static final int MAX_EVENTS = 256;

  /** Reacts to readiness of one descriptor. */
  interface Handler {
    void ready(int events);
  }

  /** A scheduled action on the monotonic clock. */
  static final class Timer implements Comparable<Timer>, dev.corral.internal.Scheduler.Timer {
    final long atNanos;
    final Runnable action;
    boolean cancelled;

    Timer(long atNanos, Runnable action) {
      this.atNanos = atNanos;
      this.action = action;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Timer o) {
      return Long.compare(atNanos - o.atNanos, 0);
    }
  }

  /** Started on first use: a JVM that never runs a command never gets the thread. */
  private static final class Holder {
    static final Supervisor INSTANCE = new Supervisor();
  }

  static Supervisor get() {
    return Holder.INSTANCE;
  }

  private final int epfd;
  private final int wakefd;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final Map<Integer, Handler> handlers = new HashMap<>();
  /**
   * Descriptors another thread put in the epoll set ({@link #arm}) whose handler a queued task has
   * yet to register: an event on one runs the queued tasks first.
   */
  private final java.util.Set<Integer> armed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /**
   * Until when the loop sleeps in epoll_wait ({@link Long#MAX_VALUE}: until an event), or
   * {@link #AWAKE}. Published before the loop looks at the task queue a last time, so a task
   * queued by {@link #executeQuietly} is either seen by the loop or sees this.
   */
  private volatile long sleepsUntil = AWAKE;
  private static final long AWAKE = Long.MIN_VALUE;
  /** Descriptors whose handlers move output (pipes): served after stop work. */
  private final java.util.Set<Integer> bulk = new java.util.HashSet<>();
  private final int[] bulkReady = new int[MAX_EVENTS * 2];
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final Arena arena = Arena.ofShared();
  private final MemorySegment events = arena.allocate(Layouts.EPOLL_EVENT, MAX_EVENTS);
  private final MemorySegment ctlEvent = arena.allocate(Layouts.EPOLL_EVENT);
  private final MemorySegment wakeBuffer = arena.allocate(ValueLayout.JAVA_LONG);
  /** One read buffer shared by every pipe: reads happen one at a time on this thread. */
  final MemorySegment readBuffer = arena.allocate(1 << 18, 4096);

  /** /dev/null for writing, to splice away output past a capture limit. */
  final int devNull;

  /** The instance once started, for {@link #stopAtExit()}; null before first use. */
  private static volatile Supervisor started;
  private volatile boolean exiting;

  private Supervisor() {
    devNull = LibC.open(arena.allocateFrom("/dev/null"), PosixLibC.O_WRONLY | PosixLibC.O_CLOEXEC, 0);
    epfd = LibC.epollCreate1(LibC.EPOLL_CLOEXEC);
    wakefd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
    ctl(LibC.EPOLL_CTL_ADD, wakefd, LibC.EPOLLIN);
    thread = Thread.ofPlatform().daemon().name("corral-supervisor").unstarted(this::loop);
    thread.start();
    started = this;
  }

  /**
   * At JVM exit, after the last run: ends the service thread. HotSpot's exit waits up to 300 ms
   * for threads blocked in native code, and epoll_wait is native, so a thread left there would
   * delay every exit of a JVM that ran a command.
   */
  static void stopAtExit() {
    Supervisor s = started;
    if (s == null) {
      return;
    }
    s.exiting = true;
    s.execute(() -> {});
    try {
      s.thread.join(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Run {@code task} on the service thread, soon. */
  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    wake();
  }

  /** Wakes the loop through the eventfd, unless a wake-up is pending or this is the loop. */
  private void wake() {
    if (Thread.currentThread() != thread && wakePending.compareAndSet(false, true)) {
      wakeBuffer.set(ValueLayout.JAVA_LONG, 0, 1L);
      PosixLibC.write(wakefd, wakeBuffer, 8);
    }
  }

  /**
   * Runs {@code task} on the service thread without waking it, unless it sleeps past {@code
   * wakeByNanos}: it runs when the loop next wakes, for an event, a timer or another task. For a
   * run whose descriptors are {@link #arm armed}: the first event on them wakes the loop. Waking
   * a sleeping thread costs the waker tens of microseconds on these virtual machines.
   */
  @Override
  public void executeQuietly(Runnable task, long wakeByNanos) {
    tasks.add(task);
    long until = sleepsUntil;
    boolean late = wakeByNanos != Long.MAX_VALUE
        && (until == Long.MAX_VALUE || (until != AWAKE && wakeByNanos - until < 0));
    if (late) {
      wake();
    }
  }

  /**
   * Puts {@code fd} in the epoll set from any thread, ahead of the {@link #watch} that a task
   * queued with {@link #executeQuietly} will make: an event on it then runs that task first.
   */
  void arm(int fd, int events) {
    armed.add(fd);
    try (Arena a = Arena.ofConfined()) {
      ctl(a.allocate(Layouts.EPOLL_EVENT), LibC.EPOLL_CTL_ADD, fd, events);
    } catch (RuntimeException e) {
      armed.remove(fd);
      throw e;
    }
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Watch {@code fd} for {@code events} (EPOLLIN, EPOLLOUT, EPOLLPRI). Service thread only. */
  void watch(int fd, int events, Handler handler) {
    assert inLoop();
    handlers.put(fd, handler);
    ctl(armed.remove(fd) ? LibC.EPOLL_CTL_MOD : LibC.EPOLL_CTL_ADD, fd, events);
  }

  /** As {@link #watch}, for a pipe: its handler runs after the pass's stop work. */
  void watchBulk(int fd, int events, Handler handler) {
    watch(fd, events, handler);
    bulk.add(fd);
  }

  /** Stop watching {@code fd}; call before closing it. Service thread only. */
  void unwatch(int fd) {
    assert inLoop();
    bulk.remove(fd);
    if (handlers.remove(fd) != null | armed.remove(fd)) {
      ctl(LibC.EPOLL_CTL_DEL, fd, 0);
    }
  }

  /** Run {@code action} at {@code atNanos} on the {@link System#nanoTime()} clock. Service thread only. */
  @Override
  public Timer at(long atNanos, Runnable action) {
    assert inLoop();
    Timer t = new Timer(atNanos, action);
    timers.add(t);
    return t;
  }

  Timer after(long delayNanos, Runnable action) {
    return at(System.nanoTime() + delayNanos, action);
  }

  /** epoll_ctl on the loop thread, through its own event struct. */
  private void ctl(int op, int fd, int events) {
    ctl(ctlEvent, op, fd, events);
  }

  private void ctl(MemorySegment event, int op, int fd, int events) {
    Layouts.setEpollEvent(event, events, fd);
    LibC.epollCtl(epfd, op, fd, event);
  }

  private void loop() {
    long stride = Layouts.EPOLL_EVENT.byteSize();
    while (true) {
      int timeout = timeoutMillis();
      sleepsUntil = timeout < 0 ? Long.MAX_VALUE : System.nanoTime() + timeout * 1_000_000L;
      if (timeout != 0 && !tasks.isEmpty()) {
        timeout = 0; // queued quietly since timeoutMillis() looked
      }
      int n = LibC.epollWait(epfd, events, MAX_EVENTS, timeout);
      sleepsUntil = AWAKE;
      runDueTimers();
      int pipes = 0;
      for (int i = 0; i < n; i++) {
        MemorySegment e = events.asSlice(i * stride, stride);
        int fd = Layouts.epollFd(e);
        int ready = Layouts.epollEvents(e);
        if (fd == wakefd) {
          // Consume first, then clear the flag: a task added after the clear writes a new
          // wake-up, and one added before it is drained below in this same pass.
          PosixLibC.read(wakefd, wakeBuffer, 8);
          wakePending.set(false);
        } else if (bulk.contains(fd)) {
          bulkReady[pipes++] = fd;
          bulkReady[pipes++] = ready;
        } else {
          dispatch(fd, ready);
        }
      }
      for (int i = 0; i < pipes; i += 2) {
        runDueTimers();
        dispatch(bulkReady[i], bulkReady[i + 1]);
      }
      runDueTimers();
      runTasks();
      if (exiting) {
        return;
      }
    }
  }

  /** Runs {@code fd}'s handler, if it is still watched (an earlier handler may have closed it). */
  private void dispatch(int fd, int ready) {
    if (!handlers.containsKey(fd) && armed.contains(fd)) {
      runTasks(); // the task that registers its handler is queued
    }
    Handler h = handlers.get(fd);
    if (h != null) {
      guarded(() -> h.ready(ready));
    }
  }

  /**
   * Runs the queued tasks, and the timers that fall due meanwhile every {@link #TASKS_PER_LOOK}
   * tasks: quiet starts queue registrations until the loop next wakes, so a thousand runs started
   * while it slept are registered in one go (milliseconds), and the deadlines among them that fall
   * due meanwhile must not wait for the end of it. Tasks run in order, so a run's deadline timer
   * is registered before it is due here.
   */
  private void runTasks() {
    Runnable task;
    int n = 0;
    while ((task = tasks.poll()) != null) {
      guarded(task);
      if (++n % TASKS_PER_LOOK == 0) {
        runDueTimers();
      }
    }
  }

  private static final int TASKS_PER_LOOK = 16;

  private int timeoutMillis() {
    if (!tasks.isEmpty()) {
      return 0;
    }
    Timer next;
    while ((next = timers.peek()) != null && next.cancelled) {
      timers.poll();
    }
    if (next == null) {
      return -1;
    }
    long wait = next.atNanos - System.nanoTime();
    return wait <= 0 ? 0 : sleepMillis(wait);
  }

  /**
   * epoll_wait's timeout for a timer {@code waitNanos} (positive) away. The kernel lets such a
   * sleep end up to 0.1% of its length late (8 ms after 8 s, at most 100 ms), so a long one ends
   * a little early and the loop sleeps the short rest, whose slack is microseconds. Rounded up
   * to whole milliseconds; a timer never runs before it is due.
   */
  static int sleepMillis(long waitNanos) {
    long wait = waitNanos > LONG_SLEEP_NANOS ? waitNanos - waitNanos / 256 : waitNanos;
    return (int) Math.min(Integer.MAX_VALUE, (wait + 999_999) / 1_000_000);
  }

  /** Sleeps longer than this end early, then once more: see {@link #sleepMillis}. */
  private static final long LONG_SLEEP_NANOS = 20_000_000L;

  private void runDueTimers() {
    long now = System.nanoTime();
    Timer t;
    while ((t = timers.peek()) != null && (t.cancelled || t.atNanos - now <= 0)) {
      timers.poll();
      if (!t.cancelled) {
        guarded(t.action);
      }
    }
  }

  private static void guarded(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      // A bug in one run's handler must not stop supervision of every other run.
      LOG.log(System.Logger.Level.ERROR, "corral supervisor task failed", t);
    }
  }
}
