package passthrough.it.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import passthrough.it.vm.QemuArgv.Function;
import passthrough.it.vm.QemuArgv.Normalized;
import passthrough.it.vm.QemuArgv.Pflash;

/**
 * The argv normaliser on both forms: libvirt 9.0's own output (captured from the real daemon by LibvirtDaemonTest on
 * Debian 12, in resources/vm/libvirt-9.0; the KVM domains converted as TCG, the machine having no /dev/kvm) and the
 * plain form a launch script writes, for the same VMs.
 */
class QemuArgvTest {

    static String resource(String name) throws IOException {
        try (InputStream in = QemuArgvTest.class.getResourceAsStream("/vm/" + name)) {
            if (in == null) throw new AssertionError("missing test resource vm/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static final List<Function> SEED1_FUNCTIONS = List.of(
            new Function("0000:65:00.0", 1, 0x10, 0, 0, true, null),
            new Function("0000:65:00.1", 1, 0x10, 0, 1, false, null),
            new Function("0000:65:00.2", 1, 0x10, 0, 2, false, null),
            new Function("0000:65:00.3", 1, 0x10, 0, 3, false, null));

    @Test
    void libvirtsJsonFormOfSeed1() throws IOException {
        Normalized n = QemuArgv.ofShell(resource("libvirt-9.0/win10.argv"));
        assertEquals(SEED1_FUNCTIONS, n.functions());
        assertEquals(List.of(new Pflash("/usr/share/OVMF/OVMF_CODE.fd", true),
                new Pflash("/var/lib/libvirt/qemu/nvram/win10_VARS.fd", false)), n.pflash());
        assertEquals("q35", n.machineType());
        assertEquals("tcg", n.accel());
        assertEquals(Map.of("model", "max", "kvm", "off", "hv-vendor-id", "passthrough"), n.cpu());
        assertEquals(Map.of("kernel-irqchip", "on"), n.machine());
        assertEquals(Map.of("agent-mouse", "off"), n.spice());
        assertEquals(Map.of(), n.fwCfg());
    }

    @Test
    void libvirtsJsonFormOfTheLargeBarVm() throws IOException {
        Normalized n = QemuArgv.ofShell(resource("libvirt-9.0/tesla.argv"));
        assertEquals(List.of(new Function("0000:82:00.0", 1, 0x10, 0, 0, false, "0")), n.functions());
        assertEquals(Map.of("model", "max", "host-phys-bits", "on"), n.cpu());
        assertEquals(Map.of("opt/ovmf/X-PciMmio64Mb", "65536"), n.fwCfg());
        assertEquals("/usr/share/OVMF/OVMF_CODE_4M.fd", n.pflash().get(0).file());
    }

    @Test
    void libvirtsJsonFormOfTheDirectBootVm() throws IOException {
        Normalized n = QemuArgv.ofShell(resource("libvirt-9.0/nested-tcg.argv"));
        assertEquals(List.of(new Function("0000:00:04.0", 1, 0x10, 0, 0, false, null)), n.functions());
        assertEquals("tcg", n.accel());
        assertEquals(Map.of("model", "max"), n.cpu());
        assertEquals(Map.of(), n.machine());
    }

    /** Seed 1 written the way a launch script writes it: plain options, continuations, lspci's short addresses. */
    @Test
    void thePlainFormOfTheSameVmNormalisesTheSame() throws IOException {
        String script = """
                #!/bin/bash
                # seed 1 as a script
                exec qemu-system-x86_64 \\
                  -machine q35,accel=tcg,kernel_irqchip=on \\
                  -cpu max,kvm=off,hv_vendor_id=passthrough \\
                  -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \\
                  -drive "if=pflash,format=raw,unit=1,file=/var/lib/libvirt/qemu/nvram/win10_VARS.fd" \\
                  -spice port=5930,addr=127.0.0.1,disable-ticketing=on,agent-mouse=off \\
                  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x10 \\
                  -device vfio-pci,host=65:00.0,bus=rp1,addr=00.0,multifunction=on \\
                  -device vfio-pci,host=0000:65:00.1,bus=rp1,addr=00.1 \\
                  -device 'vfio-pci,host=0000:65:00.2,bus=rp1,addr=0x0.0x2' \\
                  -device vfio-pci,host=0000:65:00.3,bus=rp1,addr=0.3
                """;
        Normalized plain = QemuArgv.ofShell(script.substring(script.indexOf("qemu-system")));
        Normalized libvirt = QemuArgv.ofShell(resource("libvirt-9.0/win10.argv"));
        assertEquals(libvirt, plain);
    }

    @Test
    void aDifferenceShows() throws IOException {
        String plain = "qemu-system-x86_64 -machine q35 -enable-kvm -cpu host,host-phys-bits=on "
                + "-fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=32768 "
                + "-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x10 -device vfio-pci,host=82:00.0,bus=rp1,rombar=0";
        Normalized n = QemuArgv.ofShell(plain);
        assertEquals("kvm", n.accel());
        assertEquals(Map.of("model", "host", "host-phys-bits", "on"), n.cpu());
        Normalized libvirt = QemuArgv.ofShell(resource("libvirt-9.0/tesla.argv"));
        assertEquals(libvirt.functions(), n.functions());
        assertTrue(!libvirt.fwCfg().equals(n.fwCfg()), "a different window must show");
    }

    @Test
    void aFunctionOnAnUnknownBusAndANonQemuLineAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QemuArgv.ofShell("qemu-system-x86_64 -device vfio-pci,host=65:00.0,bus=nowhere"));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QemuArgv.ofShell("bash -c true"));
    }

    @Test
    void shellWords() {
        assertEquals(List.of("a", "b c", "d\"e", "f'g", "h$X", "ij"),
                ShellWords.split("a 'b c' \"d\\\"e\" f\\'g \"h$X\" i\\\nj # comment"));
    }
}
