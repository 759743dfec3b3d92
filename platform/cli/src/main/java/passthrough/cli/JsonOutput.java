package passthrough.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine;

/**
 * Every `--json` document goes through here, so each command prints exactly one JSON object on stdout that starts
 * with {@code "schemaVersion": 1} and {@code "command": NAME}, followed by the command's own fields (docs/json.md).
 * A failing command prints the same envelope with an {@code "error"} object (see {@link #printError}). Indented,
 * nulls kept (scripts test for them).
 */
final class JsonOutput {
    /** Bumped only on an incompatible change (a field removed, renamed or retyped); new fields keep it. */
    static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonOutput() {
    }

    /** The document for {@code command}: the envelope, then the fields of {@code body} (a record, map or JSON text). */
    static ObjectNode document(String command, Object body) {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("schemaVersion", SCHEMA_VERSION);
        if (command == null) doc.putNull("command");
        else doc.put("command", command);
        if (body != null) {
            JsonNode fields = tree(body);
            if (!fields.isObject()) throw new IllegalArgumentException("a --json body must be an object, not " + fields.getNodeType());
            for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("schemaVersion") && !e.getKey().equals("command")) doc.set(e.getKey(), e.getValue());
            }
        }
        return doc;
    }

    /** Prints the one document of a command that succeeded (or answered "no", like check's exit 1). */
    static void print(PrintWriter out, String command, Object body) {
        write(out, document(command, body));
    }

    /**
     * Prints the document of a command that failed: the envelope, whatever the command knew before it failed
     * ({@code partial}, may be null) and {@code "error": {"code", "message", "exitCode"}}.
     */
    static void printError(PrintWriter out, String command, String code, String message, int exitCode, Object partial) {
        ObjectNode doc = document(command, partial);
        ObjectNode error = doc.putObject("error");
        error.put("code", code);
        error.put("message", message);
        error.put("exitCode", exitCode);
        write(out, doc);
    }

    /** The error code when the failure has no more precise one. */
    static String codeFor(int exitCode) {
        return switch (exitCode) {
            case ExitCodes.NOT_READY -> "FAILED";
            case ExitCodes.USAGE -> "USAGE";
            case ExitCodes.REFUSED -> "REFUSED";
            case ExitCodes.IO_ERROR -> "IO_ERROR";
            default -> "INTERNAL";
        };
    }

    /**
     * Whether `--json` was given to this command line: from the parsed global option, or, when parsing stopped
     * early (a usage error), from the raw arguments before "--".
     */
    static boolean requested(CommandLine cl, String[] args) {
        Object root = cl.getCommandSpec().root().userObject();
        if (root instanceof PassthroughCommand p && p.json) return true;
        if (args != null) {
            for (String a : args) {
                if (a.equals("--")) break;
                if (a.equals("--json")) return true;
            }
        }
        return false;
    }

    /**
     * The subcommand's name for the "command" field — "profiles install" for a nested one — or null for the top level
     * (`passthrough --json --bogus`).
     */
    static String commandName(CommandLine cl) {
        String name = null;
        for (CommandLine c = cl; c.getParent() != null; c = c.getParent()) {
            name = name == null ? c.getCommandName() : c.getCommandName() + " " + name;
        }
        return name;
    }

    private static JsonNode tree(Object body) {
        if (body instanceof JsonNode n) return n;
        if (body instanceof String text) {
            try {
                return MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
            }
        }
        return MAPPER.valueToTree(body);
    }

    private static void write(PrintWriter out, JsonNode doc) {
        try {
            out.println(MAPPER.writeValueAsString(doc));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
