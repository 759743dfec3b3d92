package passthrough.plugin.kernelstub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader (RFC 8259: objects, arrays, strings with escapes, numbers, true, false, null) for
 * kernelstub's configuration. Plugins get only the api and pf4j, so Jackson is not on their class path; this reads,
 * it never writes (kernelstub saves its own file). A later duplicate key wins, as in Python's json module, which is
 * what kernelstub reads the file with. Errors carry the line.
 */
final class Json {
    /** Malformed input, at {@code line}. */
    static final class JsonException extends Exception {
        final int line;

        JsonException(String message, int line) {
            super(message);
            this.line = line;
        }
    }

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Objects as LinkedHashMap, arrays as List, strings, Double/Long numbers, Boolean, and JSON null as NULL. */
    static Object parse(String text) throws JsonException {
        Json j = new Json(text);
        j.ws();
        Object v = j.value();
        j.ws();
        if (j.i < j.s.length()) throw j.error("unexpected text after the value");
        return v;
    }

    /** JSON null (a Java null would be ambiguous with "absent" in maps). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private JsonException error(String what) {
        int line = 1;
        for (int k = 0; k < Math.min(i, s.length()); k++) if (s.charAt(k) == '\n') line++;
        return new JsonException(what, line);
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
    }

    private Object value() throws JsonException {
        if (i >= s.length()) throw error("the text ends where a value should be");
        char c = s.charAt(i);
        switch (c) {
            case '{': return object();
            case '[': return array();
            case '"': return string();
            case 't': return word("true", Boolean.TRUE);
            case 'f': return word("false", Boolean.FALSE);
            case 'n': return word("null", NULL);
            default:
                if (c == '-' || c >= '0' && c <= '9') return number();
                throw error("unexpected '" + c + "'");
        }
    }

    private Object word(String w, Object v) throws JsonException {
        if (!s.startsWith(w, i)) throw error("unexpected text");
        i += w.length();
        return v;
    }

    private Object number() throws JsonException {
        int start = i;
        if (s.charAt(i) == '-') i++;
        if (i < s.length() && s.charAt(i) == '0') {
            i++;
        } else {
            if (i >= s.length() || !Character.isDigit(s.charAt(i))) throw error("a number needs digits");
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        }
        boolean fraction = false;
        if (i < s.length() && s.charAt(i) == '.') {
            fraction = true;
            i++;
            if (i >= s.length() || !(s.charAt(i) >= '0' && s.charAt(i) <= '9')) throw error("a fraction needs digits");
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            fraction = true;
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            if (i >= s.length() || !(s.charAt(i) >= '0' && s.charAt(i) <= '9')) throw error("an exponent needs digits");
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        }
        String n = s.substring(start, i);
        if (!fraction) {
            try {
                return Long.parseLong(n);
            } catch (NumberFormatException e) {
                return Double.parseDouble(n);
            }
        }
        return Double.parseDouble(n);
    }

    private String string() throws JsonException {
        i++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("a string is not closed");
            char c = s.charAt(i++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw error("a control character inside a string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= s.length()) throw error("a string is not closed");
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw error("a \\u escape needs four hex digits");
                    try {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("a \\u escape needs four hex digits");
                    }
                    i += 4;
                }
                default -> throw error("an unknown escape \\" + e);
            }
        }
    }

    private List<Object> array() throws JsonException {
        i++;
        List<Object> out = new ArrayList<>();
        ws();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return out;
        }
        while (true) {
            ws();
            out.add(value());
            ws();
            if (i >= s.length()) throw error("an array is not closed");
            char c = s.charAt(i++);
            if (c == ']') return out;
            if (c != ',') throw error("expected ',' or ']' in an array");
        }
    }

    private Map<String, Object> object() throws JsonException {
        i++;
        Map<String, Object> out = new LinkedHashMap<>();
        ws();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return out;
        }
        while (true) {
            ws();
            if (i >= s.length() || s.charAt(i) != '"') throw error("expected a key in quotes");
            String key = string();
            ws();
            if (i >= s.length() || s.charAt(i) != ':') throw error("expected ':' after a key");
            i++;
            ws();
            Object v = value();
            out.remove(key);
            out.put(key, v);
            ws();
            if (i >= s.length()) throw error("an object is not closed");
            char c = s.charAt(i++);
            if (c == '}') return out;
            if (c != ',') throw error("expected ',' or '}' in an object");
        }
    }
}
