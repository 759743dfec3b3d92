package passthrough.core.plugins.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.pf4j.DefaultVersionManager;
import passthrough.core.apply.ApplyOptions;
import passthrough.core.apply.ApplyResult;
import passthrough.core.apply.FileDigest;
import passthrough.core.apply.FileOperation;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.TransactionDescription;
import passthrough.core.apply.TransactionException;

/**
 * Installs and removes third-party plugins under {@code <root>/var/lib/passthrough/plugins}: audit first, then the jar
 * and its {@link AuditRecord} written by the {@link PlanExecutor} as one transaction, so `history` lists it and
 * `rollback` takes it away again. Nothing of the jar is loaded here.
 */
public final class PluginInstaller {
    private final Path root;

    private PluginInstaller(Path root) {
        this.root = root;
    }

    public static PluginInstaller forRoot(Path root) {
        return new PluginInstaller(root);
    }

    /**
     * What an install did.
     *
     * @param pluginId  Plugin-Id
     * @param jarPath   where the jar now is, relative to the root
     * @param audit     the audit
     * @param trusted   installed with --trust despite violations
     * @param result    the executor's transaction
     */
    public record Installation(String pluginId, String jarPath, PluginAuditResult audit, boolean trusted, ApplyResult result) {
    }

    /**
     * Audits {@code jar} and installs it.
     *
     * @param trust           install even though the audit found forbidden calls (never with an invalid manifest)
     * @param platformVersion this platform's version, checked against Plugin-Requires
     * @param takenIds        plugin and extension ids already in use (built-in, first-party, installed)
     */
    public Installation install(Path jar, boolean trust, String platformVersion, Set<String> takenIds)
            throws PluginInstallRefusedException, IOException, TransactionException {
        PluginAuditResult audit = PluginAudit.audit(jar);
        PluginManifest m = audit.manifest();
        if (!m.valid() || !audit.problems().isEmpty()) {
            List<String> why = new java.util.ArrayList<>(m.problems());
            why.addAll(audit.problems());
            throw new PluginInstallRefusedException("NOT_A_PLUGIN", jar + ": not installed, it is not a valid pf4j plugin ("
                    + String.join("; ", why) + "); ask its vendor for a plugin jar built for passthrough", audit);
        }
        if (!compatible(platformVersion, m.requires())) {
            throw new PluginInstallRefusedException("INCOMPATIBLE", jar + ": not installed, plugin " + m.id() + " "
                    + m.version() + " requires passthrough " + m.requires() + " and this is passthrough " + platformVersion
                    + "; get a version of the plugin made for " + platformVersion, audit);
        }
        if (takenIds.contains(m.id()) || installedRecord(m.id()) != null) {
            throw new PluginInstallRefusedException("ALREADY_INSTALLED", m.id() + ": not installed, a plugin or "
                    + "extension with this id is already there (see `passthrough plugins list`); remove the installed "
                    + "one first with `passthrough plugins remove " + m.id() + "`, a built-in or first-party one cannot be replaced", audit);
        }
        if (!audit.violations().isEmpty() && !trust) {
            StringBuilder sb = new StringBuilder(jar + ": not installed, plugin " + m.id() + " makes calls a plugin may not make "
                    + "(plugins describe changes; only passthrough writes, runs or connects):");
            audit.violations().forEach(v -> sb.append("\n  ").append(v));
            sb.append("\nask its vendor why, or install it anyway with --trust if you trust the vendor with this host");
            throw new PluginInstallRefusedException("AUDIT_FAILED", sb.toString(), audit);
        }
        String jarPath = InstalledPlugins.DIRECTORY + "/" + m.id() + "-" + m.version() + ".jar";
        byte[] bytes = Files.readAllBytes(jar);
        if (!FileDigest.of(bytes).equals(audit.sha256())) {
            throw new IOException(jar + ": changed while it was being audited; install it again when nothing writes it");
        }
        boolean trusted = !audit.violations().isEmpty();
        AuditRecord record = new AuditRecord(AuditRecord.FORMAT, m.id(), audit.sha256(), trusted, Instant.now().toString(), audit);
        ApplyResult result = PlanExecutor.forRoot(root).apply(
                new TransactionDescription("plugin-install-" + m.id(), "install plugin " + m.id() + " " + m.version()
                        + (trusted ? " (TRUSTED despite " + audit.violations().size() + " audit violations)" : " (audit clean)")),
                List.of(FileOperation.write(jarPath, FileOperation.ABSENT, bytes),
                        FileOperation.write(jarPath + AuditRecord.SUFFIX, FileOperation.ABSENT, record.toJson())),
                List.of(), ApplyOptions.defaults(), null);
        return new Installation(m.id(), jarPath, audit, trusted, result);
    }

    /** Removes the installed plugin {@code id}: its jar and audit record, one transaction. */
    public ApplyResult remove(String id) throws PluginInstallRefusedException, IOException, TransactionException {
        InstalledPlugins.Installed found = installedRecord(id);
        if (found == null) {
            throw new PluginInstallRefusedException("NOT_INSTALLED", id + ": no plugin with this id was installed with "
                    + "`passthrough plugins install` under " + InstalledPlugins.directory(root)
                    + "; `passthrough plugins list` shows the installed ones (built-in and first-party plugins come with the bundle)", null);
        }
        Path jar = found.jar();
        String jarPath = InstalledPlugins.DIRECTORY + "/" + jar.getFileName();
        List<FileOperation> ops = new java.util.ArrayList<>();
        ops.add(FileOperation.delete(jarPath, FileDigest.of(Files.readAllBytes(jar))));
        Path recordFile = InstalledPlugins.recordOf(jar);
        if (Files.isRegularFile(recordFile)) {
            ops.add(FileOperation.delete(jarPath + AuditRecord.SUFFIX, FileDigest.of(Files.readAllBytes(recordFile))));
        }
        return PlanExecutor.forRoot(root).apply(new TransactionDescription("plugin-remove-" + id, "remove plugin " + id),
                ops, List.of(), ApplyOptions.defaults(), null);
    }

    /** The installed jar whose audit record names {@code id} (swapped jars too: they must stay removable), or null. */
    private InstalledPlugins.Installed installedRecord(String id) {
        return InstalledPlugins.in(InstalledPlugins.directory(root)).stream()
                .filter(i -> i.record() != null && id.equals(i.record().pluginId())).findFirst().orElse(null);
    }

    /** pf4j's own reading of Plugin-Requires (the one it applies when loading), against this platform's version. */
    static boolean compatible(String platformVersion, String requires) {
        try {
            return new DefaultVersionManager().checkVersionConstraint(platformVersion, requires);
        } catch (RuntimeException e) {
            return false; // an unreadable constraint or version: not provably compatible
        }
    }
}
