package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import passthrough.api.Finding;
import passthrough.api.Firmware;
import passthrough.api.GuestSlot;
import passthrough.api.HostFacts;
import passthrough.api.MachineResources;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.PciBar;
import passthrough.api.QuirkResult;
import passthrough.api.VirtType;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;
import passthrough.core.host.HostFactsReader;
import passthrough.core.host.HostRoot;
import passthrough.core.host.MemInfoParser;
import passthrough.core.host.PciResourceParser;
import passthrough.fixtures.SampleHost;
import passthrough.fixtures.SampleHosts;
import passthrough.plugin.cardwarnings.CardWarningsQuirk;
import passthrough.plugin.largebar.LargeBarQuirk;

/**
 * The machine side of the committed sample hosts: every function's sysfs {@code resource} reads (with the core's
 * parser) as the real lspci reads it, proc/meminfo gives the model's memory, and the two seed-2 samples split on the
 * large-bar quirk as the seed did: the T10 boots, the P10 needs the 64-bit window.
 */
class SampleMachineResourcesTest {
    private static final Path LSPCI = Path.of("/usr/bin/lspci");
    private static final Pattern DEVICE = Pattern.compile("^([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]) .*");
    private static final Pattern REGION = Pattern.compile(
            "^\\tRegion ([0-5]): Memory at [0-9a-f]+ \\((32|64)-bit, (prefetchable|non-prefetchable)\\)(?: \\[disabled\\])? \\[size=([0-9]+)([KMG]?)\\]$");

    static List<String> samples() {
        return SampleHosts.names();
    }

