package passthrough.core.bundle;

import java.time.Instant;
import passthrough.core.plugins.audit.AuditRecord;
import passthrough.core.plugins.audit.PluginAudit;
import passthrough.core.plugins.audit.PluginAuditResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import passthrough.core.apply.ApplyOptions;
import passthrough.core.apply.ApplyResult;
import passthrough.core.apply.FileDigest;
import passthrough.core.apply.FileOperation;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.TransactionDescription;
import passthrough.core.apply.TransactionException;
import passthrough.core.host.HostRoot;

/**
 * Installs a bundle on the host under a root, all or nothing: the bundle is read and verified in memory, compared with
 * what the host has, and only then handed to the {@link PlanExecutor} as one journaled transaction (profiles to
 * {@code etc/passthrough/profiles/<id>.json}, plugin jars to {@code var/lib/passthrough/plugins/}), so
 * {@code passthrough history} lists it and {@code passthrough rollback} takes it back. Nothing is written before
 * every check passed, and nothing but the executor ever writes.
 */
public final class BundleInstaller {
    /**
     * @param allowUnsigned accept a bundle without a signature
     * @param replace       overwrite profiles and plugin jars the host already has
     */
    public record Options(boolean allowUnsigned, boolean replace) {
    }

    /** What was installed; {@code result.txid()} is the transaction (null when the host already had every file as is). */
    public record Installed(VerifiedBundle bundle, List<String> replaced, ApplyResult result) {
        public Installed {
            replaced = List.copyOf(replaced);
        }
    }

    private final Path root;
    private final String platformVersion;
    private final BundleEntryCheck contentCheck;

    /**
     * @param root            the host root ("/" for this machine)
     * @param platformVersion this passthrough's version, which bundled plugins' Plugin-Requires must admit
     * @param contentCheck    run on every profile and plugin entry before anything is installed
     */
    public BundleInstaller(Path root, String platformVersion, BundleEntryCheck contentCheck) {
        this.root = root;
        this.platformVersion = platformVersion;
        this.contentCheck = contentCheck;
    }

    /** Reads and verifies the bundle, refusing before any write when anything is wrong. */
    public VerifiedBundle verify(Path bundleFile, Options options) throws IOException, BundleRefusedException {
        BundleContents contents = BundleReader.read(bundleFile);
        List<TrustedKeys.TrustedKey> keys = contents.signature() == null ? List.of() : TrustedKeys.of(root);
        return new BundleVerifier(keys, options.allowUnsigned(), platformVersion, contentCheck).verify(contents);
    }

    /**
     * Verifies and installs.
     *
     * @throws BundleRefusedException the bundle or the host refused it; nothing was written
     * @throws TransactionException   the executor refused (nothing written) or failed (its files restored)
     */
    public Installed install(Path bundleFile, Options options) throws IOException, BundleRefusedException, TransactionException {
        if (!Files.isDirectory(root)) {
            throw BundleRefusedException.about("--root " + root, "is not a directory", "give the root directory of the host to change, or /");
        }
        VerifiedBundle bundle = verify(bundleFile, options);
        HostRoot host = HostRoot.ofTree(root);
        List<FileOperation> operations = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        for (Map.Entry<String, byte[]> p : bundle.profiles().entrySet()) {
            String target = BundleLayout.INSTALLED_PROFILES_DIR + "/" + p.getKey() + ".json";
            operations.add(operation(host, target, p.getValue(), options, "profile " + p.getKey(), bundle.file(), replaced));
        }
        for (Map.Entry<String, byte[]> p : bundle.plugins().entrySet()) {
            String target = BundleLayout.INSTALLED_PLUGINS_DIR + "/" + p.getKey();
            // a signature says who sent the jar, not what it does: it is audited like `plugins install`, and the
            // record beside it is what lets the registry load it (a jar without its record is never loaded)
            PluginAuditResult audit = audit(p.getKey(), p.getValue());
            if (!audit.clean()) {
                throw BundleRefusedException.about(bundle.file(), "plugin " + p.getKey() + " fails the audit, nothing was "
                        + "installed:\n  " + String.join("\n  ", audit.reasons()), "ask its vendor why; to run it anyway, "
                        + "install the jar alone with `passthrough plugins install JAR --trust` and the profiles without it");
            }
            AuditRecord record = new AuditRecord(AuditRecord.FORMAT, audit.manifest().id(), audit.sha256(), false,
                    Instant.now().toString(), audit);
            operations.add(operation(host, target, p.getValue(), options, "plugin " + p.getKey(), bundle.file(), replaced));
            operations.add(operation(host, target + AuditRecord.SUFFIX, record.toJson(), options,
                    "the audit record of plugin " + p.getKey(), bundle.file(), replaced));
        }
        ApplyResult result = PlanExecutor.forRoot(root).apply(description(bundle), operations, List.of(),
                ApplyOptions.defaults().withoutCommands(), null);
        return new Installed(bundle, replaced, result);
    }

    /**
     * The bytecode audit of a bundled jar, read from a temporary copy outside the root under the entry's own name (so
     * the audit's messages name it), deleted after.
     */
    private static PluginAuditResult audit(String name, byte[] jar) throws IOException {
        Path dir = Files.createTempDirectory("passthrough-bundled-");
        Path tmp = dir.resolve(Path.of(name).getFileName().toString());
        try {
            Files.write(tmp, jar);
            return PluginAudit.audit(tmp);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(dir);
        }
    }

    /** The write of {@code target}, expecting what the host has now (so a change made meanwhile is refused). */
    private static FileOperation operation(HostRoot host, String target, byte[] content, Options options, String what,
                                           String bundleFile, List<String> replaced) throws BundleRefusedException {
        Optional<byte[]> existing = host.readBytes(target);
        if (existing.isPresent()) {
            if (!options.replace()) {
                throw BundleRefusedException.about(bundleFile, what + " is already installed as /" + target
                        + "; nothing was installed", "install again with --replace to overwrite it (rollback undoes that too)");
            }
            replaced.add(target);
        }
        return FileOperation.write(target, existing.map(FileDigest::of).orElse(FileOperation.ABSENT), content);
    }

    /** The journal's name and title: history shows them. */
    static TransactionDescription description(VerifiedBundle bundle) {
        String name = Path.of(bundle.file()).getFileName().toString();
        String title = "install profile bundle " + name + " (profiles: " + String.join(", ", bundle.profiles().keySet())
                + (bundle.plugins().isEmpty() ? "" : "; plugins: " + String.join(", ", bundle.plugins().keySet())) + ")"
                + (bundle.signed() ? "" : " UNSIGNED");
        return new TransactionDescription("bundle:" + name, title);
    }
}
