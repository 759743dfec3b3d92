package passthrough.core.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** Plans as JSON: `plan --out` writes one, `apply PLAN.json` reads it back. Unknown fields are refused. */
public final class PlanFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

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
        if (plan.format() != Plan.FORMAT) {
            throw new IOException(file + ": plan format " + plan.format() + " is not " + Plan.FORMAT
                    + "; make the plan again with this version");
        }
        return plan;
    }
}
