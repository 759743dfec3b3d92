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
 * @param undo         how a rollback undoes it (null in journals written before it existed: run it again)
 */
public record JournaledCommand(List<String> argv, long timeoutSeconds, Status status, Integer exitStatus,
                               List<String> outputTail, Long pid, String processStart, UndoStep undo) {

    public enum Status {
        @JsonProperty("pending") PENDING,
        @JsonProperty("running") RUNNING,
        @JsonProperty("ok") OK,
        @JsonProperty("failed") FAILED,
        @JsonProperty("timed-out") TIMED_OUT,
        @JsonProperty("missing") MISSING,
        /** The user asked for files only; they must run it themselves. */
        @JsonProperty("skipped") SKIPPED,
        /** Rollback left what the command made, on purpose (its undo is "keep"); the output tail says why. */
        @JsonProperty("kept") KEPT
    }

    public JournaledCommand {
        argv = List.copyOf(argv);
        outputTail = outputTail == null ? List.of() : List.copyOf(outputTail);
        undo = undo == null ? UndoStep.rerun() : undo;
    }

    public JournaledCommand(List<String> argv, long timeoutSeconds, Status status, Integer exitStatus, List<String> outputTail) {
        this(argv, timeoutSeconds, status, exitStatus, outputTail, null, null, UndoStep.rerun());
    }

    public JournaledCommand(List<String> argv, long timeoutSeconds, Status status, Integer exitStatus, List<String> outputTail,
                            UndoStep undo) {
        this(argv, timeoutSeconds, status, exitStatus, outputTail, null, null, undo);
    }

    JournaledCommand withStatus(Status s) {
        return new JournaledCommand(argv, timeoutSeconds, s, exitStatus, outputTail, undo);
    }

    /** RUNNING as the process {@code process}. */
    JournaledCommand running(ProcessHandle process) {
        return new JournaledCommand(argv, timeoutSeconds, Status.RUNNING, null, null, process.pid(),
                process.info().startInstant().map(Object::toString).orElse(null), undo);
    }

    JournaledCommand withResult(CommandResult r) {
        Status s = switch (r.outcome()) {
            case OK -> Status.OK;
            case FAILED -> Status.FAILED;
            case TIMED_OUT -> Status.TIMED_OUT;
            case MISSING -> Status.MISSING;
        };
        return new JournaledCommand(argv, timeoutSeconds, s, r.exitStatus(), r.outputTail(), undo);
    }
}
