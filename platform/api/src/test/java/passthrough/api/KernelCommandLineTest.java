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
}
