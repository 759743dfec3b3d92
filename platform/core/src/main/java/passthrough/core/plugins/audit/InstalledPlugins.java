package passthrough.core.plugins.audit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import passthrough.core.apply.FileDigest;

/**
 * The third-party plugins `plugins install` put under {@code <root>/var/lib/passthrough/plugins/}: each jar with its
 * {@link AuditRecord}. Only reads; the executor writes them (one transaction, so `history` shows an install and
 * `rollback` undoes it).
 */
public final class InstalledPlugins {
    /** Relative to the host root. */
    public static final String DIRECTORY = "var/lib/passthrough/plugins";

    private InstalledPlugins() {
    }

    /**
     * One jar in the directory and whether it may load.
     *
     * @param jar     the jar
     * @param record  its audit record, null when missing or unreadable
     * @param problem why it is not loaded (`<jar>: <reason>; <way out>`), null when it may load
     */
    public record Installed(Path jar, AuditRecord record, String problem) {
        public boolean loadable() {
            return problem == null;
        }
    }

    public static Path directory(Path root) {
        return root.resolve(DIRECTORY);
    }

    public static Path recordOf(Path jar) {
        return jar.resolveSibling(jar.getFileName() + AuditRecord.SUFFIX);
    }

    /** Every jar in {@code directory} (none when it does not exist), checked against its record. */
    public static List<Installed> in(Path directory) {
        List<Installed> out = new ArrayList<>();
        if (!Files.isDirectory(directory)) return out;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path jar : jars) out.add(check(jar));
        } catch (IOException e) {
            out.add(new Installed(directory, null, directory + ": cannot be listed (" + e.getMessage()
                    + "); check its permissions"));
        }
        out.sort((a, b) -> a.jar().compareTo(b.jar()));
        return out;
    }

    /** Whether {@code jar} matches the audit record beside it. */
    public static Installed check(Path jar) {
        Path recordFile = recordOf(jar);
        if (!Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS)) {
            return new Installed(jar, null, jar + ": is not a regular file; remove it and install the plugin with "
                    + "`passthrough plugins install JAR`");
        }
        if (!Files.isRegularFile(recordFile, LinkOption.NOFOLLOW_LINKS)) {
            return new Installed(jar, null, jar + ": not loaded, it has no audit record (" + recordFile.getFileName()
                    + "), so it was not installed with `passthrough plugins install`; remove it and install it with that");
        }
        AuditRecord record;
        try {
            record = AuditRecord.fromJson(Files.readAllBytes(recordFile));
        } catch (IOException | RuntimeException e) {
            return new Installed(jar, null, recordFile + ": not loaded, the audit record cannot be read ("
                    + e.getMessage() + "); remove the plugin and install it again");
        }
        String digest;
        try {
            digest = FileDigest.of(Files.readAllBytes(jar));
        } catch (IOException e) {
            return new Installed(jar, record, jar + ": cannot be read (" + e.getMessage() + "); check its permissions");
        }
        if (!digest.equals(record.sha256())) {
            return new Installed(jar, record, jar + ": not loaded, its bytes changed since it was audited and installed "
                    + "(sha256 " + digest.substring(0, 12) + "… instead of " + record.sha256().substring(0, Math.min(12,
                    record.sha256().length())) + "…); someone replaced it: remove it with `passthrough plugins remove "
                    + record.pluginId() + "` and install the vendor's jar again");
        }
        if (!record.admitted()) {
            return new Installed(jar, record, jar + ": not loaded, its audit found forbidden calls and it was not "
                    + "installed with --trust; remove it with `passthrough plugins remove " + record.pluginId() + "`");
        }
        return new Installed(jar, record, null);
    }
}
