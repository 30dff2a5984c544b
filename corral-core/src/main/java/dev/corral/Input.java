package dev.corral;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/** Where a run's standard input comes from. The default is {@link #none()}. */
public sealed interface Input
    permits Input.None, Input.Bytes, Input.FromFile, Input.Inherit, Input.Pipe {

  /** An empty stdin: the child reads end of file at once ({@code /dev/null}). */
  static Input none() {
    return None.INSTANCE;
  }

  /** These bytes, then end of file. Written by Corral's service thread as the child reads them. */
  static Input bytes(byte[] data) {
    return new Bytes(data.clone());
  }

  /** This text in UTF-8, then end of file. */
  static Input text(String text) {
    return text(text, StandardCharsets.UTF_8);
  }

  static Input text(String text, Charset charset) {
    return new Bytes(text.getBytes(charset));
  }

  /** The contents of a file, opened when the run starts. */
  static Input file(Path path) {
    return new FromFile(Objects.requireNonNull(path, "path"));
  }

  /** The JVM's own stdin. */
  static Input inherit() {
    return Inherit.INSTANCE;
  }

  /**
   * A pipe the caller writes while the child runs, through {@link Run#stdin()}: writes block while
   * the child does not read (64 KiB wait in Corral, plus what the kernel's pipe holds), {@code
   * close()} is end of file, and once the child closed its stdin or the run is over a write throws
   * an {@link java.io.IOException} (never a SIGPIPE).
   */
  static Input pipe() {
    return Pipe.INSTANCE;
  }

  /** See {@link Input#pipe()}. */
  enum Pipe implements Input {
    INSTANCE
  }

  /** See {@link Input#none()}. */
  enum None implements Input {
    INSTANCE
  }

  /** See {@link Input#inherit()}. */
  enum Inherit implements Input {
    INSTANCE
  }

  /** See {@link Input#bytes(byte[])}. */
  record Bytes(byte[] data) implements Input {
    public Bytes {
      Objects.requireNonNull(data, "data");
    }

    @Override
    public byte[] data() {
      return data.clone();
    }
  }

  /** See {@link Input#file(Path)}. */
  record FromFile(Path path) implements Input {}
}
