package passthrough.core.bundle;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A bundle that passed every check: genuine (its manifest matches every entry and, unless allowed unsigned, a trusted
 * key signed it), well placed and accepted by the content checks.
 *
 * @param profiles profile id to the profile file's bytes, sorted
 * @param plugins  plugin jar file name to its bytes, sorted
 * @param signer   the trusted key that verified the signature, or null for an unsigned bundle installed with
 *                 --allow-unsigned
 */
public record VerifiedBundle(String file, SortedMap<String, byte[]> profiles, SortedMap<String, byte[]> plugins,
                             TrustedKeys.TrustedKey signer) {
    public VerifiedBundle {
        profiles = Collections.unmodifiableSortedMap(new TreeMap<>(profiles));
        plugins = Collections.unmodifiableSortedMap(new TreeMap<>(plugins));
    }

    public boolean signed() {
        return signer != null;
    }
}
