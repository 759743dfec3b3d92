package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.it.cli.Cli;
import passthrough.plugin.grubdebian.GrubDefaultFile;

/**
 * /etc/default/grub ({@link GrubDefaultFile}) under fuzzing: parse then print is byte-identical; an edit rewrites
 * only the value of the one assignment, so every other line (and the rest of its own line) keeps its bytes, and
 * the new spelling means, to /bin/sh, exactly the value asked for; nothing throws except the documented
 * IllegalArgumentException for an assignment that has a problem.
 */
class GrubDefaultFileFuzzTest {
    static final String PARSER = "etc/default/grub (GrubDefaultFile)";

    static final List<String> TOKENS = List.of("GRUB_CMDLINE_LINUX_DEFAULT=", "GRUB_CMDLINE_LINUX=", "GRUB_DEFAULT=",
            "export ", "GRUB_TIMEOUT=5", "\"quiet splash\"", "'quiet'", "\"", "'", "\\", "$", "${", "}", "$(", ")", "`",
            "=", "+=", "#", " # comment", ";", "; export GRUB_X", "if [ -f x ]; then", "fi", "case x in", "esac", "{",
            "for i in 1 2; do", "done", "intel_iommu=on", "iommu=pt", "vfio-pci.ids=10de:2184", "$GRUB_X", "${GRUB_X}",
            "\\\"", "\\$", "\\\\", " ", "\t", "\n", "\r\n", "A=b cmd", "GRUB_X=\"a\nb\"", "\"a\"'b'c", "\\\n");

    static final Path RESOURCES = Cli.repo().resolve("plugins/grub-debian/src/test/resources/passthrough/plugin/grubdebian");
    static final List<String> CORPUS = List.of(
            Fuzz.file(RESOURCES.resolve("ubuntu-18.04.grub")),
            Fuzz.file(RESOURCES.resolve("debian-12.grub")),
            Fuzz.file(RESOURCES.resolve("50-cloudimg-settings.cfg")),
            Fuzz.file(Cli.sample("seed1-ubuntu-18.04").resolve("etc/default/grub")));

    @TempDir
    Path tmp;

    static Fuzz fuzz(String property) {
        return new Fuzz(property, CORPUS, TOKENS, GrubDefaultFileFuzzTest::line);
    }

    /** One plausible line: an assignment with a word of quoted, unquoted and escaped parts, a comment, or shell. */
    static String line(Fuzz f) {
        return switch (f.below(6)) {
            case 0 -> "# " + f.token();
            case 1 -> f.token() + f.token();
            default -> (f.below(5) == 0 ? "export " : "") + (f.below(2) == 0 ? "GRUB_CMDLINE_LINUX_DEFAULT" : "GRUB_X" + f.below(3))
                    + "=" + word(f) + (f.below(6) == 0 ? " # " + f.token() : "");
        };
    }

