package passthrough.core.plan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import passthrough.api.FileOrigin;

/**
 * Plans as JSON: `plan --out` writes one, `apply PLAN.json` reads it back. Unknown fields are refused, except the
 * envelope `plan --json` puts around the same plan ("schemaVersion", "command"), so its output can be applied too.
 */
public final class PlanFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addMixIn(Plan.class, JsonEnvelope.class);

    /** The fields of the CLI's --json envelope (docs/json.md), ignored when a plan is read. */
    @JsonIgnoreProperties(value = {"schemaVersion", "command"}, allowGetters = false)
    private abstract static class JsonEnvelope {
    }

    private PlanFiles() {
    }

    public static String toJson(Plan plan) {
        try {
            return MAPPER.writeValueAsString(plan);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write plan JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a plan; the message of the exception names the file and what is wrong with it. */
    public static Plan read(Path file) throws IOException {
        Plan plan;
        try {
            plan = MAPPER.readValue(file.toFile(), Plan.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a passthrough plan (" + e.getMessage() + "); make one with "
                    + "`passthrough plan --device ADDR --out " + file.getFileName() + "`", e);
        }
        if (plan == null) {
            throw new IOException(file + ": not a passthrough plan (it holds only null); make one with "
                    + "`passthrough plan --device ADDR --out " + file.getFileName() + "`");
        }
        if (plan.format() != Plan.FORMAT) {
            throw new IOException(file + ": plan format " + plan.format() + " is not " + Plan.FORMAT
                    + "; make the plan again with this version");
        }
        String problem = problem(plan);
        if (problem != null) {
            throw new IOException(file + ": not a usable passthrough plan (" + problem + "); make one with "
                    + "`passthrough plan --device ADDR --out " + file.getFileName() + "` instead of editing it");
        }
        return plan;
    }

    private static final Pattern DIGEST = Pattern.compile("absent|[0-9a-fA-F]{64}");

    /**
     * What a hand-edited plan may lack that apply relies on, or null. (Where a path may lead is the executor's
     * question: it refuses paths outside the root before writing anything.)
     */
    static String problem(Plan plan) {
        if (plan.root() == null) return "root is missing";
        if (plan.target() == null) return "target is missing";
        if (plan.binding() == null) return "binding is missing";
        for (int i = 0; i < plan.targets().size(); i++) {
            if (plan.targets().get(i) == null) return "targets[" + i + "] is null";
        }
        if (plan.targets().isEmpty() || !plan.targets().get(0).equals(plan.target())) {
            return "targets must start with target (" + plan.target() + ")";
        }
        if (plan.kernelParameters() == null) return "kernelParameters is missing";
        for (int i = 0; i < plan.reserved().size(); i++) {
            if (plan.reserved().get(i) == null) return "reserved[" + i + "] is null";
        }
        for (int i = 0; i < plan.findings().size(); i++) {
            PlanFinding f = plan.findings().get(i);
            if (f == null || f.severity() == null || f.message() == null || f.fix() == null) {
                return "findings[" + i + "] needs severity, message and fix";
            }
        }
        for (int i = 0; i < plan.files().size(); i++) {
            PlannedFile f = plan.files().get(i);
            if (f == null) return "files[" + i + "] is null";
            if (f.path() == null || f.path().isEmpty()) return "files[" + i + "].path is missing";
            if (f.beforeDigest() == null || !DIGEST.matcher(f.beforeDigest()).matches()) {
                return "files[" + i + "].beforeDigest must be \"absent\" or 64 hex digits (SHA-256)";
            }
            if (!f.charset().equals(FileOrigin.UTF_8) && !f.charset().equals(FileOrigin.LATIN_1)) {
                return "files[" + i + "].charset must be \"UTF-8\" or \"ISO-8859-1\"";
            }
        }
        for (int i = 0; i < plan.iommuGroups().size(); i++) {
            if (plan.iommuGroups().get(i) == null) return "iommuGroups[" + i + "] is null";
        }
        for (int i = 0; i < plan.card().size(); i++) {
            CardFunction c = plan.card().get(i);
            if (c == null || c.address() == null || c.name() == null || c.why() == null) {
                return "card[" + i + "] needs address, name and why";
            }
        }
        for (int i = 0; i < plan.commands().size(); i++) {
            PlannedCommand c = plan.commands().get(i);
            if (c == null || c.argv().isEmpty() || c.argv().get(0).isEmpty()) return "commands[" + i + "].argv needs a program";
        }
        return null;
    }
}
