package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.OsRelease;
import passthrough.core.host.OsReleaseParser;
import passthrough.it.cli.Cli;

/**
 * /etc/os-release ({@link OsReleaseParser}) under fuzzing: garbage never throws and always gives an id; a file
 * written as os-release(5) allows (unquoted safe words, double quotes with \" \\ \$ \` escapes, single quotes,
 * comments) reads back as the values it holds — the same values /bin/sh assigns when it sources the file.
 */
class OsReleaseFuzzTest {
    static final String PARSER = "os-release (OsReleaseParser)";
    static final List<String> KEYS = List.of("ID", "ID_LIKE", "VERSION_ID", "NAME", "PRETTY_NAME", "VERSION", "HOME_URL");

    @TempDir
    Path tmp;

    static Fuzz fuzz(String property) {
        return new Fuzz(property, List.of(Fuzz.file(Cli.sample("seed1-ubuntu-18.04").resolve("etc/os-release")),
                Fuzz.file(Cli.sample("seed2-lfs-12.2").resolve("etc/os-release"))),
                List.of("ID=", "ID_LIKE=", "VERSION_ID=", "PRETTY_NAME=", "\"", "'", "\\", "=", "#", "\n", "debian", "ubuntu",
                        "\"Ubuntu 18.04.6 LTS\"", "'x'", "\\\"", "$", "`", " ", "\t", "\r\n", "export "), null);
    }

    @Test
    void garbageNeverThrowsAndAlwaysHasAnId() {
        Fuzz.run(PARSER, "garbage", fuzz("os-release garbage"), Fuzz.INPUTS, input -> {
            OsRelease r = OsReleaseParser.parse(input);
            assertFalse(r.id().isEmpty());
            assertTrue(r.fields().keySet().stream().allMatch(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*")), r.fields().toString());
        });
    }

    /** A value as os-release(5) lets it be written: returns {raw, value}. */
    static String[] value(Fuzz f) {
        String text = f.pick(List.of("debian", "12", "Debian GNU/Linux 12 (bookworm)", "it's", "say \"hi\"", "a\\b", "$HOME",
                "`id`", "", "x=y", "tab\there", "uni\u00e9", "#hash"));
        return switch (f.below(3)) {
            case 0 -> text.matches("[A-Za-z0-9._-]+") ? new String[] {text, text} : new String[] {"\"" + escape(text) + "\"", text};
            case 1 -> text.indexOf('\'') < 0 ? new String[] {"'" + text + "'", text} : new String[] {"\"" + escape(text) + "\"", text};
            default -> new String[] {"\"" + escape(text) + "\"", text};
        };
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("\"\\$`".indexOf(c) >= 0) sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }

    @Test
    void aWellFormedFileReadsBackAsItsValuesAndAsShReadsIt() throws Exception {
        Fuzz f = fuzz("os-release well-formed");
        List<String> texts = new ArrayList<>();
        List<Map<String, String>> wanted = new ArrayList<>();
        Fuzz.run(PARSER, "well-formed", f, Fuzz.INPUTS, ignored -> {
            StringBuilder sb = new StringBuilder();
            Map<String, String> expected = new LinkedHashMap<>();
            int lines = f.below(10);
            for (int i = 0; i < lines; i++) {
                switch (f.below(6)) {
                    case 0 -> sb.append("# comment ").append(f.token().replace("\n", "")).append('\n');
                    case 1 -> sb.append('\n');
                    default -> {
                        String key = f.pick(KEYS);
                        String[] v = value(f);
                        sb.append(key).append('=').append(v[0]).append('\n');
                        expected.remove(key);
                        expected.put(key, v[1]);
                    }
                }
            }
            OsRelease r = OsReleaseParser.parse(sb.toString());
            assertEquals(expected, r.fields(), Fuzz.escape(sb.toString()));
            assertEquals(expected.getOrDefault("ID", "").isEmpty() ? "linux" : expected.get("ID"), r.id());
            if (texts.size() < 600) {
                texts.add(sb.toString());
                wanted.add(expected);
            }
        });
        assumeTrue(Shell.available(), "no /bin/sh: values checked against the spec only");
        for (String key : List.of("ID", "PRETTY_NAME", "VERSION_ID")) {
            List<String> sh = Shell.sourced(texts, key, tmp);
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(wanted.get(i).getOrDefault(key, ""), sh.get(i), key + " in " + Fuzz.escape(texts.get(i)));
            }
        }
    }
}
