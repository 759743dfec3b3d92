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

    /** A piece of the original text: a parameter (with its raw spelling) or the whitespace between. */
    private record Piece(String raw, KernelParameter parameter) {
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

    /** Parses a command line; never fails: text the kernel would ignore is kept as it is. */
    public static KernelCommandLine parse(String text) {
        List<Piece> pieces = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            int start = i;
            if (Character.isWhitespace(text.charAt(i))) {
                while (i < n && Character.isWhitespace(text.charAt(i))) i++;
                pieces.add(new Piece(text.substring(start, i), null));
                continue;
            }
            boolean inQuote = false;
            while (i < n && (inQuote || !Character.isWhitespace(text.charAt(i)))) {
                if (text.charAt(i) == '"') inQuote = !inQuote;
                i++;
            }
            String raw = text.substring(start, i);
            if (raw.equals("--")) {
                return new KernelCommandLine(pieces, text.substring(start));
            }
            pieces.add(new Piece(raw, toParameter(raw)));
        }
        return new KernelCommandLine(pieces, "");
    }

    private static KernelParameter toParameter(String raw) {
        // The kernel strips one pair of quotes around the whole word or around the value.
        String word = raw;
        if (word.startsWith("\"")) {
            word = word.substring(1);
            if (word.endsWith("\"")) word = word.substring(0, word.length() - 1);
        }
        int eq = word.indexOf('=');
        String name = eq < 0 ? word : word.substring(0, eq);
        String value = eq < 0 ? null : word.substring(eq + 1);
        if (value != null && value.startsWith("\"")) {
            value = value.substring(1);
            if (value.endsWith("\"")) value = value.substring(0, value.length() - 1);
        }
        name = name.replace("\"", "");
        if (value != null) value = value.replace("\"", "");
        if (name.isEmpty() || name.indexOf('=') >= 0) return null; // e.g. a stray "=x": kept verbatim, not a parameter
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
            if (!out.isEmpty() && out.get(out.size() - 1).isParameter()) out.add(new Piece(" ", null));
            out.add(new Piece(parameter.toString(), parameter));
            return new KernelCommandLine(out, initArguments);
        }
        if (!out.get(first).parameter().equals(parameter)) out.set(first, new Piece(parameter.toString(), parameter));
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
                boolean hasParameterBefore = out.stream().anyMatch(Piece::isParameter);
                if (hasParameterBefore && !out.get(out.size() - 1).isParameter()) {
                    out.remove(out.size() - 1);
                } else {
                    skipNextSeparator = true;
                }
                continue;
            }
            if (!p.isParameter() && skipNextSeparator) {
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
            if (sb.length() > 0 && !Character.isWhitespace(sb.charAt(sb.length() - 1))) sb.append(' ');
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
