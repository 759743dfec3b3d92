package passthrough.core.bundle;

import java.util.ArrayList;
import java.util.List;

/**
 * A check of one profile or plugin entry's content, run on every such entry before anything is installed: the
 * profile validator and the plugin bytecode audit plug in here. An empty list means the entry passes.
 */
@FunctionalInterface
public interface BundleEntryCheck {
    /** Passes everything: for callers that check nothing beyond the bundle's integrity. */
    BundleEntryCheck NONE = (name, content) -> List.of();

    /**
     * What is wrong with the entry, one message each (without the entry's name, which the caller adds), or empty.
     *
     * @param entryName e.g. {@code profiles/debian-12.json} or {@code plugins/foo.jar}
     */
    List<String> problems(String entryName, byte[] content);

    /** Both checks; the problems of this one first. */
    default BundleEntryCheck and(BundleEntryCheck other) {
        return (name, content) -> {
            List<String> all = new ArrayList<>(problems(name, content));
            all.addAll(other.problems(name, content));
            return all;
        };
    }
}
