package passthrough.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KernelCommandLineTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "quiet", "  quiet   splash  ", "BOOT_IMAGE=/boot/vmlinuz root=UUID=1 ro quiet splash",
        "a=\"b c\" d", "\"e=f g\" h", "x=\"unterminated y", "console=ttyS0 -- init args --here", "\tq\t", "=odd =x"})
    void printsBackExactlyWhatWasParsed(String text) {
        assertEquals(text, KernelCommandLine.parse(text).toString());
    }

    @Test
    void honoursQuotesAsTheKernelDoes() {
        KernelCommandLine k = KernelCommandLine.parse("root=/dev/sda1 dyndbg=\"file x.c +p\" \"opt=a b\" quiet");
        assertEquals(List.of(KernelParameter.of("root", "/dev/sda1"), KernelParameter.of("dyndbg", "file x.c +p"),
                KernelParameter.of("opt", "a b"), KernelParameter.flag("quiet")), k.parameters());
    }

    @Test
    void stopsAtDoubleDash() {
        KernelCommandLine k = KernelCommandLine.parse("quiet -- single iommu=off");
        assertEquals(List.of(KernelParameter.flag("quiet")), k.parameters());
        assertEquals("-- single iommu=off", k.initArguments());
        assertFalse(k.has(KernelParameter.of("iommu", "off")));
    }

    @Test
    void namesTreatDashAndUnderscoreAlike() {
        KernelCommandLine k = KernelCommandLine.parse("vfio_pci.ids=10de:2184");
        assertTrue(k.last("vfio-pci.ids").isPresent());
    }

    @Test
    void withRewritesInPlaceAndDropsDuplicates() {
        KernelCommandLine k = KernelCommandLine.parse("quiet iommu=soft splash iommu=off  nomodeset");
        assertEquals("quiet iommu=pt splash  nomodeset", k.with(KernelParameter.of("iommu", "pt")).toString());
    }

    @Test
    void withAppendsWhenAbsentAndKeepsUntouchedText() {
        assertEquals("quiet splash intel_iommu=on",
                KernelCommandLine.parse("quiet splash").with(KernelParameter.of("intel_iommu", "on")).toString());
        assertEquals("intel_iommu=on", KernelCommandLine.empty().with(KernelParameter.of("intel_iommu", "on")).toString());
    }

    @Test
    void withIsANoOpWhenAlreadyThere() {
        String t = "quiet  iommu=pt\tsplash";
        assertEquals(t, KernelCommandLine.parse(t).with(KernelParameter.of("iommu", "pt")).toString());
    }

    @Test
    void withoutRemovesOnlyMatchingValuesAndTheirSeparator() {
        assertEquals("quiet splash", KernelCommandLine.parse("quiet amd_iommu=off splash").without(KernelParameter.of("amd_iommu", "off")).toString());
        assertEquals("quiet", KernelCommandLine.parse("quiet iommu=off").without(KernelParameter.flag("iommu")).toString());
        assertEquals("splash", KernelCommandLine.parse("iommu=off splash").without(KernelParameter.flag("iommu")).toString());
        assertEquals("iommu=pt x", KernelCommandLine.parse("iommu=pt x").without(KernelParameter.of("iommu", "off")).toString());
    }

    @Test
    void valuesWithSpacesAreQuotedWhenWritten() {
        assertEquals("a b=\"c d\"", KernelCommandLine.parse("a").with(KernelParameter.of("b", "c d")).toString());
    }

    // ---- found by KernelCommandLineFuzzTest (integration-tests), against a port of the kernel's next_arg ----

    /** A name with quoted blanks used to throw "not a kernel parameter name" out of parse, which never fails. */
    @ParameterizedTest
    @ValueSource(strings = {"int\"GNU/Linux, Linux 6.10\"el_iommu=on", "a=\"b c\"d", "=x", "x=\"a\"b", "\"a b\"=c"})
    void wordsNoParameterCanHoldAreKeptAsTextNotThrown(String word) {
        KernelCommandLine k = KernelCommandLine.parse("quiet " + word + " splash");
        assertEquals("quiet " + word + " splash", k.toString());
        assertEquals(List.of(KernelParameter.flag("quiet"), KernelParameter.flag("splash")), k.parameters());
    }

    /** The kernel splits at space, \t, \n, \v, \f, \r only; Java's isWhitespace also at \u001c..\u001f. */
    @Test
    void onlyTheKernelsBlanksSeparate() {
        assertEquals(List.of(KernelParameter.of("a", "1\u001cb=2")), KernelCommandLine.parse("a=1\u001cb=2").parameters());
        assertEquals(List.of(KernelParameter.flag("a"), KernelParameter.flag("b")), KernelCommandLine.parse("a\u000bb").parameters());
    }

    @Test
    void quotesComeOffWhereTheKernelTakesThemOff() {
        assertEquals(List.of(KernelParameter.of("a", "b"), KernelParameter.of("c", "d e"), KernelParameter.of("h", "")),
                KernelCommandLine.parse("\"a=b\" c=\"d e\" h=\"\"").parameters());
    }

    @Test
    void aQuotedDoubleDashAlsoEndsTheKernelsPart() {
        KernelCommandLine k = KernelCommandLine.parse("quiet \"--\" single");
        assertEquals(List.of(KernelParameter.flag("quiet")), k.parameters());
        assertEquals("\"--\" single", k.initArguments());
    }

    /** A word that is not a parameter was taken for a blank: the new parameter was glued to it. */
    @Test
    void aParameterAppendedAfterAWordThatIsNoParameterGetsItsBlank() {
        assertEquals("quiet a=\"b c\"d intel_iommu=on",
                KernelCommandLine.parse("quiet a=\"b c\"d").with(KernelParameter.of("intel_iommu", "on")).toString());
        assertEquals("x quiet", KernelCommandLine.parse("x a=\"b c\"d quiet").without(KernelParameter.of("a", null)).toString()
                .replace(" a=\"b c\"d", ""));
    }

    /** After a last word whose quote never closes the kernel reads everything into it: the parameter goes before it. */
    @Test
    void aParameterIsNeverAppendedIntoAnOpenQuote() {
        KernelCommandLine k = KernelCommandLine.parse("quiet splash=\"open").with(KernelParameter.of("iommu", "pt"));
        assertEquals("quiet iommu=pt splash=\"open", k.toString());
        assertTrue(KernelCommandLine.parse(k.toString()).has(KernelParameter.of("iommu", "pt")));
    }
}
