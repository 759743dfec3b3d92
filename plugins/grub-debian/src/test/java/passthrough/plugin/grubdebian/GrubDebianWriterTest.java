package passthrough.plugin.grubdebian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static passthrough.plugin.grubdebian.GrubDefaultFileTest.changedLines;
import static passthrough.plugin.grubdebian.GrubDefaultFileTest.resource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;
import passthrough.api.Severity;

class GrubDebianWriterTest {
    private final GrubDebianWriter writer = new GrubDebianWriter();

    private static final KernelParametersChange IOMMU = new KernelParametersChange(
            List.of(KernelParameter.of("intel_iommu", "on"), KernelParameter.of("iommu", "pt")),
            List.of(KernelParameter.of("iommu", "off")), "turn on Intel VT-d");

    static HostFacts host(Map<String, String> files, Set<String> commands) {
        return HostFacts.builder().files(files).commands(commands).build();
    }

    static HostFacts host(String etcDefaultGrub) {
        return host(Map.of("etc/default/grub", etcDefaultGrub), Set.of("update-grub", "grub-mkconfig"));
    }

    private static List<FileChange> files(Contribution c) {
        return c.changes().stream().filter(FileChange.class::isInstance).map(FileChange.class::cast).toList();
    }

    private static List<CommandChange> commands(Contribution c) {
        return c.changes().stream().filter(CommandChange.class::isInstance).map(CommandChange.class::cast).toList();
    }

    private static String newText(Contribution c, String path) {
        return files(c).stream().filter(f -> f.path().equals(path)).findFirst().orElseThrow().newContent();
    }

    private static boolean has(Contribution c, String code) {
        return c.findings().stream().anyMatch(f -> f.code().equals(code));
    }

    /** Applies the contribution's file changes to the host's files, as the executor would. */
    private static HostFacts after(HostFacts facts, Contribution c) {
        Map<String, String> files = new HashMap<>(facts.files());
        for (FileChange f : files(c)) files.put(f.path(), f.newContent());
        return host(files, facts.commands());
    }

    @Test
    void managesHostsWithEtcDefaultGrub() {
        assertEquals("grub-debian", writer.id());
        assertTrue(writer.manages(host("")));
        assertFalse(writer.manages(host(Map.of("boot/grub/grub.cfg", "set default=0\n"), Set.of())));
    }

    @Test
    void configuredLineIsLinuxThenLinuxDefault() {
        assertEquals("quiet splash", writer.configuredCommandLine(host(resource("ubuntu-18.04.grub"))).toString());
        assertEquals("root=/dev/sda1 ro quiet", writer.configuredCommandLine(host(
                "GRUB_CMDLINE_LINUX_DEFAULT=quiet\nGRUB_CMDLINE_LINUX=\"root=/dev/sda1 ro\"\n")).toString());
        assertEquals("", writer.configuredCommandLine(host("# nothing\n")).toString());
    }

    @Test
    void editsOnlyTheDefaultLineOfUbuntu1804AndRunsUpdateGrub() {
        String text = resource("ubuntu-18.04.grub");
        Contribution c = writer.change(host(text), IOMMU);
        assertEquals(List.of("11: GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash intel_iommu=on iommu=pt\""),
                changedLines(text, newText(c, "etc/default/grub")));
        assertEquals(List.of(List.of("update-grub")), commands(c).stream().map(CommandChange::argv).toList());
        assertTrue(files(c).get(0).reason().contains("turn on Intel VT-d"));
        assertTrue(c.findings().isEmpty(), c.findings().toString());
    }

