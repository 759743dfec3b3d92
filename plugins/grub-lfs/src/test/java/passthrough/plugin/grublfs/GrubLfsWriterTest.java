package passthrough.plugin.grublfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;
import passthrough.api.Severity;

class GrubLfsWriterTest {
    private final GrubLfsWriter writer = new GrubLfsWriter();

    static final String LFS = resource("lfs-12.2.cfg");
    static final String DEBIAN = resource("debian-12-generated.cfg");
    static final String SUBMENU_ENTRY = "Advanced options for Debian GNU/Linux>Debian GNU/Linux, with Linux 6.1.0-18-amd64";

    private static final KernelParametersChange VFIO = new KernelParametersChange(
            List.of(KernelParameter.of("intel_iommu", "on"), KernelParameter.of("iommu", "pt"),
                    KernelParameter.of("vfio-pci.ids", "10de:2184,10de:1aeb")),
            List.of(KernelParameter.flag("pcie_acs_override")), "reserve the GTX 1660 for vfio-pci");

    /** Every grub.cfg an edit produced in these tests, for the grub-script-check test. */
    private static final List<String> PRODUCED = new ArrayList<>();

    static String resource(String name) {
        try (InputStream in = GrubLfsWriterTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static HostFacts host(Map<String, String> files, Set<String> commands) {
        return HostFacts.builder().files(files).commands(commands).build();
    }

    static HostFacts host(String grubCfg) {
        return host(Map.of("boot/grub/grub.cfg", grubCfg), Set.of("grub-script-check"));
    }

    /** Debian's generated file with its variable default block replaced by one plain line. */
    static String debianWithDefault(String setDefault) {
        int from = DEBIAN.indexOf("if [ \"${next_entry}\" ] ; then");
        int to = DEBIAN.indexOf("fi\n", from) + 3;
        return DEBIAN.substring(0, from) + setDefault + "\n" + DEBIAN.substring(to);
    }

    private String edited(String cfg, KernelParametersChange change) {
        Contribution c = writer.change(host(cfg), change);
        String out = c.changes().stream().filter(FileChange.class::isInstance).map(FileChange.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError(c.findings().toString())).newContent();
        PRODUCED.add(out);
        return out;
    }

    private Finding refusal(String cfg) {
        Contribution c = writer.change(host(cfg), VFIO);
        assertTrue(c.changes().isEmpty(), c.changes().toString());
        assertEquals(1, c.findings().size(), c.findings().toString());
        assertEquals(Severity.ERROR, c.findings().get(0).severity());
        return c.findings().get(0);
    }

    static List<String> changedLines(String before, String after) {
        String[] a = before.split("\n", -1);
        String[] b = after.split("\n", -1);
        assertEquals(a.length, b.length, "line count");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.length; i++) if (!a[i].equals(b[i])) out.add((i + 1) + ": " + b[i]);
        return out;
    }

    @Test
    void managesAHandKeptGrubCfgOnly() {
        assertEquals("grub-lfs", writer.id());
        assertTrue(writer.manages(host(LFS)));
        assertFalse(writer.manages(host(Map.of("boot/grub/grub.cfg", DEBIAN, "etc/default/grub", "GRUB_DEFAULT=0\n"), Set.of())));
        assertFalse(writer.manages(host(Map.of(), Set.of())));
        Contribution generated = writer.change(host(Map.of("boot/grub/grub.cfg", LFS, "etc/default/grub", ""), Set.of()), VFIO);
        assertTrue(generated.changes().isEmpty());
        assertEquals("GRUB_CFG_GENERATED", generated.findings().get(0).code());
        assertEquals("GRUB_CFG_MISSING", writer.change(host(Map.of(), Set.of()), VFIO).findings().get(0).code());
    }

    @Test
    void readsTheSeedEntry() {
        GrubConfigFile cfg = GrubConfigFile.parse("boot/grub/grub.cfg", LFS);
        assertEquals(LFS, cfg.text());
        assertEquals(1, cfg.entries().size());
        GrubConfigFile.Entry e = cfg.entries().get(0);
        assertEquals("GNU/Linux, Linux 6.10.5-lfs-12.2", e.title());
        assertEquals(9, e.line());
        assertEquals("/boot/vmlinuz-6.10.5-lfs-12.2", e.linuxLines().get(0).image());
        assertEquals(11, e.linuxLines().get(0).line());
        assertEquals("root=PARTUUID=cf8d6f20-92bf-4f81-982e-50bea63e6ca3 ro iommu=pt intel_iommu=on "
                + "pcie_acs_override=downstream,multifunction", writer.configuredCommandLine(host(LFS)).toString());
    }

    @Test
    void readsDebiansGeneratedFileWithSubmenu() {
        GrubConfigFile cfg = GrubConfigFile.parse("boot/grub/grub.cfg", DEBIAN);
        assertTrue(cfg.problem().isEmpty(), cfg.problem().toString());
        assertEquals(List.of("Debian GNU/Linux", "Advanced options for Debian GNU/Linux", "UEFI Firmware Settings"),
                cfg.entries().stream().map(GrubConfigFile.Entry::title).toList());
        GrubConfigFile.Entry submenu = cfg.entries().get(1);
        assertEquals(GrubConfigFile.Kind.SUBMENU, submenu.kind());
        assertEquals("gnulinux-advanced-0f3c5c2d-6d0a-4f5e-9d0b-3b1a2c4d5e6f", submenu.id());
        assertEquals(2, submenu.children().size());
        assertEquals("root=UUID=0f3c5c2d-6d0a-4f5e-9d0b-3b1a2c4d5e6f ro single",
                submenu.children().get(1).linuxLines().get(0).arguments());
        assertTrue(cfg.entries().get(2).conditional());
        assertFalse(cfg.entries().get(0).conditional());
        assertEquals(2, cfg.defaults().size());
        assertTrue(cfg.defaults().get(0).expansion() && cfg.defaults().get(0).conditional());
    }

    @Test
    void editsOnlyTheArgumentsOfTheSeedsLinuxLine() {
        String out = edited(LFS, VFIO);
        assertEquals(List.of("11:   linux   /boot/vmlinuz-6.10.5-lfs-12.2 root=PARTUUID=cf8d6f20-92bf-4f81-982e-50bea63e6ca3 "
                + "ro iommu=pt intel_iommu=on vfio-pci.ids=10de:2184,10de:1aeb"), changedLines(LFS, out));
        Contribution c = writer.change(host(LFS), VFIO);
        assertEquals(List.of(List.of("grub-script-check", "/boot/grub/grub.cfg")), c.changes().stream()
                .filter(CommandChange.class::isInstance).map(ch -> ((CommandChange) ch).argv()).toList());
        assertTrue(((FileChange) c.changes().get(0)).reason().contains("line 11"));
        assertEquals("GRUB_CFG_ENTRY", c.findings().get(0).code());
    }

    @Test
    void isIdempotent() {
        String once = edited(LFS, VFIO);
        Contribution again = writer.change(host(once), VFIO);
        assertTrue(again.changes().isEmpty() && again.findings().isEmpty(), again.toString());
    }

    @Test
    void noCheckCommandWithoutGrubScriptCheck() {
        Contribution c = writer.change(host(Map.of("boot/grub/grub.cfg", LFS), Set.of()), VFIO);
        assertEquals(1, c.changes().size());
        assertTrue(c.changes().get(0) instanceof FileChange);
    }

    @Test
    void findsTheDefaultByTitleIdNumberAndSubmenuPath() {
        String byPath = debianWithDefault("set default=\"" + SUBMENU_ENTRY + "\"");
        String out = edited(byPath, VFIO);
        assertEquals(List.of("124: \t\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0f3c5c2d-6d0a-4f5e-9d0b-3b1a2c4d5e6f "
                + "ro  quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:2184,10de:1aeb"), changedLines(byPath, out));
        String byId = debianWithDefault("set default='gnulinux-advanced-0f3c5c2d-6d0a-4f5e-9d0b-3b1a2c4d5e6f>"
                + "gnulinux-6.1.0-18-amd64-advanced-0f3c5c2d-6d0a-4f5e-9d0b-3b1a2c4d5e6f'");
        assertEquals(changedLines(byPath, out), changedLines(byId, edited(byId, VFIO)));
        String recovery = debianWithDefault("set default=\"1>1\"");
        assertEquals("root=UUID=0f3c5c2d-6d0a-4f5e-9d0b-3b1a2c4d5e6f ro single",
                writer.configuredCommandLine(host(recovery)).toString());
        String first = debianWithDefault("set default=0");
        assertEquals(List.of("111: \tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0f3c5c2d-6d0a-4f5e-9d0b-3b1a2c4d5e6f "
                + "ro  quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:2184,10de:1aeb"), changedLines(first, edited(first, VFIO)));
        String byTitle = LFS.replace("set default=0", "set default=\"GNU/Linux, Linux 6.10.5-lfs-12.2\"");
        assertEquals(changedLines(LFS, edited(LFS, VFIO)), changedLines(byTitle, edited(byTitle, VFIO)));
        String none = LFS.replace("set default=0\n", "\n");
        assertEquals(changedLines(LFS, edited(LFS, VFIO)), changedLines(none, edited(none, VFIO)));
    }

    @Test
    void refusesWhatItCannotTell() {
        Finding variable = refusal(DEBIAN);
        assertEquals("GRUB_CFG_DEFAULT_VARIABLE", variable.code());
        assertTrue(variable.message().contains("boot/grub/grub.cfg line 14") && variable.message().contains("${next_entry}"),
                variable.message());
        assertTrue(variable.fix().contains("set default="), variable.fix());
        assertEquals(KernelCommandLine.empty(), writer.configuredCommandLine(host(DEBIAN)));

        assertEquals("GRUB_CFG_DEFAULT_VARIABLE", refusal(LFS.replace("set default=0", "set default=\"${saved_entry}\"")).code());
        assertEquals("GRUB_CFG_DEFAULT_CONDITIONAL",
                refusal(LFS.replace("set default=0", "if [ -e /x ]; then\n  set default=0\nfi")).code());
        Finding notFound = refusal(LFS.replace("set default=0", "set default=5"));
        assertEquals("GRUB_CFG_DEFAULT_NOT_FOUND", notFound.code());
        assertTrue(notFound.message().contains("line 2"), notFound.message());
        assertEquals("GRUB_CFG_DEFAULT_IS_SUBMENU", refusal(debianWithDefault("set default=1")).code());
        String conditionalFirst = "if [ \"$grub_platform\" = efi ]; then\n menuentry 'fw' { fwsetup; }\nfi\n" + LFS.replace("set default=0", "set default=1");
        Finding ambiguous = refusal(conditionalFirst);
        assertEquals("GRUB_CFG_DEFAULT_AMBIGUOUS", ambiguous.code());
        assertTrue(ambiguous.message().contains("line 2"), ambiguous.message());
        // by title, the same file is fine
        edited(conditionalFirst.replace("set default=1", "set default=\"GNU/Linux, Linux 6.10.5-lfs-12.2\""), VFIO);
    }

    @Test
    void refusesLinuxLinesItCannotEditSafely() {
        assertEquals("GRUB_CFG_LINUX_LINE_NOT_EDITABLE",
                refusal(LFS.replace(" ro iommu=pt", " \\\n    ro iommu=pt")).code());
        assertEquals("GRUB_CFG_LINUX_LINE_NOT_EDITABLE", refusal(LFS.replace(" ro iommu=pt", " 'ro' iommu=pt")).code());
        assertEquals("GRUB_CFG_SEVERAL_LINUX_LINES",
                refusal(LFS.replace("  initrd", "  if [ x = y ]; then linux /boot/other ro; fi\n  initrd")).code());
        assertEquals("GRUB_CFG_NO_LINUX_LINE", refusal("menuentry 'Windows' {\n  chainloader +1\n}\n").code());
        assertEquals("GRUB_CFG_NO_ENTRY", refusal("set timeout=5\n").code());
        assertEquals("GRUB_CFG_UNREADABLE", refusal(LFS.replace("  initrd  /boot/microcode.img\n}", "  initrd  /boot/microcode.img\n")).code());
        assertEquals("GRUB_CFG_UNREADABLE", refusal(LFS + "}\n").code());
        Finding open = refusal(LFS.replace("12.2\" {", "12.2 {"));
        assertEquals("GRUB_CFG_UNREADABLE", open.code());
        assertTrue(open.message().contains("line 9"), open.message());
        Finding quote = refusal(LFS + "echo \"unclosed\n");
        assertTrue(quote.message().contains("line 14"), quote.message());
    }

    @Test
    void addsArgumentsToABareLinuxLineAndRemovesTheLastOne() {
        String bare = "set default=0\nmenuentry 'x' {\n\tlinux16 /vmlinuz   # no arguments yet\n}\n";
        assertEquals("set default=0\nmenuentry 'x' {\n\tlinux16 /vmlinuz iommu=pt   # no arguments yet\n}\n",
                edited(bare, new KernelParametersChange(List.of(KernelParameter.of("iommu", "pt")), List.of(), "r")));
        String one = "menuentry 'x' { linuxefi /vmlinuz iommu=off ; initrd /i }\n";
        assertEquals("menuentry 'x' { linuxefi /vmlinuz ; initrd /i }\n",
                edited(one, new KernelParametersChange(List.of(), List.of(KernelParameter.of("iommu", "off")), "r")));
    }

    @Test
    void keepsEveryOtherByteOfTheDebianFile() {
        String cfg = debianWithDefault("set default=\"" + SUBMENU_ENTRY + "\"");
        String out = edited(cfg, new KernelParametersChange(List.of(), List.of(KernelParameter.flag("quiet")), "r"));
        assertEquals(List.of("124: \t\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0f3c5c2d-6d0a-4f5e-9d0b-3b1a2c4d5e6f ro"),
                changedLines(cfg, out));
    }

    @Test
    void submenuPathStepsKeepDoubledAngleBrackets() {
        assertEquals(List.of("a>b", "c"), DefaultEntry.steps("a>>b>c"));
        assertEquals(List.of("0"), DefaultEntry.steps("0"));
        assertNull(DefaultEntry.of(GrubConfigFile.parse("boot/grub/grub.cfg", "set default=\"${x}\"")).entry());
    }

    /** Real GRUB's own parser on every file the editor produced (grub-common's grub-script-check). */
    @Test
    void everyEditedFilePassesGrubScriptCheck(@TempDir Path tmp) throws Exception {
        Path check = Path.of("/usr/bin/grub-script-check");
        assumeTrue(Files.isExecutable(check), "grub-script-check is not installed");
        List<String> files = new ArrayList<>(List.of(LFS, DEBIAN));
        files.add(edited(LFS, VFIO));
        String submenu = debianWithDefault("set default=\"" + SUBMENU_ENTRY + "\"");
        files.add(submenu);
        files.add(edited(submenu, VFIO));
        files.add(edited("menuentry 'x' {\n\tlinux16 /vmlinuz\n}\n", VFIO));
        files.add(edited("menuentry 'x' { linuxefi /vmlinuz iommu=off ; initrd /i }\n",
                new KernelParametersChange(List.of(), List.of(KernelParameter.of("iommu", "off")), "r")));
        files.addAll(PRODUCED);
        int i = 0;
        for (String text : files) {
            Path f = tmp.resolve("grub" + i++ + ".cfg");
            Files.writeString(f, text);
            Process p = new ProcessBuilder(check.toString(), f.toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "grub-script-check failed on:\n" + text + "\n" + output);
        }
    }

    // ---- found by GrubConfigFileFuzzTest (integration-tests) ----

    /** A ';' in the new arguments ended the linux command: the rest became another GRUB command. */
    @Test
    void argumentsGrubWouldReadAsScriptAreRefusedNotWritten() {
        GrubConfigFile cfg = GrubConfigFile.parse("boot/grub/grub.cfg", LFS);
        GrubConfigFile.LinuxLine linux = DefaultEntry.of(cfg).linux();
        for (String bad : List.of("quiet semi;colon", "a #comment", "x={", "x=}", "v=$root", "it's", "back\\slash", "a\nb")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> cfg.withArguments(linux, bad), bad);
            assertTrue(e.getMessage().startsWith("boot/grub/grub.cfg line " + linux.line() + ": GRUB would not read"), e.getMessage());
        }
        assertEquals("quiet a=\"b c\"", DefaultEntry.of(GrubConfigFile.parse("boot/grub/grub.cfg",
                cfg.withArguments(linux, "quiet a=\"b c\"").text())).linux().arguments());
        Contribution c = writer.change(host(LFS), new KernelParametersChange(List.of(KernelParameter.of("x", "a;b")), List.of(), "test"));
        assertTrue(c.findings().stream().anyMatch(f -> f.code().equals("GRUB_CFG_LINUX_LINE_NOT_EDITABLE")), c.toString());
        assertTrue(c.changes().isEmpty());
    }

    /** Quoted blanks inside a kernel argument's name made reading the configured command line throw. */
    @Test
    void anArgumentWithQuotedBlanksInItsNameIsReadNotThrown() {
        String cfg = LFS.replace(" ro ", " ro int\"GNU/Linux, Linux 6.10\"el_iommu=on ");
        KernelCommandLine k = writer.configuredCommandLine(host(cfg));
        assertTrue(k.toString().contains("int\"GNU/Linux, Linux 6.10\"el_iommu=on"), k.toString());
    }
}
