package passthrough.core.bundle;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import passthrough.core.host.HostRoot;

/**
 * The public keys whose signatures a host accepts: every {@code *.pub} file in
 * {@code <root>/etc/passthrough/trusted-keys/}, read through {@link HostRoot} so that a link in a copied or hostile
 * root is resolved inside it, never on the machine running passthrough.
 */
public final class TrustedKeys {
    /** One trusted key and the file it came from (named in messages and the install's output). */
    public record TrustedKey(String file, PublicKey key) {
        public String fingerprint() {
            return SigningKeys.fingerprint(key);
        }
    }

    private TrustedKeys() {
    }

    /** Every trusted key of the host under {@code root}, sorted by file name; empty when the directory is missing. */
    public static List<TrustedKey> of(Path root) throws IOException, BundleRefusedException {
        HostRoot host = HostRoot.ofTree(root);
        List<TrustedKey> keys = new ArrayList<>();
        for (String name : host.list(BundleLayout.TRUSTED_KEYS_DIR)) {
            if (!name.endsWith(".pub")) continue;
            String rel = BundleLayout.TRUSTED_KEYS_DIR + "/" + name;
            if (host.isDirectory(rel)) continue;
            Optional<String> text = host.readText(rel);
            if (text.isEmpty()) continue; // a dangling link: no key
            // A broken key file is refused rather than skipped: the administrator meant to trust something.
            keys.add(new TrustedKey("/" + rel, SigningKeys.parsePublicKey("/" + rel, text.get())));
        }
        return keys;
    }
}
