package passthrough.core.host;

import java.util.ArrayList;
import java.util.List;
import passthrough.api.Finding;

/** Collects what could not be read while building facts; each becomes a warning with the path and a way out. */
final class ReadProblems {
    private final List<Finding> findings = new ArrayList<>();

    void warn(String code, String message, String fix) {
        findings.add(Finding.warning(code, message, fix));
    }

    /** Not a problem but worth knowing about how something was read (a device placed by its VMD parent). */
    void info(String code, String message) {
        findings.add(Finding.info(code, message));
    }

    void unreadable(UnreadableFileException e) {
        findings.add(Finding.warning("UNREADABLE_FILE", e.getMessage(),
                "run as root, or capture the host with `sudo passthrough report` and read the report"));
    }

    List<Finding> findings() {
        return List.copyOf(findings);
    }
}
