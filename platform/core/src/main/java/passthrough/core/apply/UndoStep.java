package passthrough.core.apply;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import passthrough.api.CommandUndo;

/**
 * How a rollback undoes one command, as the journal and plan files keep it: {@code rerun} (a generator run again
 * against the restored files; also what a journal or plan written before this field means), {@code run} (an inverse
 * command, {@code virsh undefine} for {@code virsh define}) or {@code keep} (what it made stays; {@code why} says so).
 */
public record UndoStep(String kind, List<String> argv, String why) {
    public static final String RERUN = "rerun";
    public static final String RUN = "run";
    public static final String KEEP = "keep";

    public UndoStep {
        kind = kind == null ? RERUN : kind;
        argv = argv == null ? List.of() : List.copyOf(argv);
        switch (kind) {
            case RERUN -> { }
            case RUN -> {
                if (argv.isEmpty() || argv.get(0).isEmpty()) throw new IllegalArgumentException("an undo command needs a program");
            }
            case KEEP -> {
                if (why == null || why.isBlank()) throw new IllegalArgumentException("keeping a command's result needs a reason");
            }
            default -> throw new IllegalArgumentException("undo kind must be rerun, run or keep: '" + kind + "'");
        }
    }

    public static UndoStep rerun() {
        return new UndoStep(RERUN, List.of(), null);
    }

    public static UndoStep of(CommandUndo undo) {
        if (undo instanceof CommandUndo.Run r) return new UndoStep(RUN, r.argv(), null);
        if (undo instanceof CommandUndo.Keep k) return new UndoStep(KEEP, List.of(), k.why());
        return rerun();
    }

    @JsonIgnore // not a field of plan files and journals
    public boolean isRerun() {
        return RERUN.equals(kind);
    }

    /** For messages: "runs again", "`virsh undefine vm1`", "kept: why". */
    public String display() {
        return switch (kind) {
            case RUN -> "`" + String.join(" ", argv) + "`";
            case KEEP -> "kept: " + why;
            default -> "runs again";
        };
    }
}
