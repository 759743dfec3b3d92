package passthrough.core.apply;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One command in a transaction's journal and what came of it. RUNNING is written before it starts, so a crash
 * while it ran is visible.
 *
 * @param exitStatus null unless it exited
 * @param outputTail the last lines of its stdout and stderr
 * @param pid          while RUNNING: its process, so recovery can stop it if passthrough died and it did not
 * @param processStart while RUNNING: when that process started, so a reused pid is never taken for it
 * @param undoArgv     what a rollback runs instead of {@code argv} again (a command that changed state outside the
 *                     files); empty or absent (journals written before it existed): run {@code argv} again
 */
public record JournaledCommand(List<String> argv, long timeoutSeconds, Status status, Integer exitStatus,
                               List<String> outputTail, Long pid, String processStart, List<String> undoArgv) {

    public enum Status {
        @JsonProperty("pending") PENDING,
        @JsonProperty("running") RUNNING,
        @JsonProperty("ok") OK,
        @JsonProperty("failed") FAILED,
        @JsonProperty("timed-out") TIMED_OUT,
        @JsonProperty("missing") MISSING,
        /** The user asked for files only; they must run it themselves. */
        @JsonProperty("skipped") SKIPPED
    }

    public JournaledCommand {
        argv = List.copyOf(argv);
        outputTail = outputTail == null ? List.of() : List.copyOf(outputTail);
        undoArgv = undoArgv == null ? List.of() : List.copyOf(undoArgv);
    }

    public JournaledCommand(List<String> argv, long timeoutSeconds, Status status, Integer exitStatus,
                            List<String> outputTail, Long pid, String processStart) {
        this(argv, timeoutSeconds, status, exitStatus, outputTail, pid, processStart, List.of());
    }

    /** The same entry carrying {@code undo} as its inverse. */
    JournaledCommand withUndo(List<String> undo) {
        return new JournaledCommand(argv, timeoutSeconds, status, exitStatus, outputTail, pid, processStart, undo);
    }

    /** What a rollback runs for it: the inverse, else the command again. */
    List<String> rollbackArgv() {
        return undoArgv.isEmpty() ? argv : undoArgv;
    }

    public JournaledCommand(List<String> argv, long timeoutSeconds, Status status, Integer exitStatus, List<String> outputTail) {
        this(argv, timeoutSeconds, status, exitStatus, outputTail, null, null);
    }

    JournaledCommand withStatus(Status s) {
        return new JournaledCommand(argv, timeoutSeconds, s, exitStatus, outputTail, null, null, undoArgv);
    }

    /** RUNNING as the process {@code process}. */
    JournaledCommand running(ProcessHandle process) {
        return new JournaledCommand(argv, timeoutSeconds, Status.RUNNING, null, null, process.pid(),
                process.info().startInstant().map(Object::toString).orElse(null), undoArgv);
    }

    JournaledCommand withResult(CommandResult r) {
        Status s = switch (r.outcome()) {
            case OK -> Status.OK;
            case FAILED -> Status.FAILED;
            case TIMED_OUT -> Status.TIMED_OUT;
            case MISSING -> Status.MISSING;
        };
        return new JournaledCommand(argv, timeoutSeconds, s, r.exitStatus(), r.outputTail(), null, null, undoArgv);
    }
}
