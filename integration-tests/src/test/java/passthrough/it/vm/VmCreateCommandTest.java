package passthrough.it.vm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.it.cli.Cli;

/**
 * `vm create` through the CLI on seed 1's host (Ubuntu 18.04, the GTX 1660 with four functions in group 34): refused
 * before the group is reserved, written after `apply` with the reboot still ahead, installed and undone as one
 * journaled transaction, and every bad input refused with nothing written.
 */
class VmCreateCommandTest {
    static final String QEMU_CONF = "# Master configuration file for the QEMU driver.\n#\n"
            + "# The default security driver is SELinux or AppArmor\n#security_driver = \"selinux\"\n\n#user = \"root\"\n";

    /** Seed 1's host with what a libvirt host has: virsh, Ubuntu 18.04's OVMF files (no descriptors), qemu.conf. */
    static Path seed1(Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/virsh"), "#!/bin/sh\n# placeholder: its presence is what the planner reads\n");
        Files.createDirectories(root.resolve("usr/share/OVMF"));
        Files.write(root.resolve("usr/share/OVMF/OVMF_CODE.fd"), new byte[] {1});
        Files.write(root.resolve("usr/share/OVMF/OVMF_VARS.fd"), new byte[] {2});
        Files.createDirectories(root.resolve("etc/libvirt/qemu"));
        Files.writeString(root.resolve("etc/libvirt/qemu.conf"), QEMU_CONF);
        Files.createDirectories(root.resolve("var/lib/libvirt/images"));
        Files.writeString(root.resolve("var/lib/libvirt/images/win10.iso"), "iso\n");
        return root;
    }

