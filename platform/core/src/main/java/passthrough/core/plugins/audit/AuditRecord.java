package passthrough.core.plugins.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.Objects;

/**
 * The sidecar {@code <jar>.audit.json} written with each installed plugin: what the audit found when it was installed
 * and whether the user overrode it. It vouches for exactly the bytes whose SHA-256 it holds, so a jar swapped after
 * installation no longer matches and is not loaded.
 *
 * @param format      {@link #FORMAT}
 * @param pluginId    Plugin-Id at installation
 * @param sha256      SHA-256 hex of the installed jar
 * @param trusted     installed with --trust although the audit was not clean
 * @param installedAt ISO-8601 instant
 * @param audit       the audit result
 */
public record AuditRecord(int format, String pluginId, String sha256, boolean trusted, String installedAt,
                          PluginAuditResult audit) {
    public static final int FORMAT = 1;
    public static final String SUFFIX = ".audit.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public AuditRecord {
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(audit, "audit");
    }

    /** Clean, or knowingly trusted: the condition for loading. */
    public boolean admitted() {
        return audit.clean() || trusted;
    }

    public byte[] toJson() {
        try {
            return (JSON.writeValueAsString(this) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an audit record: " + e.getMessage(), e);
        }
    }

    public static AuditRecord fromJson(byte[] json) throws IOException {
        AuditRecord r = JSON.readValue(json, AuditRecord.class);
        if (r.format() != FORMAT) throw new IOException("audit record format " + r.format() + " is not " + FORMAT);
        return r;
    }
}
