package passthrough.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModprobeConfigTest {
    static final String FILE = """
            # vfio for the 1660
              # indented comment: options vfio-pci ids=dead:beef
            options vfio_pci ids=10de:2184,10de:1aeb \\
            \tdisable_vga=1
            options vfio-pci ids="10de:1aec"
            options snd-hda-intel ids=1234:5678
            softdep nouveau pre: vfio-pci post: snd_hda_intel
            softdep snd_hda_intel pre: vfio_pci
            softdep xhci_pci post: vfio-pci
            install vfio-pci /bin/sh /etc/x.sh; /sbin/modprobe --ignore-install vfio-pci
            """;

    @Test
    void readsWhatKmodReadsAndKeepsTheText() {
        ModprobeConfig c = ModprobeConfig.parse(FILE);
        assertEquals(FILE, c.text());
        assertEquals(List.of("10de:2184", "10de:1aeb", "10de:1aec"), c.optionValues("vfio-pci", "ids"));
        assertEquals(List.of("1"), c.optionValues("vfio_pci", "disable-vga"));
        assertEquals(Set.of("nouveau", "snd_hda_intel"), c.modulesLoadedAfter("vfio-pci"));
        assertTrue(c.hasInstallCommand("vfio_pci"));
        assertFalse(c.hasInstallCommand("pci-stub"));
        assertEquals(3, c.commands().get(0).line(), "comments are no commands; a command starts where its first line is");
    }

    @Test
    void emptyAndOddInputsAreNoCommands() {
        for (String odd : List.of("", "\n", "\\", "#\\\noptions x y=1", "options", "softdep", "softdep x", "options vfio-pci =1 ids=")) {
            ModprobeConfig c = ModprobeConfig.parse(odd);
            assertEquals(odd, c.text());
            assertTrue(c.optionValues("vfio-pci", "ids").isEmpty(), odd);
        }
    }

    // ---- found by ModprobeConfigFuzzTest (integration-tests), against a port of kmod's reading ----

    /** kmod joins a continued line with nothing in between, and a backslash before any other character stands for it. */
    @Test
    void continuationsAndBackslashesAsKmodReadsThem() {
        ModprobeConfig c = ModprobeConfig.parse("options vfio-pci ids=10de:1e37,\\\n10de:10f7\nsoftdep amd\\gpu pre: vfio-pci\n");
        assertEquals(List.of("10de:1e37", "10de:10f7"), c.optionValues("vfio-pci", "ids"));
        assertEquals(Set.of("amdgpu"), c.modulesLoadedAfter("vfio-pci"));
        assertEquals(List.of("vfio-pciids=1"), ModprobeConfig.parse("options vfio-pci\\\nids=1\n").commands().get(0).arguments());
    }

    /** A CR LF file: kmod keeps the CR in the last word, so the softdep names "vfio-pci\r" and does nothing. */
    @Test
    void aCrLfSoftdepIsNotOneKmodHonours() {
        ModprobeConfig c = ModprobeConfig.parse("softdep amdgpu pre: vfio-pci\r\noptions vfio-pci ids=10de:1e37\r\n");
        assertEquals(Set.of(), c.modulesLoadedAfter("vfio-pci"));
        // the kernel reads module options with parse_args, where the CR is a blank
        assertEquals(List.of("10de:1e37"), c.optionValues("vfio-pci", "ids"));
    }

    /** Module options are read by the kernel's parse_args: quotes group words. */
    @Test
    void quotedOptionValuesAsTheKernelReadsThem() {
        ModprobeConfig c = ModprobeConfig.parse("options vfio-pci ids=\"10de:1 10de:2,10de:3\" disable_vga=1\n");
        assertEquals(List.of("10de:1 10de:2", "10de:3"), c.optionValues("vfio-pci", "ids"));
        assertEquals(List.of("1"), c.optionValues("vfio-pci", "disable_vga"));
    }
}
