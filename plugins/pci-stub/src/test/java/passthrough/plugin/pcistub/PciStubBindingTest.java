package passthrough.plugin.pcistub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.Contribution;
import passthrough.api.HostFacts;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelModules;
import passthrough.api.FileChange;
import passthrough.api.KernelParametersChange;
import passthrough.api.PciAddress;
import passthrough.api.PciClassCode;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.Reservation;
import passthrough.api.Severity;

class PciStubBindingTest {
    static final List<PciDevice> GROUP = List.of(
            new PciDevice(PciAddress.parse("65:00.0"), new PciId(0x10de, 0x2184), null, new PciClassCode(0x030000), 0xa1, false,
                    "nvidia", null, 34, null, null, "c", List.of("nouveau")),
            new PciDevice(PciAddress.parse("65:00.2"), new PciId(0x10de, 0x1aec), null, new PciClassCode(0x0c0330), 0xa1, false,
                    "xhci_hcd", null, 34, null, null, "c", List.of("xhci_pci")));

    static HostFacts host(Set<String> builtin, String cmdline) {
        return HostFacts.builder().devices(GROUP).commandLine(cmdline).kernelRelease("5.4.0")
                .modules(new KernelModules(builtin, Set.of("pci_stub"), Set.of(), true)).build();
    }

    @Test
    void builtInPciStubTakesMergedIdsFromTheCommandLineEvenWithBuiltInXhci() {
        Contribution c = new PciStubBinding().reserve(host(Set.of("pci_stub", "xhci_pci"), "pci-stub.ids=8086:1234"),
                new Reservation(GROUP, false));
        // merged into the line the next boot gets: ids already there stay
        assertEquals("pci-stub.ids=8086:1234,10de:2184,10de:1aec", ((KernelParametersChange) c.changes().get(0))
                .applyTo(KernelCommandLine.parse("pci-stub.ids=8086:1234")).toString());
    }

    @Test
    void identicalIdsCannotBeReservedWithPciStub() {
        Contribution c = new PciStubBinding().reserve(host(Set.of("pci_stub"), ""), new Reservation(GROUP, true));
        assertEquals(Severity.ERROR, c.findings().get(0).severity());
        assertTrue(c.findings().get(0).fix().contains("vfio-pci"));
    }

    static HostFacts moduleHost(List<PciDevice> devices, String cmdline, Map<String, String> files) {
        return HostFacts.builder().devices(devices).commandLine(cmdline).kernelRelease("6.1.0")
                .modules(new KernelModules(Set.of(), Set.of("pci_stub", "nouveau", "nvidia", "xhci_pci"), Set.of(), true)).files(files)
                .build();
    }

    static String conf(Contribution c) {
        return c.changes().stream().filter(ch -> ch instanceof FileChange f && f.path().equals(PciStubBinding.CONF))
                .map(ch -> ((FileChange) ch).newContent()).findFirst().orElseThrow();
    }

    @Test
    void asAModuleItKeepsTheSoftdepsOfAnEarlierPlanOnceTheDevicesSitOnPciStub() {
        Contribution first = new PciStubBinding().reserve(moduleHost(GROUP, "", Map.of()), new Reservation(GROUP, false));
        assertTrue(conf(first).contains("options pci-stub ids=10de:2184,10de:1aec\nsoftdep nouveau pre: pci-stub\n"
                + "softdep nvidia pre: pci-stub\nsoftdep xhci_pci pre: pci-stub\n"), conf(first));
        List<PciDevice> rebooted = GROUP.stream().map(d -> new PciDevice(d.address(), d.id(), null, d.classCode(), 0xa1, false,
                "pci-stub", null, 34, null, null, "c", List.of())).toList();
        Contribution again = new PciStubBinding().reserve(moduleHost(rebooted, "", Map.of(PciStubBinding.CONF, conf(first))),
                new Reservation(rebooted, false));
        assertEquals(conf(first), conf(again));
    }

    @Test
    void releaseDeletesItsFileAndItsIdsOnTheCommandLine() {
        String before = "options pci-stub ids=10de:2184,10de:1aec\nsoftdep nouveau pre: pci-stub\n";
        Contribution c = new PciStubBinding().release(moduleHost(GROUP, "quiet pci-stub.ids=10de:2184,10de:1aec",
                Map.of(PciStubBinding.CONF, before)), new Reservation(GROUP, false));
        KernelParametersChange k = (KernelParametersChange) c.changes().get(0);
        assertEquals("quiet", k.applyTo(KernelCommandLine.parse("quiet pci-stub.ids=10de:2184,10de:1aec")).toString());
        FileChange f = (FileChange) c.changes().get(1);
        assertEquals(PciStubBinding.CONF, f.path());
        assertEquals(null, f.newContent());
    }
}
