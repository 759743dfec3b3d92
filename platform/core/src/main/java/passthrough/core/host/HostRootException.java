package passthrough.core.host;

import java.nio.file.Path;

/** The directory given as the host root cannot be one: it names the path, the reason and the way out. */
public final class HostRootException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    public HostRootException(Path path, String reasonAndWayOut) {
        super("--root " + path + ": " + reasonAndWayOut);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