    @Test
    void editsOnlyTheDefaultLineOfDebian12() {
        String text = resource("debian-12.grub");
        Contribution c = writer.change(host(text), IOMMU);
        assertEquals(List.of("9: GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""),
                changedLines(text, newText(c, "etc/default/grub")));
    }

    @Test
    void isIdempotent() {
        HostFacts before = host(resource("debian-12.grub"));
        HostFacts once = after(before, writer.change(before, IOMMU));
        Contribution again = writer.change(once, IOMMU);
        assertTrue(again.changes().isEmpty(), again.changes().toString());
        assertEquals("quiet intel_iommu=on iommu=pt", writer.configuredCommandLine(once).toString());
    }

    @Test
    void removesFromWhicheverVariableHoldsIt() {
        String text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"root=/dev/sda1 iommu=off ro\"\n";
        Contribution c = writer.change(host(text), IOMMU);
        assertEquals("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"\n"
                + "GRUB_CMDLINE_LINUX=\"root=/dev/sda1 ro\"\n", newText(c, "etc/default/grub"));
        assertEquals("root=/dev/sda1 ro quiet intel_iommu=on iommu=pt",
                writer.configuredCommandLine(after(host(text), c)).toString());
    }

    @Test
    void rewritesAParameterWhereItIsAndNeverLeavesADuplicate() {
        String text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=soft\"\nGRUB_CMDLINE_LINUX=\"intel_iommu=off iommu=soft\"\n";
        Contribution c = writer.change(host(text), IOMMU);
        assertEquals("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\nGRUB_CMDLINE_LINUX=\"intel_iommu=on\"\n",
                newText(c, "etc/default/grub"));
    }

    @Test
    void editsTheLastOfTwoDefinitionsAndSaysSo() {
        String text = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n# later override\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n";
        Contribution c = writer.change(host(text), IOMMU);
        assertEquals(List.of("3: GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\""),
                changedLines(text, newText(c, "etc/default/grub")));
        Finding f = c.findings().stream().filter(x -> x.code().equals("GRUB_DEFAULT_DUPLICATE")).findFirst().orElseThrow();
        assertTrue(f.message().contains("etc/default/grub line 1") && f.message().contains("etc/default/grub line 3"), f.message());
    }

    @Test
    void appendsAMissingDefaultLine() {
        String text = "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"\"";
        Contribution c = writer.change(host(text), IOMMU);
        assertEquals("GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"intel_iommu=on iommu=pt\"",
                newText(c, "etc/default/grub"));
    }

    @Test
    void keepsExportQuotesAndCrlf() {
        String text = "export GRUB_CMDLINE_LINUX_DEFAULT='quiet'\r\nGRUB_TIMEOUT=5\r\n";
        Contribution c = writer.change(host(text), IOMMU);
        assertEquals("export GRUB_CMDLINE_LINUX_DEFAULT='quiet intel_iommu=on iommu=pt'\r\nGRUB_TIMEOUT=5\r\n",
                newText(c, "etc/default/grub"));
        assertTrue(has(c, "GRUB_DEFAULT_CRLF"));
    }

    @Test
    void editsTheDropInThatWinsAndLeavesEtcDefaultGrubAlone() {
        String main = resource("ubuntu-18.04.grub");
        String cloud = resource("50-cloudimg-settings.cfg");
        HostFacts facts = host(Map.of("etc/default/grub", main, "etc/default/grub.d/50-cloudimg-settings.cfg", cloud,
                "etc/default/grub.d/40-force-partuuid.cfg", "GRUB_FORCE_PARTUUID=abc\n"), Set.of("update-grub"));
        assertEquals("console=tty1 console=ttyS0", writer.configuredCommandLine(facts).toString());
        Contribution c = writer.change(facts, IOMMU);
        assertEquals(List.of("etc/default/grub.d/50-cloudimg-settings.cfg"), files(c).stream().map(FileChange::path).toList());
        assertEquals(List.of("11: GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0 intel_iommu=on iommu=pt\""),
                changedLines(cloud, newText(c, "etc/default/grub.d/50-cloudimg-settings.cfg")));
        assertTrue(has(c, "GRUB_DEFAULT_DUPLICATE"));
        assertTrue(writer.change(after(facts, c), IOMMU).changes().isEmpty());
    }

    @Test
    void dropInsAreSourcedInNameOrder() {
        HostFacts facts = host(Map.of("etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=a\n",
                "etc/default/grub.d/99-last.cfg", "GRUB_CMDLINE_LINUX_DEFAULT=c\n",
                "etc/default/grub.d/10-first.cfg", "GRUB_CMDLINE_LINUX_DEFAULT=b\n",
                "etc/default/grub.d/20-not-a-cfg.conf", "GRUB_CMDLINE_LINUX_DEFAULT=x\n"), Set.of("update-grub"));
        assertEquals("c", writer.configuredCommandLine(facts).toString());
        Contribution c = writer.change(facts, IOMMU);
        assertEquals("GRUB_CMDLINE_LINUX_DEFAULT=\"c intel_iommu=on iommu=pt\"\n", newText(c, "etc/default/grub.d/99-last.cfg"));
        assertEquals(1, files(c).size());
    }

    @Test
    void refusesToRewriteASelfReference() {
        HostFacts facts = host(Map.of("etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
                "etc/default/grub.d/iommu.cfg", "# mine\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash\"\n"),
                Set.of("update-grub"));
        assertEquals("quiet splash", writer.configuredCommandLine(facts).toString());
        Contribution c = writer.change(facts, IOMMU);
        assertTrue(c.changes().isEmpty());
        Finding f = c.findings().stream().filter(x -> x.code().equals("GRUB_DEFAULT_NOT_EDITABLE")).findFirst().orElseThrow();
        assertEquals(Severity.ERROR, f.severity());
        assertTrue(f.message().contains("etc/default/grub.d/iommu.cfg line 2"), f.message());
        assertTrue(f.message().contains("$GRUB_CMDLINE_LINUX_DEFAULT"), f.message());
        assertTrue(f.fix().contains("intel_iommu=on iommu=pt") && f.fix().contains("remove iommu=off"), f.fix());
    }

    @Test
    void aSelfReferenceThatAlreadyHasEverythingIsFine() {
        HostFacts facts = host(Map.of("etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
                "etc/default/grub.d/iommu.cfg", "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt\"\n"),
                Set.of("update-grub"));
        Contribution c = writer.change(facts, IOMMU);
        assertTrue(c.changes().isEmpty() && c.findings().isEmpty(), c.toString());
    }

    @Test
    void refusesCommandSubstitutionAndConditionalValues() {
        Contribution sub = writer.change(host("GRUB_CMDLINE_LINUX_DEFAULT=\"$(cat /etc/cmdline)\"\n"), IOMMU);
        assertTrue(sub.changes().isEmpty() && has(sub, "GRUB_DEFAULT_NOT_EDITABLE"));
        Contribution cond = writer.change(host("if [ -e /x ]; then\n  GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nfi\n"), IOMMU);
        assertTrue(cond.changes().isEmpty());
        assertTrue(cond.findings().get(0).message().contains("etc/default/grub line 2"), cond.findings().toString());
    }

    @Test
    void picksTheGeneratorThatIsInstalled() {
        String text = "GRUB_CMDLINE_LINUX_DEFAULT=quiet\n";
        Map<String, String> files = Map.of("etc/default/grub", text);
        assertEquals(List.of("grub-mkconfig", "-o", "/boot/grub/grub.cfg"),
                commands(writer.change(host(files, Set.of("grub-mkconfig")), IOMMU)).get(0).argv());
        assertEquals(List.of("grub2-mkconfig", "-o", "/boot/grub2/grub.cfg"),
                commands(writer.change(host(files, Set.of("grub2-mkconfig")), IOMMU)).get(0).argv());
        Contribution none = writer.change(host(files, Set.of()), IOMMU);
        assertTrue(commands(none).isEmpty());
        assertEquals(Severity.ERROR, none.findings().stream().filter(f -> f.code().equals("GRUB_NO_GENERATOR"))
                .findFirst().orElseThrow().severity());
    }

    @Test
    void valuesWithSpacesAreQuotedForTheShell() {
        KernelParametersChange osi = new KernelParametersChange(List.of(KernelParameter.of("acpi_osi", "Windows 2015")),
                List.of(), "laptop");
        Contribution c = writer.change(host("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"), osi);
        assertEquals("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet acpi_osi=\\\"Windows 2015\\\"\"\n", newText(c, "etc/default/grub"));
        assertEquals(KernelParameter.of("acpi_osi", "Windows 2015"),
                writer.configuredCommandLine(after(host("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"), c)).last("acpi_osi").orElseThrow());
    }

    /** Found by fuzzing: the variable is missing and the file ends inside an if block; appending would hide it there. */
    @Test
    void aFileEndingInsideAnOpenBlockIsRefusedNotAppendedInto() {
        Contribution c = writer.change(host("GRUB_DEFAULT=0\nif [ -e /etc/foo ]; then\n  GRUB_TIMEOUT=3\n"), IOMMU);
        assertTrue(has(c, "GRUB_DEFAULT_NOT_EDITABLE"), c.toString());
        assertEquals(List.of(), c.changes());
    }

    /** Arch GRUB: no update-grub, only grub-mkconfig; the arch profile's regenerate setting names the command. */
    @Test
    void anArchGrubHostWithoutUpdateGrubIsManagedAndRegeneratedAsTheProfileSays() {
        String arch = "GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=\"Arch\"\n"
                + "GRUB_CMDLINE_LINUX_DEFAULT=\"loglevel=3 quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n";
        HostFacts h = host(Map.of("etc/default/grub", arch), Set.of("grub-mkconfig"));
        assertTrue(writer.manages(h));
        var configured = writer.withSettings(new passthrough.api.PluginSettings(Map.of("regenerate",
                "grub-mkconfig -o /boot/grub/grub.cfg")));
        Contribution c = configured.change(h, IOMMU);
        assertEquals(List.of("grub-mkconfig", "-o", "/boot/grub/grub.cfg"), c.changes().stream()
                .filter(CommandChange.class::isInstance).map(x -> ((CommandChange) x).argv()).findFirst().orElseThrow());
        assertEquals(arch.replace("loglevel=3 quiet", "loglevel=3 quiet intel_iommu=on iommu=pt"), files(c).get(0).newContent());
        // without the setting: the generator found on the host, with the usual output path
        assertEquals(List.of("grub-mkconfig", "-o", "/boot/grub/grub.cfg"), writer.change(h, IOMMU).changes().stream()
                .filter(CommandChange.class::isInstance).map(x -> ((CommandChange) x).argv()).findFirst().orElseThrow());
    }
}
