package passthrough.core.plan;

import java.util.List;
import passthrough.core.apply.UndoStep;

/**
 * A command the plan runs after its files are written (inside the root), why, and how a rollback undoes it (null in
 * plan files written before it existed: run it again against the restored files, as every generator).
 */
public record PlannedCommand(List<String> argv, String reason, String plugin, UndoStep undo) {

    public PlannedCommand {
        argv = List.copyOf(argv);
        undo = undo == null ? UndoStep.rerun() : undo;
    }

    public PlannedCommand(List<String> argv, String reason, String plugin) {
        this(argv, reason, plugin, UndoStep.rerun());
    }
}
