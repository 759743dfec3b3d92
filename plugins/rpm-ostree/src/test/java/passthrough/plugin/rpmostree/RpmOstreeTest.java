package passthrough.plugin.rpmostree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.EarlyModulesChange;
import passthrough.api.HostFacts;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;

class RpmOstreeTest {
    static final String OPTS = "rhgb quiet root=UUID=0d5a root=UUID=0d5a rootflags=subvol=root rw "
            + "ostree=/ostree/boot.1/fedora/3f2e/0";

    static String entry(int n, String options) {
        return "title Fedora Linux 40.20240512.0 (Silverblue) (ostree:" + (n - 1) + ")\nversion " + (3 - n)
                + "\noptions " + options + "\nlinux /ostree/fedora-3f2e/vmlinuz-6.8.9-300.fc40.x86_64\n"
                + "initrd /ostree/fedora-3f2e/initramfs-6.8.9-300.fc40.x86_64.img\n";
    }

    static HostFacts host(boolean booted, String defaultOptions) {
        Map<String, String> files = new HashMap<>();
        files.put("boot/loader/entries/ostree-1-fedora.conf", entry(1, defaultOptions));
        files.put("boot/loader/entries/ostree-2-fedora.conf", entry(2, OPTS + " nomodeset"));
        if (booted) files.put(OstreeHost.BOOTED, "");
        return HostFacts.builder().files(files).commands(Set.of("rpm-ostree")).build();
    }

    @Test
    void managesOstreeHostsWithRpmOstree() {
        RpmOstreeKargs w = new RpmOstreeKargs();
        assertTrue(w.manages(host(true, OPTS)));
        assertTrue(w.manages(host(false, OPTS)), "ostree's entries alone");
        assertFalse(w.manages(HostFacts.builder().files(Map.of(OstreeHost.BOOTED, "")).commands(Set.of()).build()));
        assertFalse(w.manages(HostFacts.builder().files(Map.of("boot/loader/entries/fedora-6.8.conf", "linux /x\n"))
                .commands(Set.of("rpm-ostree")).build()), "a plain Fedora's entries are not ostree's");
        assertTrue(new RpmOstreeInitramfs().manages(host(true, OPTS)));
        assertEquals(OPTS, w.configuredCommandLine(host(true, OPTS)).toString(), "the default deployment: ostree-1");
    }

    @Test
    void kargsAppendReplaceDeleteWithTheirInverse() {
        HostFacts h = host(true, OPTS + " iommu=off vfio-pci.ids=10de:1b80");
        Contribution c = new RpmOstreeKargs().change(h, new KernelParametersChange(List.of(KernelParameter.parse("intel_iommu=on"),
                KernelParameter.parse("vfio-pci.ids=10de:1b80,10de:10f0")), List.of(KernelParameter.flag("iommu")), "test"));
        CommandChange cmd = (CommandChange) c.changes().get(0);
        assertEquals(List.of("rpm-ostree", "kargs", "--replace=vfio-pci.ids=10de:1b80=10de:1b80,10de:10f0",
                "--append-if-missing=intel_iommu=on", "--delete-if-present=iommu=off"), cmd.argv());
        assertEquals(List.of("rpm-ostree", "kargs", "--replace=vfio-pci.ids=10de:1b80,10de:10f0=10de:1b80",
                "--delete-if-present=intel_iommu=on", "--append-if-missing=iommu=off"), ((passthrough.api.CommandUndo.Run) cmd.undo()).argv());
        assertTrue(new RpmOstreeKargs().change(h, new KernelParametersChange(List.of(KernelParameter.parse("iommu=off")),
                List.of(), "t")).changes().isEmpty(), "nothing to do");
    }

    @Test
    void aValueWithAnEqualsSignIsRefused() {
        Contribution c = new RpmOstreeKargs().change(host(true, OPTS), new KernelParametersChange(
                List.of(KernelParameter.parse("dyndbg=file=x")), List.of(), "t"));
        assertTrue(c.changes().isEmpty());
        assertEquals("RPM_OSTREE_ARGUMENT_NOT_PASSABLE", c.findings().get(0).code());
        assertTrue(c.findings().get(0).message().startsWith("boot/loader/entries/ostree-1-fedora.conf"), c.findings().toString());
    }

    @Test
    void initramfsIsRegeneratedLocallyWithTheDriversAndDisabledOnRollback() {
        Contribution c = new RpmOstreeInitramfs().load(host(true, OPTS), new EarlyModulesChange(List.of("vfio", "vfio_iommu_type1",
                "vfio_pci"), List.of("etc/passthrough/bind-by-address.sh"), List.of("etc/modprobe.d/passthrough-vfio.conf"), "early"));
        CommandChange cmd = (CommandChange) c.changes().get(0);
        assertEquals(List.of("rpm-ostree", "initramfs", "--enable", "--arg=--add-drivers", "--arg=vfio vfio_iommu_type1 vfio_pci",
                "--arg=--install", "--arg=/etc/passthrough/bind-by-address.sh"), cmd.argv());
        assertEquals(List.of("rpm-ostree", "initramfs", "--disable"), ((passthrough.api.CommandUndo.Run) cmd.undo()).argv());
        assertEquals("RPM_OSTREE_INITRAMFS_ARGS", c.findings().get(0).code());
    }
}
