package passthrough.core.bundle;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bundle's entries after {@link BundleReader} checked the archive's shape (names, types, sizes), before anything
 * about them is verified: the profile and plugin entries (name to bytes, in archive order), the manifest and the
 * signature (null when absent).
 *
 * @param file the bundle's file name, for messages
 */
public record BundleContents(String file, Map<String, byte[]> entries, byte[] manifest, byte[] signature) {
    public BundleContents {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }
}
