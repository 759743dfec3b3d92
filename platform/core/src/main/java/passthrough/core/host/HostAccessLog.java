package passthrough.core.host;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Records every path the facts reader touched, relative to the root: directories listed, symbolic links
 * followed or read, files read (with the bytes read) and files only tested for existence. A host report is
 * exactly this record, so an unpacked report reads back to the same facts.
 */
public final class HostAccessLog {
    private final Set<String> directories = new TreeSet<>();
    private final Map<String, String> symlinks = new TreeMap<>();
    private final Map<String, byte[]> files = new TreeMap<>();
    private final Set<String> existenceOnly = new TreeSet<>();

    synchronized void directory(String rel) {
        if (!rel.isEmpty()) directories.add(rel);
    }

    synchronized void symlink(String rel, String target) {
        symlinks.put(rel, target);
    }

    synchronized void file(String rel, byte[] content) {
        files.put(rel, content);
        existenceOnly.remove(rel);
    }

    synchronized void exists(String rel) {
        if (!files.containsKey(rel)) existenceOnly.add(rel);
    }

    public synchronized Set<String> directories() {
        return new TreeSet<>(directories);
    }

    public synchronized Map<String, String> symlinks() {
        return new TreeMap<>(symlinks);
    }

    public synchronized Map<String, byte[]> files() {
        return new TreeMap<>(files);
    }

    /** Files whose presence matters but whose content was not read (e.g. root-only ACPI tables). */
    public synchronized Set<String> existenceOnly() {
        return new TreeSet<>(existenceOnly);
    }
}
