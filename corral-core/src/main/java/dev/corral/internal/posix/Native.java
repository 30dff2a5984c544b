package dev.corral.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The one linker helper. Every libc function Corral calls is bound through one descriptor, {@link
 * #WORDS}: six 64-bit integer arguments in, one 64-bit integer out, errno captured per call and
 * per thread.
 *
 * <p>Why one descriptor: the JDK links each distinct descriptor by generating code, about 7 ms
 * for a plain one, 11 ms with errno capture and 20 ms for a variadic one (measured with JDK 25
 * on these machines), while a descriptor already linked costs 0.3 ms. Corral's forty functions
 * took 170 ms of every CLI start; one descriptor takes about 30.
 *
 * <p>Why it is sound: every function bound here takes at most six integer or pointer arguments
 * and returns an integer or a pointer, and on the System V x86-64 and AAPCS64 ABIs those travel in
 * 64-bit general registers. A callee reads only the low 32 bits of an {@code int} argument and
 * ignores registers past its own arguments, so callers widen ints to long, pass pointers as
 * {@link MemorySegment#address()} (keeping the segment alive across the call) and narrow an
 * {@code int} result with a cast, since the upper half of the register is not part of it. C
 * variadic functions (open, fcntl, prctl) are not called this way; on Linux their system calls go
 * through syscall(2), which glibc writes in assembly and which reads its arguments straight from
 * registers. A new binding must keep to these rules; LayoutsTest and the suite exercise each one.
 *
 * <p>Limit: Apple's arm64 ABI passes variadic arguments on the stack, not in registers, so a Darwin
 * backend must not call a variadic function (open, fcntl, syscall) through this descriptor: it
 * needs one of its own with {@code Linker.Option.firstVariadicArg}.
 */
public final class Native {
  private Native() {}

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();

  private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;
  private static final FunctionDescriptor WORDS = FunctionDescriptor.of(W, W, W, W, W, W, W);

  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final long ERRNO = CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  // Virtual threads are cheap and many, so the slot is collected with its thread, not pinned in a global arena.
  private static final ThreadLocal<MemorySegment> SLOT =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  /** A handle for a required libc symbol, bound through {@link #WORDS}. */
  public static MethodHandle bind(String name) {
    return LINKER.downcallHandle(
        LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)),
        WORDS, CAPTURE_ERRNO);
  }

  /** A handle for a symbol this libc may lack, or empty; probed once by the caller. */
  public static Optional<MethodHandle> bindOptional(String name) {
    return LIBC.find(name).map(s -> LINKER.downcallHandle(s, WORDS, CAPTURE_ERRNO));
  }

  public static long call(MethodHandle mh) {
    return call(mh, 0, 0, 0, 0, 0, 0);
  }

  public static long call(MethodHandle mh, long a) {
    return call(mh, a, 0, 0, 0, 0, 0);
  }

  public static long call(MethodHandle mh, long a, long b) {
    return call(mh, a, b, 0, 0, 0, 0);
  }

  public static long call(MethodHandle mh, long a, long b, long c) {
    return call(mh, a, b, c, 0, 0, 0);
  }

  public static long call(MethodHandle mh, long a, long b, long c, long d) {
    return call(mh, a, b, c, d, 0, 0);
  }

  public static long call(MethodHandle mh, long a, long b, long c, long d, long e) {
    return call(mh, a, b, c, d, e, 0);
  }

  /** Calls {@code mh}; read errno right after, on the same thread, with {@link #lastErrno()}. */
  public static long call(MethodHandle mh, long a, long b, long c, long d, long e, long f) {
    try {
      return (long) mh.invokeExact(SLOT.get(), a, b, c, d, e, f);
    } catch (RuntimeException | Error x) {
      throw x;
    } catch (Throwable t) {
      throw new IllegalStateException("native call failed", t);
    }
  }

  /** errno as the last {@link #call} on this thread left it. */
  public static int lastErrno() {
    return SLOT.get().get(ValueLayout.JAVA_INT, ERRNO);
  }

  /**
   * A result that may be -1: itself, or the negated errno, for callers that expect failure. An
   * int result must be narrowed before it gets here: the upper half of the register is not its.
   */
  public static long orErrno(long result) {
    return result >= 0 ? result : -lastErrno();
  }

  /** Whether libc has {@code name}, without binding it. */
  public static boolean has(String name) {
    return LIBC.find(name).isPresent();
  }

  /** A NUL-terminated string that C returned, or null for NULL. */
  public static String string(long address) {
    return address == 0 ? null : MemorySegment.ofAddress(address).reinterpret(4096).getString(0);
  }
}