    static Cli.Result vm(Path root, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "vm"));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    static List<String> codes(JsonNode doc) {
        List<String> out = new ArrayList<>();
        doc.get("findings").forEach(f -> out.add(f.get("code").asText()));
        return out;
    }

    @Test
    void seed1BeforeTheReservationIsRefusedNamingTheFunctionsAndTheWayOut(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp);
        Cli.Result r = vm(root, "create", "win10", "--device", "65:00.0").exits(3);
        assertTrue(r.err().contains("NOT_RESERVED") || r.err().contains("held by host drivers"), r.err());
        assertTrue(r.err().contains("0000:65:00.0 (nvidia)") && r.err().contains("passthrough apply --device 0000:65:00.0"), r.err());
        assertFalse(Files.exists(root.resolve("etc/passthrough/vms")));
    }

    @Test
    void seed1AfterApplyOneCommandWritesTheWholeGroupInOneSlotAndDefineIsUndoneByRollback(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp);
        Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0);

        Cli.Result shown = vm(root, "--json", "create", "win10", "--device", "65:00.0", "--iso", "/var/lib/libvirt/images/win10.iso").exits(0);
        JsonNode doc = shown.json();
        assertEquals("vm create", doc.get("command").asText());
        assertEquals("libvirt", doc.get("hypervisor").asText());
        JsonNode slot = doc.get("vm").get("slots").get(0);
        assertTrue(slot.get("multifunction").asBoolean());
        List<String> pairs = new ArrayList<>();
        slot.get("functions").forEach(f -> pairs.add(f.get("host").asText() + "->" + f.get("guest").asText()));
        assertEquals(List.of("0000:65:00.0->0000:01:00.0", "0000:65:00.1->0000:01:00.1", "0000:65:00.2->0000:01:00.2",
                "0000:65:00.3->0000:01:00.3"), pairs);
        assertTrue(codes(doc).contains("RESERVED_AFTER_REBOOT"), codes(doc).toString());
        assertEquals("/usr/share/OVMF/OVMF_CODE.fd", doc.get("vm").get("firmware").get("code").asText(), "the profile's candidates");
        String xml = doc.get("document").asText();
        assertTrue(xml.contains("<hostdev mode='subsystem' type='pci' managed='yes'>"), xml);
        assertFalse(Files.exists(root.resolve("etc/passthrough/vms")), "without --define nothing is written");

        Path out = tmp.resolve("win10.xml");
        vm(root, "create", "win10", "--device", "65:00.0", "--iso", "/var/lib/libvirt/images/win10.iso", "--out", out.toString()).exits(0);
        assertEquals(xml, Files.readString(out), "--out writes the document alone");
        assertEquals("OUT_EXISTS", vm(root, "--json", "create", "win10", "--device", "65:00.0", "--out", out.toString())
                .exits(3).json().get("error").get("code").asText());

        Cli.Result defined = vm(root, "create", "win10", "--device", "65:00.0", "--define", "--yes", "--no-commands").exits(0);
        assertTrue(defined.out().contains("virsh -c qemu:///system define /etc/passthrough/vms/win10.xml"), defined.out());
        assertTrue(defined.out().contains("rollback: `virsh -c qemu:///system undefine --nvram win10`"), defined.out());
        assertTrue(Files.readString(root.resolve("etc/passthrough/vms/win10.xml")).contains("<name>win10</name>"));
        String conf = Files.readString(root.resolve("etc/libvirt/qemu.conf"));
        assertTrue(conf.contains("#security_driver = \"selinux\"\n# set by passthrough: ") && conf.contains("\nsecurity_driver = \"none\"\n"),
                "Ubuntu 18.04's host quirk, after the documented line:\n" + conf);
        assertTrue(defined.out().contains("systemctl try-restart libvirtd"), defined.out());
        assertTrue(vm(root, "list").exits(0).out().contains("win10"));
        assertEquals("VM_EXISTS", vm(root, "--json", "create", "win10", "--device", "65:00.0").exits(3).json().get("error").get("code").asText());

        Cli.Result rolled = Cli.run("--root", root.toString(), "rollback", "--no-commands").exits(0);
        assertTrue(rolled.out().contains("virsh -c qemu:///system undefine --nvram win10"), rolled.out());
        assertFalse(Files.exists(root.resolve("etc/passthrough/vms/win10.xml")));
        assertEquals(QEMU_CONF, Files.readString(root.resolve("etc/libvirt/qemu.conf")), "qemu.conf byte for byte");
    }

    @Test
    void vmRemoveUndoesADefinedVmAndRollbackDefinesItAgain(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp);
        Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0);
        vm(root, "create", "win10", "--device", "65:00.0", "--define", "--yes", "--no-commands").exits(0);
        byte[] xml = Files.readAllBytes(root.resolve("etc/passthrough/vms/win10.xml"));
        Cli.Result removed = vm(root, "remove", "win10", "--yes", "--no-commands").exits(0);
        assertTrue(removed.out().contains("undefine --nvram win10"), removed.out());
        assertFalse(Files.exists(root.resolve("etc/passthrough/vms/win10.xml")));
        Cli.Result back = Cli.run("--root", root.toString(), "rollback", "--no-commands").exits(0);
        // apply only listed `virsh undefine` (--no-commands): rollback names the inverse to run by hand
        assertTrue(back.out().contains("define /etc/passthrough/vms/win10.xml: skipped"), back.out());
        assertArrayEquals(xml, Files.readAllBytes(root.resolve("etc/passthrough/vms/win10.xml")));
        assertEquals("NO_SUCH_VM", vm(root, "--json", "remove", "nothere", "--yes").exits(2).json().get("error").get("code").asText());
    }

    @Test
    void theUsbControllerHoldingTheRootDiskIsRefused(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("intel-usb-root"), tmp.resolve("host"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/virsh"), "#!/bin/sh\n");
        Cli.Result r = vm(root, "--json", "create", "w", "--device", "01:00.0", "--usb-controller", "00:14.0").exits(3);
        assertEquals("CRITICAL_DEVICE", r.json().get("error").get("code").asText(), r.out());
        assertTrue(r.err().contains("00:14.0"), r.err());
    }

    @Test
    void everyBadInputIsOneLineWithTheWayOutAndNothingWritten(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp);
        Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0);
        String[][] cases = {
            {"2", "INVALID_VM_NAME", "create", "win 10", "--device", "65:00.0"},
            {"2", "INVALID_SIZE", "create", "w", "--device", "65:00.0", "--memory", "lots"},
            {"3", "MEMORY_TOO_LARGE", "create", "w", "--device", "65:00.0", "--memory", "1T"},
            {"2", "INVALID_DISK", "create", "w", "--device", "65:00.0", "--disk", "win.qcow2"},
            {"2", "DISK_NOT_FOUND", "create", "w", "--device", "65:00.0", "--disk", "/var/lib/libvirt/images/w.qcow2"},
            {"2", "ISO_NOT_FOUND", "create", "w", "--device", "65:00.0", "--iso", "/nowhere/win.iso"},
            {"2", "UNKNOWN_QUIRK", "create", "w", "--device", "65:00.0", "--no-quirk", "nvidai"},
            {"2", "UNKNOWN_HYPERVISOR", "create", "w", "--device", "65:00.0", "--hypervisor", "vmware"},
            {"2", "NO_SUCH_DEVICE", "create", "w", "--device", "99:00.0"},
            {"2", "INVALID_ADDRESS", "create", "w", "--device", "65:00"},
            {"2", "INVALID_NETWORK", "create", "w", "--device", "65:00.0", "--network", "nat"},
            {"2", "BRIDGE_NOT_FOUND", "create", "w", "--device", "65:00.0", "--network", "bridge=br0"},
            {"3", "NOT_RESERVED", "create", "w", "--device", "65:00.0", "--usb-controller", "00:17.0"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("--json"));
            args.addAll(List.of(c).subList(2, c.length));
            Cli.Result r = vm(root, args.toArray(String[]::new));
            assertEquals(Integer.parseInt(c[0]), r.exit(), () -> String.join(" ", c) + "\n" + r.out() + r.err());
            assertEquals(c[1], r.json().get("error").get("code").asText(), () -> String.join(" ", c) + "\n" + r.out());
            assertEquals(1, r.err().strip().lines().count(), () -> "one line: " + r.err());
        }
        assertFalse(Files.exists(root.resolve("etc/passthrough/vms")));
    }

    /** Seed 2's LFS host with QEMU built from source: its own firmware descriptor and edk2 images, no libvirt. */
    static Path seed2(Path tmp, String sample) throws Exception {
        Path root = Cli.copyTree(Cli.sample(sample), tmp.resolve("host"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/qemu-system-x86_64"), "#!/bin/sh\n");
        Files.writeString(root.resolve("usr/bin/qemu-img"), "#!/bin/sh\n");
        Files.createDirectories(root.resolve("usr/share/qemu/firmware"));
        Files.writeString(root.resolve("usr/share/qemu/firmware/60-edk2-x86_64.json"), """
                {"description": "UEFI firmware for x86_64", "interface-types": ["uefi"],
                 "mapping": {"device": "flash", "executable": {"filename": "/usr/share/qemu/edk2-x86_64-code.fd", "format": "raw"},
                   "nvram-template": {"filename": "/usr/share/qemu/edk2-i386-vars.fd", "format": "raw"}},
                 "targets": [{"architecture": "x86_64", "machines": ["pc-i440fx-*", "pc-q35-*"]}],
                 "features": ["acpi-s3", "verbose-dynamic"], "tags": []}
                """);
        Files.write(root.resolve("usr/share/qemu/edk2-x86_64-code.fd"), new byte[] {1});
        Files.write(root.resolve("usr/share/qemu/edk2-i386-vars.fd"), new byte[] {2});
        Files.createDirectories(root.resolve("sources/images"));
        return root;
    }

    @Test
    void seed2IsOneCommandTheQemuScriptWithTheT10AndTheNvidiaQuirkButNoLargeBarWindow(@TempDir Path tmp) throws Exception {
        Path root = seed2(tmp, "seed2-lfs-12.2");
        JsonNode doc = vm(root, "--json", "create", "d2l", "--device", "82:00.0", "--memory", "16G", "--cpus", "8",
                "--disk", "/sources/images/d2l.qcow2,size=64G", "--network", "user").exits(0).json();
        assertEquals("qemu", doc.get("hypervisor").asText(), "LFS's profile puts qemu first, as seed 2 does");
        String script = doc.get("document").asText();
        assertTrue(script.contains("vfio-pci,host=0000:82:00.0"), script);
        assertTrue(script.contains("/usr/share/qemu/edk2-x86_64-code.fd"), "the descriptor's firmware");
        List<String> quirks = new ArrayList<>();
        doc.get("quirks").forEach(q -> quirks.add(q.get("id").asText()));
        assertTrue(quirks.contains("nvidia") && !quirks.contains("large-bar"), quirks.toString());
        assertTrue(script.contains("kvm=off"), "NVIDIA: KVM hidden");
        List<String> argv = new ArrayList<>();
        doc.get("commands").forEach(c -> argv.add(c.get("argv").toString()));
        assertTrue(argv.get(0).contains("qemu-img") && argv.get(0).contains(String.valueOf(64L << 30)), argv.toString());

        vm(root, "create", "d2l", "--device", "82:00.0", "--memory", "16G", "--disk", "/sources/images/d2l.qcow2,size=64G",
                "--network", "user", "--define", "--yes", "--no-commands").exits(0);
        assertTrue(Files.isExecutable(root.resolve("etc/passthrough/vms/d2l.sh")));
        Cli.run("--root", root.toString(), "rollback", "--no-commands").exits(0);
        assertFalse(Files.exists(root.resolve("etc/passthrough/vms/d2l.sh")));
    }

    @Test
    void seed2sP10GetsTheLargeBarWindowWithTheArithmetic(@TempDir Path tmp) throws Exception {
        Path root = seed2(tmp, "seed2-p10-lfs-12.2");
        JsonNode doc = vm(root, "--json", "create", "p10", "--device", "05:00.0", "--memory", "16G").exits(0).json();
        String why = "";
        for (JsonNode q : doc.get("quirks")) if (q.get("id").asText().equals("large-bar")) why = q.get("why").asText();
        assertTrue(why.contains("32 GiB") && why.contains("64 GiB"), "the arithmetic: " + why);
        String script = doc.get("document").asText();
        assertTrue(script.contains("host-phys-bits=on"), script);
        assertTrue(script.contains("opt/ovmf/X-PciMmio64Mb,string=65536"), script);
    }
}
