package passthrough.api;

import java.util.List;

/**
 * What an extension reads from the host, so the core reads exactly that into {@link HostFacts} (and a host report
 * archives it) without naming any plugin's files itself. Every extension point extends this.
 */
public interface HostReads {

    /**
     * Files under the host root this extension reads through {@link HostFacts#files()}, relative to the root
     * ({@code etc/default/grub}); a {@code *} in the last segment matches names in that one directory
     * ({@code etc/default/grub.d/*.cfg}). Read when they exist.
     */
    default List<String> hostFiles() {
        return List.of();
    }

    /** Commands whose presence it asks with {@link HostFacts#hasCommand(String)} ({@code update-grub}). */
    default List<String> hostCommands() {
        return List.of();
    }
}
