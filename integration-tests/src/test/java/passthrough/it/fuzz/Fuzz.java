package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A small seeded fuzzer: each input is a real sample mutated a few times (tokens of the format inserted, ranges
 * deleted or repeated, lines spliced from other samples, line ends changed), a line-by-line assembly from the
 * format's own grammar, or short random text over the format's alphabet plus awkward characters. Everything
 * derives from one seed, so a failure names the input and is reproduced by the same seed and count.
 *
 * <p>Why not a library: jqwik (the JUnit-platform property-testing engine) 1.10.x is still built on JUnit Platform
 * 1.x and its engine is not maintained for Platform 6; since 1.10 it also carries a clause asking AI agents not to
 * use it. Jazzer needs its own agent and a JUnit 5 integration. A seeded generator driven by plain JUnit tests needs
 * neither and runs in a few seconds per parser. System properties: {@code passthrough.fuzz.seed},
 * {@code passthrough.fuzz.inputs} (inputs per property, default {@value #DEFAULT_INPUTS}).
 */
final class Fuzz {
    static final int DEFAULT_INPUTS = 10_000;
    static final long SEED = Long.getLong("passthrough.fuzz.seed", 0x5EED_2026L);
    static final int INPUTS = Integer.getInteger("passthrough.fuzz.inputs", DEFAULT_INPUTS);
    /** Inputs tried per parser, for the README's figures (printed by {@link #report()}). */
    static final Map<String, Integer> TRIED = new ConcurrentHashMap<>();

    /** Characters that break parsers: quotes, escapes, blanks of every kind, NUL, a BOM, non-ASCII. */
    static final String AWKWARD = "\"'\\`$#;&|<>(){}[]=:,.-_/*?! \t\r\n\u000b\u000c\u001c\u0000\u00a0\u2028\ufeff\u00e9\u4e2d\ud83d\ude00";

    final Random random;
    private final List<String> corpus;
    private final List<String> tokens;
    private final Function<Fuzz, String> grammar;

    /**
     * @param name    the property's name: with the seed it fixes the inputs
     * @param corpus  real samples of the format
     * @param tokens  words and fragments of the format (keywords, operators, typical values)
     * @param grammar one plausible line of the format, built with the given generator's own randomness, or null
     */
    Fuzz(String name, List<String> corpus, List<String> tokens, Function<Fuzz, String> grammar) {
        this.random = new Random(SEED ^ name.hashCode());
        this.corpus = List.copyOf(corpus);
        this.tokens = List.copyOf(tokens);
        this.grammar = grammar;
    }

    static String resource(Class<?> anchor, String path) {
        try (var in = anchor.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("no resource " + path);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String file(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int below(int n) {
        return n <= 0 ? 0 : random.nextInt(n);
    }

    <T> T pick(List<T> l) {
        return l.get(below(l.size()));
    }

    String token() {
        if (random.nextInt(4) != 0) return pick(tokens);
        int at = AWKWARD.offsetByCodePoints(0, below(AWKWARD.codePointCount(0, AWKWARD.length())));
        return new String(Character.toChars(AWKWARD.codePointAt(at)));
    }

    /** The next input: always a well-formed string (no half surrogate pair), as decoding a file gives. */
    String next() {
        return clean(raw());
    }

    private static String clean(String s) {
        return s.replaceAll("[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]", "?");
    }

    private String raw() {
        int strategy = below(10);
        if (strategy < 5 && !corpus.isEmpty()) return mutate(pick(corpus), 1 + below(6));
        if (strategy < 8 && grammar != null) {
            StringBuilder sb = new StringBuilder();
            int lines = below(12);
            for (int i = 0; i < lines; i++) sb.append(grammar.apply(this)).append(random.nextInt(15) == 0 ? "\r\n" : "\n");
            return random.nextInt(3) == 0 ? mutate(sb.toString(), 1 + below(3)) : sb.toString();
        }
        StringBuilder sb = new StringBuilder();
        int n = below(40);
        for (int i = 0; i < n; i++) sb.append(token());
        return sb.toString();
    }

    String mutate(String s, int times) {
        StringBuilder sb = new StringBuilder(s);
        for (int t = 0; t < times; t++) {
            int at = below(sb.length() + 1);
            switch (below(8)) {
                case 0, 1 -> sb.insert(at, token());
                case 2 -> sb.delete(at, Math.min(sb.length(), at + 1 + below(12)));
                case 3 -> { // repeat a range
                    int end = Math.min(sb.length(), at + below(40));
                    sb.insert(end, sb.substring(at, end));
                }
                case 4 -> { // a line from another sample
                    String[] lines = pick(corpus.isEmpty() ? List.of(s) : corpus).split("\n", -1);
                    sb.insert(lineStart(sb, at), lines[below(lines.length)] + "\n");
                }
                case 5 -> sb.insert(lineStart(sb, at), grammar != null ? grammar.apply(this) + "\n" : token());
                case 6 -> { // CR LF or a lost final newline
                    if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\n') sb.setLength(sb.length() - 1);
                    else sb.insert(at, "\r\n");
                }
                default -> { if (sb.length() > 0) sb.setCharAt(Math.min(at, sb.length() - 1), AWKWARD.charAt(below(AWKWARD.length()))); }
            }
        }
        // a cut in the middle of a surrogate pair would make a string no file decodes to
        return clean(sb.toString());
    }

    private static int lineStart(StringBuilder sb, int at) {
        int i = Math.min(at, sb.length());
        while (i > 0 && sb.charAt(i - 1) != '\n') i--;
        return i;
    }

    /** One property over {@code n} inputs; collects up to three failing inputs and then fails naming them. */
    interface Property {
        void check(String input) throws Exception;
    }

    static void run(String parser, String property, Fuzz fuzz, int n, Property p) {
        List<String> failures = new ArrayList<>();
        int tried = 0;
        for (int i = 0; i < n && failures.size() < 3; i++) {
            String input = fuzz.next();
            tried++;
            try {
                p.check(input);
            } catch (Throwable t) {
                failures.add("input #" + i + " " + escape(input) + "\n    -> " + t.getClass().getName() + ": " + t.getMessage());
            }
        }
        TRIED.merge(parser, tried, Integer::sum);
        if (!failures.isEmpty()) {
            fail(parser + " / " + property + ": " + failures.size() + " failing input(s) (seed " + SEED + ", " + n
                    + " inputs):\n  " + String.join("\n  ", failures));
        }
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c == '\n') sb.append("\\n");
            else if (c == '\r') sb.append("\\r");
            else if (c == '\t') sb.append("\\t");
            else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    static String report() {
        return new TreeMap<>(TRIED).toString();
    }
}