    /** The memory BARs of every function of a sample root, read from its files with the core's parser. */
    static Map<PciAddress, List<PciBar>> bars(Path root) throws IOException {
        Map<PciAddress, List<PciBar>> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(root.resolve("sys/bus/pci/devices"))) {
            for (Path dev : s.sorted().toList()) {
                Set<Integer> resizable = new TreeSet<>();
                for (int i = 0; i < 6; i++) if (Files.exists(dev.resolve("resource" + i + "_resize"))) resizable.add(i);
                String rel = root.relativize(dev.resolve("resource")).toString();
                out.put(PciAddress.parse(dev.getFileName().toString()),
                        PciResourceParser.parse(Files.readString(dev.resolve("resource"), StandardCharsets.UTF_8), resizable, rel));
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyResourceFileReadsAsLspciReadsIt(String sample) throws Exception {
        if (!Files.isExecutable(LSPCI)) {
            if (System.getenv("CI") != null) fail("lspci is missing at " + LSPCI + "; CI installs pciutils");
            Assumptions.abort("lspci is not installed (apt-get install pciutils)");
        }
        Path root = Cli.sample(sample);
        Cli.Result l = Cli.exec(null, LSPCI.toString(), "-A", "linux-sysfs", "-O", "sysfs.path=" + root.resolve("sys/bus/pci"),
                "-i", root.resolve("usr/share/misc/pci.ids").toString(), "-D", "-vv");
        assertEquals(0, l.exit(), "lspci failed: " + l.err());
        Map<PciAddress, List<PciBar>> fromLspci = new TreeMap<>();
        PciAddress current = null;
        for (String line : l.out().split("\n")) {
            Matcher d = DEVICE.matcher(line);
            if (d.matches()) {
                current = PciAddress.parse(d.group(1));
                fromLspci.put(current, new ArrayList<>());
                continue;
            }
            Matcher m = REGION.matcher(line);
            if (m.matches()) {
                long unit = switch (m.group(5)) {
                    case "K" -> 1L << 10;
                    case "M" -> 1L << 20;
                    case "G" -> 1L << 30;
                    default -> 1;
                };
                fromLspci.get(current).add(new PciBar(Integer.parseInt(m.group(1)), Long.parseLong(m.group(4)) * unit,
                        m.group(2).equals("64"), m.group(3).equals("prefetchable"), false));
            }
        }
        Map<PciAddress, List<PciBar>> ours = new TreeMap<>();
        bars(root).forEach((a, bs) -> ours.put(a, bs.stream().map(b -> new PciBar(b.index(), b.size(), b.is64bit(),
                b.prefetchable(), false)).toList()));
        assertEquals(fromLspci, ours, "lspci -vv regions vs PciResourceParser on " + sample);
        assertTrue(ours.values().stream().anyMatch(bs -> !bs.isEmpty()), "every sample host has a card with BARs");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void meminfoGivesTheModelsMemory(String sample) throws Exception {
        SampleHost model = SampleHosts.byName(sample);
        String text = Files.readString(Cli.sample(sample).resolve("proc/meminfo"));
        assertTrue(model.memTotalKiB() > 0);
        assertEquals(model.memTotalKiB() / 1024, MemInfoParser.memTotalMiB(text, "proc/meminfo"));
    }

    static VmSpec vmWith(PciAddress gpu) {
        return new VmSpec("seed2", 16384, 8, VirtType.KVM, new Firmware("/usr/share/OVMF/OVMF_CODE.fd",
                "/usr/share/OVMF/OVMF_VARS.fd", "raw", false, null), List.of(), null, VmNetwork.of(VmNetwork.Kind.USER),
                VmSpec.Graphics.NONE, List.of(new GuestSlot(1, List.of(new PassedFunction(gpu, 0)))), null, null);
    }

    static QuirkResult largeBar(String sample, String gpu) throws IOException {
        Path root = Cli.sample(sample);
        HostFacts facts = HostFacts.builder().machine(new MachineResources(
                MemInfoParser.memTotalMiB(Files.readString(root.resolve("proc/meminfo")), "proc/meminfo"), 4,
                new HashMap<>(bars(root)))).build();
        return new LargeBarQuirk().features(facts, vmWith(PciAddress.parse(gpu)));
    }

    @Test
    void seed2sTeslaT10FitsOvmfsWindowAndItsTeslaP10NeedsTheLargeBarQuirk() throws Exception {
        assertFalse(largeBar(SampleHosts.SEED2, "82:00.0").applies(), "T10: 16 GiB + 32 MiB fit in 32 GiB");
        QuirkResult p10 = largeBar(SampleHosts.SEED2_P10, "05:00.0");
        assertEquals(List.of(new VmFeature.HostPhysBits(), new VmFeature.PciMmio64Window(65536)), p10.features());
        assertTrue(p10.why().startsWith("BARs: 0000:05:00.0 BAR1 32 GiB + 0000:05:00.0 BAR3 32 MiB (64-bit) = 32800 MiB"),
                p10.why());
    }

    @Test
    void theSplitCardsSmartAccessMemoryBarIsWarnedAboutAndTheSharedGroupsDefaultSizeIsNot() throws Exception {
        Path split = Cli.sample(SampleHosts.AMD_SPLIT_CARD);
        HostFacts facts = HostFactsReader.read(HostRoot.ofTree(split))
                .withMachine(new MachineResources(32768, 4, new HashMap<>(bars(split))));
        List<Finding> f = new CardWarningsQuirk().features(facts, vmWith(PciAddress.parse("05:00.0"))).findings();
        assertEquals(List.of("CARD_REBAR_ENLARGED", "CARD_AUDIO_IN_OTHER_GROUP"), f.stream().map(Finding::code).toList(),
                "the VM has the GPU without its audio (group 16): " + f);
        assertTrue(f.get(0).message().contains("BAR0 is 16 GiB"), f.get(0).message());
        Path sharedRoot = Cli.sample(SampleHosts.AMD_SHARED);
        HostFacts shared = HostFactsReader.read(HostRoot.ofTree(sharedRoot))
                .withMachine(new MachineResources(32768, 4, new HashMap<>(bars(sharedRoot))));
        assertEquals(List.of(), new CardWarningsQuirk().features(shared, vmWith(PciAddress.parse("04:00.0"))).findings());
    }

    /** Everything a host file shows, by path: file bytes as text, link targets as "-> target". */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) out.put(rel, "-> " + Files.readSymbolicLink(p));
                else if (Files.isRegularFile(p)) out.put(rel, new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    /** The P10 sample is made from seed 2 with copyAs: a field copyAs forgets (one added later) would show here. */
    @Test
    void copyAsCopiesEverythingTheWriterWrites(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path original = passthrough.fixtures.HostWriter.write(SampleHosts.seed2Lfs122(), tmp.resolve("a"));
        Path copy = passthrough.fixtures.HostWriter.write(SampleHosts.seed2Lfs122().copyAs("other-name"), tmp.resolve("b"));
        Map<String, String> a = tree(original);
        Map<String, String> b = tree(copy);
        // the pci.ids subset's header names its host: the one place the name shows
        b.computeIfPresent("usr/share/misc/pci.ids", (k, v) -> v.replace("other-name", SampleHosts.SEED2));
        Set<String> differ = new TreeSet<>(a.keySet());
        differ.addAll(b.keySet());
        differ.removeIf(k -> java.util.Objects.equals(a.get(k), b.get(k)));
        assertEquals(Set.of(), differ, "files that differ between seed2 and its copy");
    }
}
