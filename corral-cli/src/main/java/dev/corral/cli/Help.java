package dev.corral.cli;

/** The --help pages, in the layout of a man page. */
final class Help {
  private Help() {}

  static String corral() {
    return """
        NAME
            corral - run a command under a deadline and end its whole process tree

        SYNOPSIS
            corral run [OPTION]... DURATION COMMAND [ARG]...
            corral tree [--json] PID
            corral doctor
            corral --help | --version

        DESCRIPTION
            run      Start COMMAND; when DURATION passes, send the stop signal to every
                     process it started, however they daemonized, and verify that none
                     survived. The grammar is GNU timeout's; see 'corral run --help'.
            tree     Show the processes under PID with their group, session, state and
                     cgroup, and those that left the tree but kept its session or group.
            doctor   Say which containment works on this machine, and why the rest
                     does not. Exits 0 when full (cgroup v2) containment works.

        EXAMPLES
            corral run 10s make test
            corral run -k 5 -v 1m ./server --port 8080
            corral tree $$
            corral doctor
        """;
  }

  static String run(String shownAs, boolean asTimeout) {
    String name = asTimeout ? "timeout" : "corral run";
    return """
        NAME
            %1$s - run a command with a time limit, then end its whole process tree

        SYNOPSIS
            %2$s [OPTION]... DURATION COMMAND [ARG]...
            %2$s --help | --version

        DESCRIPTION
            Start COMMAND with its arguments. If it still runs after DURATION, send it
            the TERM signal (or SIGNAL), and send the same signal to every process it
            started: background jobs, pipelines, double-forked daemons, new sessions.
            What is left when COMMAND exits is stopped too, so nothing it started is
            alive when this program returns.

            Mandatory arguments to long options are mandatory for short options too.

            -f, --foreground
                   keep COMMAND in this session and process group, so that it can read
                   the terminal and receive its signals; the whole tree is still stopped
            -k, --kill-after=DURATION
                   send KILL to whatever still runs this long after the first signal
            -p, --preserve-status
                   exit with COMMAND's status even when it timed out
            -s, --signal=SIGNAL
                   the signal to send when the time is up: a name such as HUP or INT,
                   or a number; 0 sends none, so only -k ends the command
            -v, --verbose
                   report each signal sent, on standard error
                --grace=DURATION
                   the same as --kill-after
                --report=json[=FILE]
                   write the result and how the tree was ended as JSON, to standard
                   error or to FILE (- for standard output)
                --containment=auto|cgroup|group|portable
                   how the tree is held: a cgroup v2 per run, or a session and process
                   group with a /proc sweep; auto takes the strongest that works here;
                   portable uses the JDK alone (best effort, TERM and KILL only)
                --leave-running
                   do not stop what COMMAND leaves behind when it exits by itself
                --help     show this help and exit
                --version  show the version and exit

            DURATION is a number, with a fraction if needed, and an optional unit: s for
            seconds (the default), m for minutes, h for hours, d for days. 0 means no
            limit.

            Without -k, COMMAND may take as long as it needs to exit after the signal,
            and what it leaves behind gets KILL two seconds after it exits.

            Signals sent to this program (HUP, INT, TERM, USR1 and the others that end a
            process) are passed on to the whole tree; ALRM counts as the time being up.
            Signals the caller ignored stay ignored in COMMAND.

        EXIT STATUS
            124  COMMAND timed out (unless -p)
            125  this program failed
            126  COMMAND was found but could not be run
            127  COMMAND was not found
            137  COMMAND, or this program, was killed with KILL
            otherwise COMMAND's status; if a signal ended COMMAND, this program ends by
            the same signal

        EXAMPLES
            %2$s 5 curl -s http://localhost:8080/health
            %2$s -k 10s 2m ./run-tests.sh
            %2$s -s INT -v 30s ./server
            %2$s --report=json=result.json 1h make
        """.formatted(name, shownAs);
  }

  static String tree() {
    return """
        NAME
            corral tree - show the process tree under a pid

        SYNOPSIS
            corral tree [--json] PID

        DESCRIPTION
            Lists PID and its descendants with pid, parent, process group, session,
            state, cgroup and command line, drawn as a tree; then the processes outside
            the tree that still share PID's session or process group (a double fork
            leaves them there). --json prints the same as one JSON object. A snapshot:
            processes can start and end while it is taken.
        """;
  }
}
