package passthrough.core.plan;

import java.util.List;

/** A command the plan runs after its files are written (inside the root), and why. */
public record PlannedCommand(List<String> argv, String reason, String plugin) {

    public PlannedCommand {
        argv = List.copyOf(argv);
    }
}
