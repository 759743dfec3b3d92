package passthrough.cli.json;

import java.util.List;

/** The `--json` documents of `profiles bundle`, `profiles install` and `profiles keygen` (docs/json.md, docs/bundles.md). */
public final class ProfileBundleJson {
    private ProfileBundleJson() {
    }

    /** `profiles bundle`: the file written and what it holds. */
    public record Bundled(String file, List<String> profiles, List<String> plugins, boolean signed) {
    }

    /**
     * `profiles install`: the transaction ({@code txid} null when every file was already as the bundle has it), what
     * was installed where, and who signed it ({@code signer} null for an unsigned bundle).
     */
    public record Installed(String bundle, String txid, List<String> profiles, List<String> plugins, List<String> files,
                            List<String> replaced, boolean signed, Signer signer) {
    }

    /** The trusted key that verified a bundle: its file under the root and its fingerprint. */
    public record Signer(String keyFile, String fingerprint) {
    }

    /** `profiles keygen`: the two files and the public key's fingerprint. */
    public record Keygen(String privateKey, String publicKey, String fingerprint) {
    }
}
