package passthrough.core.bundle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decides whether a read bundle may be installed: the signature first (so nothing below is judged on a manifest an
 * attacker wrote), then the manifest against every entry, then each plugin's pf4j manifest and version, then the
 * content checks. Refuses at the first problem, naming the bundle, the entry and what to do.
 */
public final class BundleVerifier {
    private final List<TrustedKeys.TrustedKey> trustedKeys;
    private final boolean allowUnsigned;
    private final String platformVersion;
    private final BundleEntryCheck contentCheck;

    /**
     * @param trustedKeys     the host's trusted keys ({@link TrustedKeys#of})
     * @param allowUnsigned   accept a bundle without a signature (its manifest is still checked)
     * @param platformVersion this passthrough's version, which each plugin's Plugin-Requires must admit
     * @param contentCheck    run on every profile and plugin entry
     */
    public BundleVerifier(List<TrustedKeys.TrustedKey> trustedKeys, boolean allowUnsigned, String platformVersion,
                          BundleEntryCheck contentCheck) {
        this.trustedKeys = List.copyOf(trustedKeys);
        this.allowUnsigned = allowUnsigned;
        this.platformVersion = platformVersion;
        this.contentCheck = contentCheck;
    }

    public VerifiedBundle verify(BundleContents bundle) throws BundleRefusedException {
        String file = bundle.file();
        if (bundle.manifest() == null) {
            throw BundleRefusedException.about(file + ": " + BundleLayout.MANIFEST, "is missing",
                    "this is not a profile bundle; make one with `passthrough profiles bundle`");
        }
        TrustedKeys.TrustedKey signer = checkSignature(bundle);
        checkManifest(bundle);
        SortedMap<String, byte[]> profiles = new TreeMap<>();
        SortedMap<String, byte[]> plugins = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : bundle.entries().entrySet()) {
            String where = file + ": " + e.getKey();
            if (BundleLayout.kindOf(e.getKey()) == BundleLayout.Kind.PROFILE) {
                if (profiles.put(BundleLayout.profileId(e.getKey()), e.getValue()) != null) {
                    throw BundleRefusedException.about(where, "profile id " + BundleLayout.profileId(e.getKey()) + " appears twice",
                            "keep one profile per id");
                }
            } else {
                PluginJarCheck.check(where, e.getValue(), platformVersion);
                plugins.put(BundleLayout.pluginFile(e.getKey()), e.getValue());
            }
            List<String> problems = contentCheck.problems(e.getKey(), e.getValue());
            if (!problems.isEmpty()) {
                throw BundleRefusedException.about(where, String.join("; ", problems),
                        "fix the entry and make the bundle again; nothing was installed");
            }
        }
        if (profiles.isEmpty()) {
            throw BundleRefusedException.about(file, "holds no profiles/<id>.json", "a bundle carries at least one profile");
        }
        return new VerifiedBundle(file, profiles, plugins, signer);
    }

    /** The trusted key that signed the manifest, or null for an unsigned bundle that is allowed. */
    private TrustedKeys.TrustedKey checkSignature(BundleContents bundle) throws BundleRefusedException {
        String where = bundle.file() + ": " + BundleLayout.SIGNATURE;
        if (bundle.signature() == null) {
            if (allowUnsigned) return null;
            throw BundleRefusedException.about(where, "is missing: the bundle is not signed",
                    "ask its author for a signed bundle (`passthrough profiles bundle --sign KEY`), or, only if you made it "
                            + "yourself, install it with --allow-unsigned");
        }
        if (trustedKeys.isEmpty()) {
            throw BundleRefusedException.about(where, "cannot be checked: no trusted keys in /" + BundleLayout.TRUSTED_KEYS_DIR,
                    "copy the signer's .pub file there (under --root when given), then install again");
        }
        byte[] signature;
        try {
            signature = Base64.getMimeDecoder().decode(new String(bundle.signature(), StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw BundleRefusedException.about(where, "is not base64 text", "the bundle is corrupt; get it again from its author");
        }
        for (TrustedKeys.TrustedKey key : trustedKeys) {
            if (verifies(key, bundle.manifest(), signature)) return key;
        }
        throw BundleRefusedException.about(where, "does not verify with any of the " + trustedKeys.size() + " trusted key(s) in /"
                + BundleLayout.TRUSTED_KEYS_DIR + " (the bundle was changed after signing, or signed by a key this host "
                + "does not trust)", "get the bundle again from its author, or, if you trust its signer, add their .pub file there");
    }

    private static boolean verifies(TrustedKeys.TrustedKey key, byte[] manifest, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(SigningKeys.ALGORITHM);
            verifier.initVerify(key.key());
            verifier.update(manifest);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature verifies with no key
        }
    }

    /** Every entry listed with its digest, every listed entry present. */
    private static void checkManifest(BundleContents bundle) throws BundleRefusedException {
        String file = bundle.file();
        String tampered = "the bundle was changed after it was made; get it again from its author";
        BundleManifest manifest = BundleManifest.parse(file + ": " + BundleLayout.MANIFEST, bundle.manifest());
        List<String> missing = new ArrayList<>(manifest.digests().keySet());
        for (Map.Entry<String, byte[]> e : bundle.entries().entrySet()) {
            String expected = manifest.digests().get(e.getKey());
            if (expected == null) {
                throw BundleRefusedException.about(file + ": " + e.getKey(), "is not listed in " + BundleLayout.MANIFEST, tampered);
            }
            if (!expected.equals(BundleManifest.sha256(e.getValue()))) {
                throw BundleRefusedException.about(file + ": " + e.getKey(), "does not match its SHA-256 in " + BundleLayout.MANIFEST, tampered);
            }
            missing.remove(e.getKey());
        }
        if (!missing.isEmpty()) {
            throw BundleRefusedException.about(file + ": " + missing.get(0), "is listed in " + BundleLayout.MANIFEST + " but missing",
                    tampered);
        }
    }
}
