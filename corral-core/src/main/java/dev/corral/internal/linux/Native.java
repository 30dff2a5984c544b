package dev.corral.internal.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The one linker helper: every handle that can fail captures errno, per call and per thread.
 *
 * <p>A handle built with {@link #errno} takes a leading capture segment; pass {@link #errnoSlot()}
 * and read it back with {@link #lastErrno(MemorySegment)} right after the call, on the same thread.
 */
final class Native {
  private Native() {}

  static final Linker LINKER = Linker.nativeLinker();
  static final SymbolLookup LIBC = LINKER.defaultLookup();

  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  // Virtual threads are cheap and many, so the slot is collected with its thread, not pinned in a global arena.
  private static final ThreadLocal<MemorySegment> SLOT =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

  /** A handle for a required symbol that reports failure through errno. */
  static MethodHandle errno(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(require(name), descriptor, CAPTURE_ERRNO);
  }

  /** A variadic handle: {@code fixed} is how many leading arguments are not variadic. */
  static MethodHandle errnoVariadic(String name, FunctionDescriptor descriptor, int fixed) {
    return LINKER.downcallHandle(
        require(name), descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(fixed));
  }

  /** A handle for a call whose failure is its return value (posix_spawn and friends) or that cannot fail. */
  static MethodHandle plain(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(require(name), descriptor);
  }

  /** A handle for a symbol this glibc may lack, or empty; probed once by the caller. */
  static Optional<MethodHandle> optionalPlain(String name, FunctionDescriptor descriptor) {
    return LIBC.find(name).map(s -> LINKER.downcallHandle(s, descriptor));
  }

  static MemorySegment errnoSlot() {
    return SLOT.get();
  }

  static int lastErrno(MemorySegment slot) {
    return (int) ERRNO.get(slot, 0L);
  }

  private static MemorySegment require(String name) {
    return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
  }

  static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
  static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;
}
