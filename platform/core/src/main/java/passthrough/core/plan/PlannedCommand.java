package passthrough.core.plan;

import java.util.List;

/**
 * A command the plan runs after its files are written (inside the root), and why.
 *
 * @param undoArgv what rollback runs instead of running {@code argv} again (see {@link passthrough.api.CommandChange});
 *                 empty for a command that regenerates from the files
 */
public record PlannedCommand(List<String> argv, String reason, String plugin, List<String> undoArgv) {

    public PlannedCommand {
        argv = List.copyOf(argv);
        undoArgv = undoArgv == null ? List.of() : List.copyOf(undoArgv);
    }

    public PlannedCommand(List<String> argv, String reason, String plugin) {
        this(argv, reason, plugin, List.of());
    }
}
