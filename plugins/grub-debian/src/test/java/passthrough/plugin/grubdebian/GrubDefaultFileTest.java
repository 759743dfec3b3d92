package passthrough.plugin.grubdebian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrubDefaultFileTest {

    static String resource(String name) {
        try (InputStream in = GrubDefaultFileTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final String ODD = "# odd but valid sh\r\n"
            + "export GRUB_CMDLINE_LINUX='root=/dev/sda1 ro'   # trailing comment\r\n"
            + "GRUB_CMDLINE_LINUX_DEFAULT=quiet\r\n"
            + "if [ -e /etc/foo ]; then\r\n"
            + "  GRUB_TIMEOUT=3\r\n"
            + "fi\r\n"
            + "GRUB_X=\"a\nb\"\r\n"
            + "GRUB_Y=\"mixed \"'parts'\\ here\r\n"
            + "GRUB_TERMINAL=console";

    @ParameterizedTest
    @ValueSource(strings = {"ubuntu-18.04.grub", "debian-12.grub", "50-cloudimg-settings.cfg"})
    void roundTripsStockFilesByteForByte(String name) {
        String text = resource(name);
        assertEquals(text, GrubDefaultFile.parse("etc/default/grub", text).text());
    }

    @Test
    void roundTripsOddFilesByteForByte() {
        for (String text : List.of(ODD, "", "\n", "A=1", "A=1\n\n", "\r\n", "GRUB_CMDLINE_LINUX=\"unclosed\n")) {
            assertEquals(text, GrubDefaultFile.parse("etc/default/grub", text).text());
        }
    }

    @Test
    void findsTheStockAssignments() {
        GrubDefaultFile f = GrubDefaultFile.parse("etc/default/grub", resource("ubuntu-18.04.grub"));
        assertEquals("quiet splash", f.last("GRUB_CMDLINE_LINUX_DEFAULT").orElseThrow().evaluate(v -> null));
        assertEquals(11, f.last("GRUB_CMDLINE_LINUX_DEFAULT").orElseThrow().line());
        assertEquals("", f.last("GRUB_CMDLINE_LINUX").orElseThrow().evaluate(v -> null));
        assertTrue(f.last("GRUB_CMDLINE_LINUX").orElseThrow().problem().isEmpty());
        // commented-out settings are not assignments
        assertTrue(f.last("GRUB_BADRAM").isEmpty());
        // the backquoted distributor is kept, and known to be shell logic
        assertTrue(f.last("GRUB_DISTRIBUTOR").orElseThrow().hasExpansion());
        GrubDefaultFile debian = GrubDefaultFile.parse("etc/default/grub", resource("debian-12.grub"));
        assertTrue(debian.last("GRUB_DISTRIBUTOR").orElseThrow().hasExpansion());
        assertEquals("quiet", debian.last("GRUB_CMDLINE_LINUX_DEFAULT").orElseThrow().evaluate(v -> null));
    }

    @Test
    void understandsQuotingExportAndComments() {
        GrubDefaultFile f = GrubDefaultFile.parse("etc/default/grub", ODD);
        GrubDefaultFile.Assignment linux = f.last("GRUB_CMDLINE_LINUX").orElseThrow();
        assertTrue(linux.exported());
        assertEquals("root=/dev/sda1 ro", linux.evaluate(v -> null));
        assertTrue(linux.problem().isEmpty());
        assertEquals("quiet", f.last("GRUB_CMDLINE_LINUX_DEFAULT").orElseThrow().evaluate(v -> null));
        assertEquals("mixed parts here", f.last("GRUB_Y").orElseThrow().evaluate(v -> null));
        assertTrue(f.last("GRUB_TIMEOUT").orElseThrow().problem().orElseThrow().contains("if/case/loop"));
        assertTrue(f.last("GRUB_X").orElseThrow().problem().orElseThrow().contains("several lines"));
        // the line inside the multi-line value is not taken for a statement
        assertEquals(List.of("GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_TIMEOUT", "GRUB_X", "GRUB_Y",
                "GRUB_TERMINAL"), f.assignments().stream().map(GrubDefaultFile.Assignment::name).toList());
        assertTrue(f.usesCrlf());
    }

    @Test
    void editsOnlyTheChangedCharactersOfOneLine() {
        String text = resource("debian-12.grub");
        GrubDefaultFile f = GrubDefaultFile.parse("etc/default/grub", text);
        GrubDefaultFile edited = f.withValue(f.last("GRUB_CMDLINE_LINUX_DEFAULT").orElseThrow(), "quiet intel_iommu=on");
        assertEquals(List.of("9: GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\""), changedLines(text, edited.text()));
    }

    @Test
    void keepsEachQuotingStyle() {
        assertEquals("A='quiet x=1'\n", edit("A='quiet'\n", "quiet x=1"));
        assertEquals("export A=\"quiet x=1\" # c\n", edit("export A=\"quiet\" # c\n", "quiet x=1"));
        assertEquals("A=quiet,x=1", edit("A=quiet", "quiet,x=1"));
        assertEquals("A=\"quiet x=1\"\n", edit("A=quiet\n", "quiet x=1")); // a space needs quotes
        assertEquals("A=\"x=1\"\n", edit("A=\n", "x=1"));
        assertEquals("A=\"x=1\"\n", edit("A=\"\"\n", "x=1"));
        assertEquals("A=\"x=\\\"a b\\\"\"\n", edit("A=\"\"\n", "x=\"a b\""));
        assertEquals("A=\"mixed parts x\"\n", edit("A=\"mixed \"'parts'\n", "mixed parts x"));
        assertEquals("A='it'\\''s'\n", edit("A='it'\n", "it's"));
    }

    @Test
    void keepsEscapesItDoesNotTouch() {
        String text = "A=\"quiet acpi_osi=\\\"Windows 2015\\\"\"\n";
        GrubDefaultFile f = GrubDefaultFile.parse("f", text);
        assertEquals("quiet acpi_osi=\"Windows 2015\"", f.last("A").orElseThrow().evaluate(v -> null));
        assertEquals("A=\"quiet acpi_osi=\\\"Windows 2015\\\" iommu=pt\"\n", edit(text, "quiet acpi_osi=\"Windows 2015\" iommu=pt"));
        assertEquals("A=\"acpi_osi=\\\"Windows 2015\\\"\"\n", edit(text, "acpi_osi=\"Windows 2015\""));
    }

    @Test
    void evaluatesSimpleVariableReferences() {
        GrubDefaultFile f = GrubDefaultFile.parse("f", "A=\"$A iommu=pt ${B}\"\n");
        GrubDefaultFile.Assignment a = f.last("A").orElseThrow();
        assertTrue(a.hasExpansion());
        assertTrue(a.problem().orElseThrow().contains("$A"));
        assertEquals("quiet iommu=pt x", a.evaluate(Map.of("A", "quiet", "B", "x")::get));
        assertEquals(" iommu=pt ", a.evaluate(v -> null));
        assertEquals("$(cat /x) y", GrubDefaultFile.parse("f", "A=\"$(cat /x) y\"").last("A").orElseThrow().evaluate(v -> null));
        assertEquals("cost $ 5", GrubDefaultFile.parse("f", "A='cost $ 5'").last("A").orElseThrow().evaluate(v -> null));
        assertFalse(GrubDefaultFile.parse("f", "A='$A'").last("A").orElseThrow().hasExpansion());
    }

    @Test
    void marksWhatItDoesNotFollow() {
        assertTrue(problem("A+=\" x\"").contains("bash"));
        assertTrue(problem("A=x cmd").contains("more shell words"));
        assertTrue(problem("A=x; echo hi").contains("more shell commands"));
        assertTrue(GrubDefaultFile.parse("f", "A=x; export A").last("A").orElseThrow().problem().isEmpty());
        assertTrue(problem("A=x\\").contains("next line"));
        assertTrue(problem("case $x in\n a)\n  A=1 ;;\nesac\n").contains("if/case/loop"));
        GrubDefaultFile oneLiner = GrubDefaultFile.parse("f", "[ -e /x ] && GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
        assertTrue(oneLiner.last("GRUB_CMDLINE_LINUX_DEFAULT").orElseThrow().problem().orElseThrow().contains("shell logic"));
        // after the block closes, assignments are plain again
        assertTrue(GrubDefaultFile.parse("f", "if true; then\n B=1\nfi\nA=2\n").last("A").orElseThrow().problem().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> {
            GrubDefaultFile f = GrubDefaultFile.parse("f", "A=\"$A x\"");
            f.withValue(f.last("A").orElseThrow(), "y");
        });
    }

    @Test
    void appendsInTheFilesStyle() {
        assertEquals("A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"x=1\"\n",
                GrubDefaultFile.parse("f", "A=1\n").withAppended("GRUB_CMDLINE_LINUX_DEFAULT", "x=1").text());
        assertEquals("A=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"x=1\"",
                GrubDefaultFile.parse("f", "A=1").withAppended("GRUB_CMDLINE_LINUX_DEFAULT", "x=1").text());
        assertEquals("A=1\r\nB=\"x\"\r\n", GrubDefaultFile.parse("f", "A=1\r\n").withAppended("B", "x").text());
        assertEquals("B=\"x\"\n", GrubDefaultFile.parse("f", "").withAppended("B", "x").text());
    }

    private static String problem(String text) {
        return GrubDefaultFile.parse("f", text).last("A").orElseThrow().problem().orElse("");
    }

    private static String edit(String text, String newValue) {
        GrubDefaultFile f = GrubDefaultFile.parse("f", text);
        return f.withValue(f.last("A").orElseThrow(), newValue).text();
    }

    /** The lines that differ, as "number: new text"; both texts must have the same number of lines. */
    static List<String> changedLines(String before, String after) {
        String[] a = before.split("\n", -1);
        String[] b = after.split("\n", -1);
        assertEquals(a.length, b.length, "line count");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.length; i++) if (!a[i].equals(b[i])) out.add((i + 1) + ": " + b[i]);
        return out;
    }

    // ---- found by GrubDefaultFileFuzzTest (integration-tests) ----

    /** sh expands $1, $#, $$ ... even before digits: "2184$10de" is "21840de" to grub-mkconfig. */
    @ParameterizedTest
    @ValueSource(strings = {"vfio-pci.ids=10de:2184$10de:1aeb", "a$#b", "a$$b", "\"a$?b\"", "a$@", "a$*b", "x$0", "a$-b", "a$!b"})
    void positionalAndSpecialParametersAreExpansionsNotLiteralDollars(String raw) {
        GrubDefaultFile.Assignment a = GrubDefaultFile.parse("etc/default/grub", "GRUB_CMDLINE_LINUX=" + raw + "\n").assignments().get(0);
        assertTrue(a.hasExpansion(), raw);
        assertTrue(a.problem().orElse("").startsWith("its value uses shell expansion"), a.problem().toString());
    }

    @Test
    void aLoneDollarIsStillLiteral() {
        GrubDefaultFile.Assignment a = GrubDefaultFile.parse("etc/default/grub", "GRUB_X=\"a$ b$\"\n").assignments().get(0);
        assertFalse(a.hasExpansion());
        assertEquals("a$ b$", a.evaluate(v -> null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"quiet\nsplash", "quiet\r", "nul\0"})
    void aValueWithALineBreakOrNulIsRefusedNotWrittenOverTwoLines(String value) {
        GrubDefaultFile f = GrubDefaultFile.parse("etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_TIMEOUT=5\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.withValue(f.assignments().get(0), value));
        assertTrue(e.getMessage().startsWith("etc/default/grub line 1: the value holds a line break or NUL"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.withAppended("GRUB_CMDLINE_LINUX", value));
    }

    /** Appended after an unclosed block or quote, the line would belong to it: refused instead. */
    @ParameterizedTest
    @ValueSource(strings = {"if [ -f /x ]; then\n  GRUB_TIMEOUT=1\n", "GRUB_X=\"open quote\n", "case x in\n"})
    void appendingInsideAnOpenBlockOrQuoteIsRefused(String text) {
        GrubDefaultFile f = GrubDefaultFile.parse("etc/default/grub", text);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.withAppended("GRUB_CMDLINE_LINUX_DEFAULT", "intel_iommu=on"));
        assertTrue(e.getMessage().startsWith("etc/default/grub ends inside a quote, an if/case/loop block or a continued line"),
                e.getMessage());
    }

    /**
     * Lines sh reads as part of something else are not assignments: inside a string or command substitution an earlier
     * line left open, after a here-document, or continuing a command ('\\', | or && at the end of the line before).
     * Found by sourcing fuzzed files with /bin/sh (GrubDefaultFileFuzzTest).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "GRUB_HIDDEN_TIMEOU'T=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nx'\n",
        "echo \"open\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
        "GRUBo Debian`\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n`\n",
        "GRUB_DISTRIBUTOR=`lsb_release -i -s 2\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n> /dev/null || echo Debian`\n",
        "GRUB_X=$(echo a\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n)\n",
        "cat <<EOF\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nEOF\n",
        "GRUB_DISTRIBUTOR=`x`|\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
        "true &&\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
        "echo a \\\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
        "intel_iommu=on*\\\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
        "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\u0000splash\"\n"})
    void anAssignmentShDoesNotRunAsSuchIsNeverEditable(String text) {
        GrubDefaultFile f = GrubDefaultFile.parse("etc/default/grub", text);
        assertEquals(text, f.text());
        f.assignmentsOf("GRUB_CMDLINE_LINUX_DEFAULT").forEach(a -> assertTrue(a.problem().isPresent(), a + " in " + text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo 'a\nb'\n", "GRUB_DISTRIBUTOR=`lsb_release -i -s 2\n> /dev/null || echo Debian`\n"})
    void aQuoteOrExpansionClosedOnALaterLineEndsThere(String before) {
        GrubDefaultFile f = GrubDefaultFile.parse("etc/default/grub", before + "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
        GrubDefaultFile.Assignment a = f.last("GRUB_CMDLINE_LINUX_DEFAULT").orElseThrow();
        assertEquals(java.util.Optional.empty(), a.problem());
        assertEquals("quiet", a.evaluate(v -> null));
    }
}
