package passthrough.it.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The journal as a test reads it from disk: each transaction's manifest.json, oldest first. */
record JournalView(Map<String, JsonNode> manifests) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> UNFINISHED = List.of("planned", "files-written", "commands-run", "rolling-back");

    static JournalView read(Path root) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        Path tx = root.resolve(HostCopy.JOURNAL).resolve("transactions");
        if (!Files.isDirectory(tx)) return new JournalView(out);
        try (Stream<Path> s = Files.list(tx)) {
            for (Path d : s.toList()) {
                Path m = d.resolve("manifest.json");
                // a directory without manifest: a crash before the first save; recovery removes it
                out.put(d.getFileName().toString(), Files.exists(m) ? JSON.readTree(Files.readAllBytes(m)) : null);
            }
        }
        return new JournalView(out);
    }

    String state(String txid) {
        JsonNode m = manifests.get(txid);
        return m == null ? "no-manifest" : m.get("state").asText();
    }

    List<String> unfinished() {
        List<String> out = new ArrayList<>();
        manifests.forEach((id, m) -> {
            if (m == null || UNFINISHED.contains(m.get("state").asText())) out.add(id);
        });
        return out;
    }

    /** "txid state file-statuses command-statuses" per transaction: equal views mean nothing was journaled. */
    String fingerprint() {
        StringBuilder sb = new StringBuilder();
        manifests.forEach((id, m) -> {
            sb.append(id).append(' ').append(m == null ? "no-manifest" : m.get("state").asText());
            if (m != null) {
                m.get("files").forEach(f -> sb.append(' ').append(f.get("status").asText()));
                m.get("commands").forEach(c -> sb.append(' ').append(c.get("status").asText()));
                m.get("rollbackCommands").forEach(c -> sb.append(' ').append(c.get("status").asText()));
            }
            sb.append('\n');
        });
        return sb.toString();
    }

    /** For each file path, the newest transaction that lists it (as realPath) with its entry. */
    Map<String, Map.Entry<JsonNode, JsonNode>> newestEntryPerFile() {
        Map<String, Map.Entry<JsonNode, JsonNode>> out = new TreeMap<>();
        manifests.forEach((id, m) -> {
            if (m == null) return;
            for (JsonNode f : m.get("files")) {
                if (f.get("action").asText().equals("unchanged")) continue;
                out.put(f.get("realPath").asText(), Map.entry(m, f));
            }
        });
        return out;
    }
}
