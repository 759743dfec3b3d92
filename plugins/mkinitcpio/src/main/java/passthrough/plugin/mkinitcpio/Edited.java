package passthrough.plugin.mkinitcpio;

import java.util.List;
import java.util.Map;
import passthrough.api.Finding;

/** The configuration files' new texts by path (only those that change), or the errors that stop the edit. */
record Edited(Map<String, String> files, List<Finding> errors) {

    static Edited refused(String path, BashArrays.Problem problem, String wayOut) {
        return refusedAt(path + " line " + problem.line(), problem.reason(), wayOut);
    }

    /** {@code where}: "file line N". */
    static Edited refusedAt(String where, String reason, String wayOut) {
        return new Edited(Map.of(), List.of(Finding.error("MKINITCPIO_CONF_UNEDITABLE", where + ": " + reason, wayOut)));
    }

    static Edited refused(String path, int line, String reason, String wayOut) {
        return refused(path, new BashArrays.Problem(line, reason), wayOut);
    }
}
