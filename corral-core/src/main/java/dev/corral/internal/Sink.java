package dev.corral.internal;

import dev.corral.Output;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Where bytes read from a child's pipe go in the JVM. Called only on the service thread, so it
 * needs no locking. Pure Java: the platform hands it a native buffer and a length.
 */
public abstract sealed class Sink {

  private static final byte[] EMPTY = new byte[0];

  /** What a stream left in memory. */
  public record Captured(byte[] bytes, boolean truncated) {
    public static final Captured NONE = new Captured(EMPTY, false);
  }

  /** The sink for an output spec, or null when the spec is served by a descriptor (file, discard, inherit). */
  public static Sink of(Output output) {
    return switch (output) {
      case Output.Capture c -> new Capture(c.maxBytes());
      case Output.Lines l -> new Lines(l.consumer());
      case Output.Chunks c -> new Chunks(c.consumer());
      default -> null;
    };
  }

  /** Take {@code length} bytes from the start of {@code buffer}. */
  public abstract void accept(MemorySegment buffer, int length);

  /** The stream ended. */
  public void end() {}

  /** True once the sink takes no more bytes, so the rest may be discarded without reading it. */
  public boolean full() {
    return false;
  }

  public Captured captured() {
    return Captured.NONE;
  }

  /** Keeps up to a limit in memory; counts and drops the rest. */
  public static final class Capture extends Sink {
    private final long limit;
    private byte[] bytes = EMPTY;
    private int size;
    private boolean truncated;

    Capture(long limit) {
      this.limit = Math.min(limit, Integer.MAX_VALUE - 16);
    }

    @Override
    public void accept(MemorySegment buffer, int length) {
      int room = (int) Math.min(length, limit - size);
      if (room < length) {
        truncated = true;
      }
      if (room <= 0) {
        return;
      }
      if (size + room > bytes.length) {
        long grown = Math.max(size + room, Math.max(8192, (long) bytes.length * 2));
        bytes = Arrays.copyOf(bytes, (int) Math.min(grown, limit));
      }
      MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, size, room);
      size += room;
    }

    @Override
    public boolean full() {
      return size >= limit;
    }

    /** Bytes dropped without being read count as truncation too. */
    public void dropped() {
      truncated = true;
    }

    @Override
    public Captured captured() {
      return new Captured(size == bytes.length ? bytes : Arrays.copyOf(bytes, size), truncated);
    }
  }

  /** Passes each chunk, copied, to a consumer. */
  static final class Chunks extends Sink {
    private final Consumer<byte[]> consumer;

    Chunks(Consumer<byte[]> consumer) {
      this.consumer = consumer;
    }

    @Override
    public void accept(MemorySegment buffer, int length) {
      consumer.accept(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
    }
  }

  /** Decodes UTF-8 (malformed input replaced) and passes whole lines. */
  static final class Lines extends Sink {
    private final Consumer<String> consumer;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private final StringBuilder line = new StringBuilder();

    Lines(Consumer<String> consumer) {
      this.consumer = consumer;
    }

    @Override
    public void accept(MemorySegment buffer, int length) {
      ByteBuffer in = ByteBuffer.allocate(pending.remaining() + length);
      in.put(pending).put(buffer.asSlice(0, length).asByteBuffer()).flip();
      decode(in, false);
      pending = in.slice();
    }

    @Override
    public void end() {
      decode(pending, true);
      if (!line.isEmpty()) {
        emit();
      }
    }

    private void decode(ByteBuffer in, boolean last) {
      CharBuffer out = CharBuffer.allocate(Math.max(16, in.remaining()));
      CoderResult r = decoder.decode(in, out, last);
      if (last) {
        decoder.flush(out);
      }
      out.flip();
      while (out.hasRemaining()) {
        char c = out.get();
        if (c == '\n') {
          emit();
        } else {
          line.append(c);
        }
      }
      assert !r.isError();
    }

    private void emit() {
      int n = line.length();
      if (n > 0 && line.charAt(n - 1) == '\r') {
        line.setLength(n - 1);
      }
      consumer.accept(line.toString());
      line.setLength(0);
    }
  }
}
