package passthrough.core.host;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import passthrough.api.OsRelease;

/** os-release(5): KEY=value lines, values optionally in single or double quotes with shell escapes. */
public final class OsReleaseParser {
    private OsReleaseParser() {
    }

    public static OsRelease parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            String key = line.substring(0, eq).strip();
            if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) continue;
            fields.put(key, unquote(line.substring(eq + 1).strip()));
        }
        // os-release(5): "linux" when ID is not set; an empty ID= is not set either (a profile is chosen by it)
        String id = fields.getOrDefault("ID", "").isBlank() ? "linux" : fields.get("ID");
        String version = fields.getOrDefault("VERSION_ID", "");
        String pretty = fields.getOrDefault("PRETTY_NAME", fields.getOrDefault("NAME", id) + (version.isEmpty() ? "" : " " + version));
        List<String> like = Arrays.stream(fields.getOrDefault("ID_LIKE", "").split("\\s+")).filter(s -> !s.isEmpty()).toList();
        return new OsRelease(id, version, pretty, like, fields);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            boolean dq = v.charAt(0) == '"';
            String inner = v.substring(1, v.length() - 1);
            if (!dq) return inner;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < inner.length(); i++) {
                char c = inner.charAt(i);
                if (c == '\\' && i + 1 < inner.length() && "\"\\$`".indexOf(inner.charAt(i + 1)) >= 0) c = inner.charAt(++i);
                sb.append(c);
            }
            return sb.toString();
        }
        return v;
    }
}
