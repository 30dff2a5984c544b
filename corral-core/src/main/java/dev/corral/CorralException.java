package dev.corral;

import java.util.OptionalInt;

/**
 * A run could not start or could not be supervised. The message names the command, what failed,
 * and the errno text where the kernel gave one; {@link #reason()} says the same as data.
 */
public final class CorralException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, in the terms a caller acts on. */
  public enum Reason {
    /** The program is not on PATH, or the path does not exist (exit 127 in a shell). */
    NOT_FOUND,
    /** The program exists but cannot be executed: no permission, or not a binary (126). */
    NOT_EXECUTABLE,
    /** The program path names a directory (126). */
    IS_DIRECTORY,
    /** The working directory is missing or not a directory. */
    BAD_DIRECTORY,
    /** argv and environment together exceed the kernel's limit (E2BIG). */
    ARGUMENT_LIST_TOO_LONG,
    /** A kernel resource ran out: descriptors (EMFILE, ENFILE), processes or memory (EAGAIN, ENOMEM). */
    RESOURCE_LIMIT,
    /** An input or output file could not be opened. */
    BAD_REDIRECT,
    /** The requested containment is not available on this machine. */
    CONTAINMENT_UNAVAILABLE,
    /**
     * The deadline passed before the command could start: its stdin or stdout was a FIFO whose
     * other end never opened, or the machine was too busy to spawn it in time. Nothing started.
     */
    DEADLINE_BEFORE_START,
    /** The caller's thread was interrupted while the command waited to start. Nothing started. */
    INTERRUPTED,
    /** Any other failure of a system call. */
    SYSTEM
  }

  private final Reason reason;
  private final String command;
  private final int errno;

  /**
   * @param errno the kernel's error number, or 0 when there is none
   */
  public CorralException(Reason reason, String command, String message, int errno, Throwable cause) {
    super(command == null ? message : command + ": " + message, cause);
    this.reason = reason;
    this.command = command;
    this.errno = errno;
  }

  public Reason reason() {
    return reason;
  }

  /** The command as a shell would show it, or null when the failure concerns no command. */
  public String command() {
    return command;
  }

  /** The errno behind the failure, if the kernel gave one. */
  public OptionalInt errno() {
    return errno == 0 ? OptionalInt.empty() : OptionalInt.of(errno);
  }
}