    static String word(Fuzz f) {
        StringBuilder sb = new StringBuilder();
        int parts = f.below(4);
        for (int i = 0; i < parts; i++) {
            String text = value(f, 6);
            switch (f.below(3)) {
                case 0 -> sb.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`")).append('"');
                case 1 -> sb.append('\'').append(text.replace("'", "")).append('\'');
                default -> sb.append(text.replaceAll("[^A-Za-z0-9_=,.:/+@%-]", ""));
            }
        }
        return sb.toString();
    }

    /** A value a kernel command line could hold, with some awkward characters. */
    static String value(Fuzz f, int words) {
        StringBuilder sb = new StringBuilder();
        int n = f.below(words);
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(f.below(8) == 0 ? "  " : " ");
            sb.append(f.pick(List.of("quiet", "splash", "intel_iommu=on", "iommu=pt", "vfio-pci.ids=10de:2184,10de:1aeb",
                    "a=\"b c\"", "x='y'", "$HOME", "`id`", "back\\slash", "semi;colon", "hash#tag", "pct%", "uni\u00e9", "tab\there")));
        }
        return sb.toString();
    }

    @AfterAll
    static void report() {
        System.out.println("[reliability] fuzz inputs per parser: " + Fuzz.report());
    }

    @Test
    void parseThenPrintIsByteIdenticalAndNothingThrows() {
        Fuzz.run(PARSER, "lossless", fuzz("grub-default lossless"), Fuzz.INPUTS, input -> {
            GrubDefaultFile f = GrubDefaultFile.parse("etc/default/grub", input);
            assertEquals(input, f.text());
            for (GrubDefaultFile.Assignment a : f.assignments()) {
                a.evaluate(name -> "v");
                a.problem();
                a.hasExpansion();
                assertTrue(a.line() >= 1 && a.line() <= input.split("\n", -1).length, a.toString());
            }
            f.last("GRUB_CMDLINE_LINUX_DEFAULT");
            f.usesCrlf();
        });
    }

    /** The lines of a text with their terminators, so a comparison sees every byte. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int nl = text.indexOf('\n', i);
            int end = nl < 0 ? text.length() : nl + 1;
            out.add(text.substring(i, end));
            i = end;
        }
        return out;
    }

    @Test
    void anEditChangesOnlyTheValueOfItsAssignmentAndShAgrees() throws Exception {
        assumeTrue(Shell.available(), "no /bin/sh");
        List<String> rawWords = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        Fuzz f = fuzz("grub-default edit");
        Fuzz.run(PARSER, "edit", f, Fuzz.INPUTS, input -> {
            GrubDefaultFile file = GrubDefaultFile.parse("etc/default/grub", input);
            for (GrubDefaultFile.Assignment original : file.assignments()) {
                // as the writer does: the assignment found again in the file as edited so far
                GrubDefaultFile current = file;
                Optional<GrubDefaultFile.Assignment> found = current.assignmentsOf(original.name()).stream()
                        .filter(x -> x.line() == original.line() && x.problem().equals(original.problem())).findFirst();
                if (found.isEmpty()) continue; // a "set by shell logic" match inside a value an earlier edit rewrote
                GrubDefaultFile.Assignment a = found.get();
                String newValue = f.below(4) == 0 ? f.mutate(value(f, 5), 2) : value(f, 8);
                if (a.problem().isPresent()) {
                    try {
                        file.withValue(a, newValue);
                    } catch (IllegalArgumentException expected) {
                        assertTrue(expected.getMessage().startsWith("etc/default/grub line " + a.line() + ": "), expected.getMessage());
                        continue;
                    }
                    throw new AssertionError("an assignment with a problem was edited: " + a);
                }
                GrubDefaultFile edited;
                try {
                    edited = file.withValue(a, newValue);
                } catch (IllegalArgumentException refused) {
                    // a value sh cannot hold on one line of this file is refused, never written half
                    assertTrue(newValue.indexOf('\n') >= 0 || newValue.indexOf('\r') >= 0 || newValue.indexOf('\0') >= 0,
                            "refused " + Fuzz.escape(newValue) + ": " + refused.getMessage());
                    continue;
                }
                List<String> before = lines(current.text());
                List<String> after = lines(edited.text());
                assertEquals(before.size(), after.size(), "line count");
                int at = a.line() - 1;
                for (int i = 0; i < before.size(); i++) {
                    if (i != at) assertEquals(before.get(i), after.get(i), "line " + (i + 1) + " untouched");
                }
                // inside its line: everything before and after the value keeps its bytes
                String old = before.get(at);
                int valueStart = valueStart(old, a);
                String prefix = old.substring(0, valueStart);
                String suffix = old.substring(valueStart + a.rawValue().length());
                String now = after.get(at);
                assertTrue(now.startsWith(prefix) && now.endsWith(suffix) && now.length() >= prefix.length() + suffix.length(),
                        "only the value changed: " + Fuzz.escape(old) + " -> " + Fuzz.escape(now));
                String newRaw = now.substring(prefix.length(), now.length() - suffix.length());
                // read back: the same assignment, editable, with the value asked for
                Optional<GrubDefaultFile.Assignment> back = GrubDefaultFile.parse("etc/default/grub", edited.text()).assignmentsOf(a.name())
                        .stream().filter(b -> b.line() == a.line()).findFirst();
                assertTrue(back.isPresent(), "assignment still there");
                assertEquals(Optional.empty(), back.get().problem(), "still editable");
                assertEquals(newValue, back.get().evaluate(n -> null), "reads back as the value asked for");
                assertEquals(newRaw, back.get().rawValue());
                if (rawWords.size() < 4000 && newValue.indexOf('\0') < 0) {
                    rawWords.add(newRaw);
                    wanted.add(newValue);
                }
                file = edited;
            }
        });
        // /bin/sh, which grub-mkconfig sources the file with, reads every new spelling as the value asked for
        List<String> sh = Shell.evaluate(rawWords, tmp);
        for (int i = 0; i < rawWords.size(); i++) {
            assertEquals(wanted.get(i), sh.get(i), "sh reads " + Fuzz.escape(rawWords.get(i)) + " differently");
        }
        System.out.println("[reliability] GrubDefaultFile: " + rawWords.size() + " edited values checked against /bin/sh");
    }

    @Test
    void valuesThePlainParserEvaluatesAreWhatShAssigns() throws Exception {
        assumeTrue(Shell.available(), "no /bin/sh");
        List<String> raws = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        Fuzz.run(PARSER, "evaluate vs sh", fuzz("grub-default evaluate"), Fuzz.INPUTS, input -> {
            for (GrubDefaultFile.Assignment a : GrubDefaultFile.parse("etc/default/grub", input).assignments()) {
                if (a.problem().isPresent() || a.hasExpansion() || a.rawValue().indexOf('\0') >= 0 || raws.size() >= 4000) continue;
                raws.add(a.rawValue());
                ours.add(a.evaluate(n -> null));
            }
        });
        List<String> sh = Shell.evaluate(raws, tmp);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < raws.size(); i++) {
            if (!ours.get(i).equals(sh.get(i))) wrong.add(Fuzz.escape(raws.get(i)) + ": ours " + Fuzz.escape(ours.get(i)) + ", sh " + Fuzz.escape(sh.get(i)));
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(5, wrong.size())), wrong.size() + " of " + raws.size() + " values differ");
        System.out.println("[reliability] GrubDefaultFile: " + raws.size() + " parsed values checked against /bin/sh");
    }

    @Test
    void anAppendedAssignmentIsTheOneThatWins() {
        Fuzz f = fuzz("grub-default append");
        Fuzz.run(PARSER, "append", f, Fuzz.INPUTS, input -> {
            GrubDefaultFile file = GrubDefaultFile.parse("etc/default/grub", input);
            String value = value(f, 6);
            GrubDefaultFile appended;
            try {
                appended = file.withAppended("GRUB_CMDLINE_LINUX_DEFAULT", value);
            } catch (IllegalArgumentException refused) {
                // appending after an open quote or block would land inside it: refused, naming why
                assertTrue(refused.getMessage().startsWith("etc/default/grub"), refused.getMessage());
                return;
            }
            String text = appended.text();
            assertTrue(text.startsWith(input.endsWith("\n") || input.isEmpty() ? input : input), "the old text is kept");
            GrubDefaultFile back = GrubDefaultFile.parse("etc/default/grub", text);
            GrubDefaultFile.Assignment last = back.last("GRUB_CMDLINE_LINUX_DEFAULT").orElseThrow();
            assertFalse(last.problem().isPresent(), "appended assignment is clean: " + last.problem());
            assertEquals(value, last.evaluate(n -> null));
            assertEquals(lines(text).size() - 1, last.line() - 1, "it is the last line");
        });
    }

    /**
     * The whole file sourced by /bin/sh, as grub-mkconfig does: when the parser calls the last
     * GRUB_CMDLINE_LINUX_DEFAULT assignment plain, sh ends with the value the parser read; after the writer's kind of
     * edit (that assignment rewritten, or a line appended when there is none), sh ends with the value written.
     */
    @Test
    void whatShSourcesIsWhatWeReadAndWhatWeWrote() throws Exception {
        assumeTrue(Shell.available(), "no /bin/sh");
        String name = "GRUB_CMDLINE_LINUX_DEFAULT";
        List<String> texts = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        List<String> what = new ArrayList<>();
        Fuzz f = fuzz("grub-default sourced");
        Fuzz.run(PARSER, "sourced by sh", f, Math.min(Fuzz.INPUTS, 3000), input -> {
            // CR LF files: sh keeps the CR in the value; the writer warns about them (GRUB_DEFAULT_CRLF)
            if (input.indexOf('\r') >= 0) return;
            GrubDefaultFile file = GrubDefaultFile.parse("etc/default/grub", input);
            Optional<GrubDefaultFile.Assignment> last = file.last(name);
            String value = value(f, 6);
            if (last.isPresent() && last.get().problem().isEmpty()) {
                texts.add(input);
                expected.add(last.get().evaluate(n -> null));
                what.add("read");
                try {
                    texts.add(file.withValue(last.get(), value).text());
                    expected.add(value);
                    what.add("edited");
                } catch (IllegalArgumentException refused) {
                    texts.remove(texts.size() - 1);
                    expected.remove(expected.size() - 1);
                    what.remove(what.size() - 1);
                }
            } else if (last.isEmpty()) {
                try {
                    texts.add(file.withAppended(name, value).text());
                    expected.add(value);
                    what.add("appended");
                } catch (IllegalArgumentException refused) {
                    // refused: nothing written, nothing to check
                }
            }
        });
        List<String> sh = Shell.sourced(texts, name, tmp);
        List<String> wrong = new ArrayList<>();
        int sourced = 0;
        for (int i = 0; i < texts.size(); i++) {
            if (sh.get(i) == null) continue; // not valid sh at all (a syntax error elsewhere): grub-mkconfig fails loudly too
            sourced++;
            if (!expected.get(i).equals(sh.get(i))) {
                wrong.add(what.get(i) + " " + Fuzz.escape(texts.get(i)) + ": we say " + Fuzz.escape(expected.get(i)) + ", sh says "
                        + Fuzz.escape(sh.get(i)));
            }
        }
        if (!wrong.isEmpty()) java.nio.file.Files.write(Path.of("target/fuzz-grub-default-sourced.txt"), wrong);
        assertEquals(List.of(), wrong.subList(0, Math.min(3, wrong.size())), wrong.size() + " of " + sourced + " files differ");
        System.out.println("[reliability] GrubDefaultFile: " + sourced + " whole files sourced by /bin/sh agree with the parser");
    }

    /** Where the value of {@code a} starts on its line: after "NAME=" (the first such, after optional export). */
    static int valueStart(String line, GrubDefaultFile.Assignment a) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^[ \\t]*(export[ \\t]+)?" + a.name() + "=").matcher(line);
        assertTrue(m.find(), "assignment at the start of its line: " + Fuzz.escape(line));
        return m.end();
    }
}
