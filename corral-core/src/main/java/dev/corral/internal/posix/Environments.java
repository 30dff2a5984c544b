package dev.corral.internal.posix;

import dev.corral.Command;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A child's envp. The environment a command inherits unchanged is the same map for every such
 * command (see {@link Command#environment()}): its C strings are made once, so a spawn then only
 * copies their addresses and adds the run's marker.
 */
final class Environments {
  private Environments() {}

  /** "NAME=value" for each entry but the marker, in the global arena: made once, never freed. */
  private static final class Inherited {
    static final Map<String, String> MAP = Command.of("env").environment();
    private static final List<String> ENTRIES = entries(MAP);
    static final MemorySegment ADDRESSES = strings(Arena.global(), ENTRIES, 0);
    static final long COUNT = ENTRIES.size();
  }

  /** The NULL-terminated envp for {@code environment}, with {@code marker} as CORRAL_RUN if not null. */
  static MemorySegment envp(Arena arena, Map<String, String> environment, String marker) {
    MemorySegment base;
    long count;
    if (environment == Inherited.MAP) {
      base = Inherited.ADDRESSES;
      count = Inherited.COUNT;
    } else {
      List<String> entries = entries(environment);
      base = strings(arena, entries, 0);
      count = entries.size();
    }
    MemorySegment array = arena.allocate(ValueLayout.ADDRESS, count + 2);
    MemorySegment.copy(base, 0, array, 0, count * ValueLayout.ADDRESS.byteSize());
    long at = count;
    if (marker != null) {
      array.setAtIndex(ValueLayout.ADDRESS, at++,
          arena.allocateFrom(PosixSpawn.MARKER + "=" + marker, StandardCharsets.UTF_8));
    }
    array.setAtIndex(ValueLayout.ADDRESS, at, MemorySegment.NULL);
    return array;
  }

  private static List<String> entries(Map<String, String> environment) {
    List<String> out = new ArrayList<>(environment.size());
    environment.forEach((k, v) -> {
      if (!k.equals(PosixSpawn.MARKER)) {
        out.add(k + "=" + v);
      }
    });
    return out;
  }

  /**
   * The strings, NUL-terminated in one block, and an array of their addresses with {@code spare}
   * more slots, zeroed (a NULL terminator, for one).
   */
  static MemorySegment strings(Arena arena, List<String> strings, int spare) {
    byte[][] bytes = new byte[strings.size()][];
    long total = 0;
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
      total += bytes[i].length + 1;
    }
    MemorySegment block = arena.allocate(Math.max(1, total));
    MemorySegment array = arena.allocate(ValueLayout.ADDRESS, Math.max(1, strings.size() + spare));
    long at = 0;
    for (int i = 0; i < bytes.length; i++) {
      MemorySegment.copy(bytes[i], 0, block, ValueLayout.JAVA_BYTE, at, bytes[i].length);
      block.set(ValueLayout.JAVA_BYTE, at + bytes[i].length, (byte) 0);
      array.setAtIndex(ValueLayout.ADDRESS, i, block.asSlice(at));
      at += bytes[i].length + 1;
    }
    return array;
  }
}
