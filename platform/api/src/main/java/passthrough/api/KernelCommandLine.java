package passthrough.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A kernel command line, parsed the way the kernel does (lib/cmdline.c next_arg: whitespace separates,
 * double quotes group) and kept lossless: {@link #toString()} gives back the text byte for byte, and an
 * edit touches only the parameters it changes. Everything after a lone {@code --} belongs to init and
 * is never edited.
 */
public final class KernelCommandLine {

    /**
     * A piece of the original text: a parameter (with its raw spelling), a word the kernel reads but that is no
     * parameter this model can hold (kept as written, never edited), or the blanks between words.
     */
    private record Piece(String raw, KernelParameter parameter, boolean word) {
        boolean isParameter() {
            return parameter != null;
        }
    }

    private final List<Piece> pieces;
    private final String initArguments; // "-- ..." tail, verbatim, or ""

    private KernelCommandLine(List<Piece> pieces, String initArguments) {
        this.pieces = List.copyOf(pieces);
        this.initArguments = initArguments;
    }

    public static KernelCommandLine empty() {
        return new KernelCommandLine(List.of(), "");
    }

    /**
     * The kernel's isspace (lib/ctype.c, C locale): space, \t, \n, \v, \f and \r. Not Java's isWhitespace, which
     * also splits at \u001c..\u001f and Unicode spaces where the kernel does not.
     */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** Parses a command line; never fails: text the kernel would ignore is kept as it is. */
    public static KernelCommandLine parse(String text) {
        List<Piece> pieces = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int start = i;
            if (isSpace(text.charAt(i))) {
                while (i < n && isSpace(text.charAt(i))) i++;
                pieces.add(new Piece(text.substring(start, i), null, false));
                continue;
            }
            // lib/cmdline.c next_arg: a word ends at a blank outside double quotes
            boolean inQuote = false;
            while (i < n && (inQuote || !isSpace(text.charAt(i)))) {
                if (text.charAt(i) == '"') inQuote = !inQuote;
                i++;
            }
            String raw = text.substring(start, i);
            String[] nameValue = nextArg(raw);
            if (nameValue[1] == null && nameValue[0].equals("--")) {
                return new KernelCommandLine(pieces, text.substring(start));
            }
            pieces.add(new Piece(raw, toParameter(nameValue), true));
        }
        return new KernelCommandLine(pieces, "");
    }

    /**
     * Every {name, value or null} the kernel's parse_args hands to its handlers, up to a bare "--": also how module
     * options (modprobe.d {@code options} lines) are read.
     */
    static List<String[]> kernelArguments(String text) {
        List<String[]> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            if (isSpace(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            boolean inQuote = false;
            while (i < n && (inQuote || !isSpace(text.charAt(i)))) {
                if (text.charAt(i) == '"') inQuote = !inQuote;
                i++;
            }
            String[] nameValue = nextArg(text.substring(start, i));
            if (nameValue[1] == null && nameValue[0].equals("--")) break;
            out.add(nameValue);
        }
        return out;
    }

    /**
     * What next_arg makes of one word: {name, value or null}, quotes removed exactly where the kernel removes them
     * (a leading quote of the word, a leading quote of the value with the word's last quote, nothing inside).
     */
    static String[] nextArg(String raw) {
        char[] a = raw.toCharArray();
        int from = 0;
        boolean quoted = false;
        if (a.length > 0 && a[0] == '"') {
            from = 1;
            quoted = true;
        }
        int equals = -1;
        for (int k = from; k < a.length; k++) {
            if (a[k] == '=') {
                // the kernel keeps the first '=' only past the word's first character: "=x" is a name
                if (k > from) equals = k;
                break;
            }
        }
        int nameEnd = equals < 0 ? a.length : equals;
        int valueStart = equals < 0 ? -1 : equals + 1;
        int valueEnd = a.length;
        boolean lastCut = false; // the kernel wrote its NUL over the word's last character
        if (valueStart >= 0 && valueStart < a.length && a[valueStart] == '"') {
            valueStart++;
            if (a[a.length - 1] == '"') {
                valueEnd = a.length - 1;
                lastCut = true;
            }
        }
        if (quoted && a.length > 0 && a[a.length - 1] == '"' && !lastCut && a.length - 1 >= from) {
            if (valueStart >= 0) valueEnd = a.length - 1;
            else nameEnd = a.length - 1;
        }
        String name = new String(a, from, Math.max(0, nameEnd - from));
        String value = valueStart < 0 ? null : valueEnd <= valueStart ? "" : new String(a, valueStart, valueEnd - valueStart);
        return new String[] {name, value};
    }

    /** A parameter, or null when the kernel's name or value is one KernelParameter cannot hold (kept as text). */
    private static KernelParameter toParameter(String[] nameValue) {
        String name = nameValue[0];
        String value = nameValue[1];
        if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('"') >= 0
                || name.chars().anyMatch(c -> isSpace((char) c) || Character.isWhitespace(c))) {
            return null;
        }
        if (value != null && value.indexOf('"') >= 0) return null;
        return new KernelParameter(name, value);
    }

    /** The parameters before any {@code --}, in order, duplicates included. */
    public List<KernelParameter> parameters() {
        List<KernelParameter> out = new ArrayList<>();
        for (Piece p : pieces) if (p.isParameter()) out.add(p.parameter());
        return Collections.unmodifiableList(out);
    }

    /** The last occurrence wins for most kernel parameters, as with {@code __setup} handlers reading in order. */
    public Optional<KernelParameter> last(String name) {
        KernelParameter found = null;
        for (Piece p : pieces) if (p.isParameter() && p.parameter().sameName(name)) found = p.parameter();
        return Optional.ofNullable(found);
    }

    public List<KernelParameter> all(String name) {
        return parameters().stream().filter(p -> p.sameName(name)).toList();
    }

    public boolean has(KernelParameter pattern) {
        return parameters().stream().anyMatch(p -> p.matches(pattern));
    }

    /** Text after {@code --}, passed to init; empty when there is none. */
    public String initArguments() {
        return initArguments;
    }

    /**
     * Sets {@code parameter}: the first parameter of that name is rewritten in place, later ones are
     * removed (a duplicate is never left behind), and it is appended when absent. Unchanged text stays.
     */
    public KernelCommandLine with(KernelParameter parameter) {
        int first = -1;
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i).isParameter() && pieces.get(i).parameter().sameName(parameter.name())) {
                first = i;
                break;
            }
        }
        List<Piece> out = new ArrayList<>(pieces);
        if (first < 0) {
            int lastWord = out.size() - 1;
            while (lastWord >= 0 && !out.get(lastWord).word()) lastWord--;
            if (lastWord >= 0 && out.get(lastWord).raw().chars().filter(c -> c == '"').count() % 2 == 1) {
                // the last word's quote never closes, so the kernel reads the rest of the line into it: go before it
                out.add(lastWord, new Piece(" ", null, false));
                out.add(lastWord, new Piece(parameter.toString(), parameter, true));
                return new KernelCommandLine(out, initArguments);
            }
            if (!out.isEmpty() && out.get(out.size() - 1).word()) out.add(new Piece(" ", null, false));
            out.add(new Piece(parameter.toString(), parameter, true));
            return new KernelCommandLine(out, initArguments);
        }
        if (!out.get(first).parameter().equals(parameter)) out.set(first, new Piece(parameter.toString(), parameter, true));
        return new KernelCommandLine(remove(out, p -> p.sameName(parameter.name()), first + 1), initArguments);
    }

    /** Removes every parameter matching {@code pattern} (name, and value when the pattern has one). */
    public KernelCommandLine without(KernelParameter pattern) {
        return without(p -> p.matches(pattern));
    }

    public KernelCommandLine without(Predicate<KernelParameter> doomed) {
        return new KernelCommandLine(remove(pieces, doomed, 0), initArguments);
    }

    /**
     * Drops doomed parameters at or after {@code from}, each with one adjacent separator: the one before it, or at
     * the very start the one after it, so the rest of the text keeps its spacing.
     */
    private static List<Piece> remove(List<Piece> in, Predicate<KernelParameter> doomed, int from) {
        List<Piece> out = new ArrayList<>();
        boolean skipNextSeparator = false;
        for (int i = 0; i < in.size(); i++) {
            Piece p = in.get(i);
            if (i >= from && p.isParameter() && doomed.test(p.parameter())) {
                boolean hasWordBefore = out.stream().anyMatch(Piece::word);
                if (hasWordBefore && !out.get(out.size() - 1).word()) {
                    out.remove(out.size() - 1);
                } else {
                    skipNextSeparator = true;
                }
                continue;
            }
            if (!p.word() && skipNextSeparator) {
                skipNextSeparator = false;
                continue;
            }
            skipNextSeparator = false;
            out.add(p);
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Piece p : pieces) sb.append(p.raw());
        if (!initArguments.isEmpty()) {
            if (sb.length() > 0 && !isSpace(sb.charAt(sb.length() - 1))) sb.append(' ');
            sb.append(initArguments);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelCommandLine k && k.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
