package passthrough.it.cli;

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
import passthrough.api.HostFacts;
import passthrough.api.PciAddress;
import passthrough.core.host.HostFactsReader;
import passthrough.core.host.HostRoot;
import passthrough.core.host.UsbController;
import passthrough.core.host.UsbDevice;
import passthrough.core.host.UsbDisk;
import passthrough.core.host.UsbTopology;
import passthrough.fixtures.SampleHosts;

/**
 * Seed 1's keyboard-and-mouse section: `groups --usb` says which USB controller holds what, and `plan`/`apply`/`verify`
 * take the GPU's group and a USB controller's group in one plan, one transaction, one reboot; the controller of the
 * root disk is refused and the host's only keyboard is a loud warning.
 */
class UsbControllersTest {
    static final String SEED1 = SampleHosts.SEED1;
    static final String USB_ROOT = SampleHosts.INTEL_USB_ROOT;

    static UsbTopology topology(String sample) throws Exception {
        HostRoot root = HostRoot.open(Cli.sample(sample), null);
        HostFacts facts = HostFactsReader.read(root);
        return UsbTopology.read(root, facts);
    }

    static UsbController behind(UsbTopology t, String addr) {
        return t.behind(PciAddress.parse(addr)).orElseThrow();
    }

    static List<String> codes(JsonNode plan) {
        List<String> out = new ArrayList<>();
        plan.get("findings").forEach(f -> out.add(f.get("code").asText()));
        return out;
    }

    @Test
    void theReaderOnTheSampleHosts() throws Exception {
        UsbTopology seed1 = topology(SEED1);
        assertEquals(List.of("0000:00:14.0", "0000:05:00.0", "0000:65:00.2"),
                seed1.controllers().stream().map(c -> c.address().toString()).toList());
        UsbController chipset = behind(seed1, "00:14.0");
        assertTrue(chipset.alone());
        assertEquals(List.of("1-4", "1-4.1", "1-4.2"), chipset.devices().stream().map(UsbDevice::port).toList());
        assertEquals(List.of("Logitech USB Keyboard [046d:c31c]"), chipset.keyboards().stream().map(UsbDevice::displayName).toList());
        assertEquals(List.of("1-4.2"), chipset.mice().stream().map(UsbDevice::port).toList());
        assertFalse(chipset.holdsRootDisk(), "seed 1's / is on NVMe");
        UsbController asmedia = behind(seed1, "05:00.0");
        assertTrue(asmedia.alone(), "its PCH root port shares group 13, and bridges stay with the host");
        assertEquals(13, asmedia.iommuGroup());
        assertTrue(asmedia.devices().isEmpty());
        UsbController gpuUsb = behind(seed1, "65:00.2");
        assertFalse(gpuUsb.alone());
        assertEquals(3, gpuUsb.groupMates().size(), gpuUsb.groupMates().toString());
        assertEquals(List.of(), seed1.keyboardsKeptWithout(List.of(PciAddress.parse("00:14.0"))));
        assertEquals(List.of(), seed1.problems());

        UsbTopology usbRoot = topology(USB_ROOT);
        UsbController pch = behind(usbRoot, "00:14.0");
        assertTrue(pch.holdsRootDisk());
        assertEquals(List.of(new UsbDisk("sda", List.of("sda1", "sda2"), true)), pch.disks());
        assertTrue(pch.critical().contains("/dev/sda2 on /"), pch.critical());
        UsbController renesas = behind(usbRoot, "03:00.0");
        assertEquals(List.of("3-1"), renesas.mice().stream().map(UsbDevice::port).toList());
        assertTrue(renesas.keyboards().isEmpty());

        for (String name : SampleHosts.names()) {
            assertEquals(List.of(), topology(name).problems(), name);
        }
    }

    @Test
    void groupsUsbSaysWhereTheKeyboardIs() {
        Cli.Result r = Cli.run("--root", Cli.sample(SEED1).toString(), "groups", "--usb").exits(0);
        String out = r.out();
        assertTrue(out.contains("00:14.0 USB controller [0c03]: Intel Corporation 200 Series/Z370 Chipset Family USB 3.0 xHCI "
                + "Controller [8086:a2af]"), out);
        assertTrue(out.contains("YOUR ONLY KEYBOARD IS ON THIS ONE: Logitech USB Keyboard [046d:c31c]"), out);
        assertTrue(out.contains("1-4.2    Logitech USB Optical Mouse [046d:c077]  [mouse]"), out);
        assertTrue(out.contains("IOMMU group 13, alone in it (bridges aside): can be given to a VM (passthrough plan --device 05:00.0)"), out);
        assertTrue(out.contains("IOMMU group 34, shared with 65:00.0 VGA compatible controller [10de:2184]"), out);
        assertFalse(out.contains("IOMMU group 24"), "only USB controllers are listed");

        String root = Cli.run("--root", Cli.sample(USB_ROOT).toString(), "groups", "--usb").exits(0).out();
        assertTrue(root.contains("HOLDS THE ROOT FILESYSTEM'S DISK"), root);
        assertTrue(root.contains("2-2      Samsung PSSD T7 [04e8:4001]  [disk sda (sda1, sda2), holds /]"), root);
        assertFalse(root.contains("passthrough plan --device 00:14.0"), "the root disk's controller is not offered: " + root);

        String one = Cli.run("--root", Cli.sample(SEED1).toString(), "groups", "--usb", "--device", "05:00.0").exits(0).out();
        assertFalse(one.contains("00:14.0"), one);
        assertTrue(one.contains("nothing plugged in"), one);
    }

    @Test
    void aReportCarriesTheUsbTrees(@TempDir Path tmp) throws Exception {
        Path archive = tmp.resolve("seed1.tar.gz");
        Cli.run("--root", Cli.sample(SEED1).toString(), "report", "--out", archive.toString()).exits(0);
        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor());
        assertEquals(Cli.run("--root", Cli.sample(SEED1).toString(), "groups", "--usb").exits(0).out(),
                Cli.run("--root", unpacked.toString(), "groups", "--usb").exits(0).out());
    }

    @Test
    void groupsUsbJson() {
        JsonNode j = Cli.run("--root", Cli.sample(SEED1).toString(), "groups", "--usb", "--json").exits(0).json();
        assertEquals(1, j.get("schemaVersion").asInt());
        assertEquals("groups", j.get("command").asText());
        List<Integer> groups = new ArrayList<>();
        j.get("groups").forEach(g -> groups.add(g.get("id").asInt()));
        assertEquals(List.of(6, 13, 34), groups, "the groups holding a USB controller");
        JsonNode controllers = j.at("/usb/controllers");
        assertEquals(3, controllers.size());
        JsonNode chipset = controllers.get(0);
        assertEquals("0000:00:14.0", chipset.get("address").asText());
        assertTrue(chipset.get("alone").asBoolean());
        assertTrue(chipset.get("onlyKeyboard").asBoolean());
        assertFalse(chipset.get("holdsRootDisk").asBoolean());
        assertTrue(chipset.get("critical").isNull());
        JsonNode kb = chipset.get("devices").get(1);
        assertEquals("1-4.1", kb.get("port").asText());
        assertEquals("046d", kb.get("vendor").asText());
        assertEquals("c31c", kb.get("product").asText());
        assertEquals("Logitech", kb.get("manufacturer").asText());
        assertEquals("USB Keyboard", kb.get("productName").asText());
        assertTrue(kb.get("keyboard").asBoolean());
        assertEquals("keyboard", kb.at("/inputs/0/kind").asText());
        assertEquals("Logitech USB Keyboard", kb.at("/inputs/0/name").asText());
        assertEquals("other", kb.at("/inputs/1/kind").asText(), "its consumer-control keys");
        JsonNode gpuUsb = controllers.get(2);
        assertFalse(gpuUsb.get("alone").asBoolean());
        assertEquals(3, gpuUsb.get("groupMates").size());
        assertEquals(0, j.at("/usb/otherKeyboards").size());
        assertEquals(0, j.at("/usb/problems").size());

        JsonNode disk = Cli.run("--root", Cli.sample(USB_ROOT).toString(), "groups", "--usb", "--json").exits(0).json()
                .at("/usb/controllers/0");
        assertTrue(disk.get("holdsRootDisk").asBoolean());
        assertEquals("sda", disk.at("/devices/1/disks/0/name").asText());
        assertTrue(disk.at("/devices/1/disks/0/rootFilesystem").asBoolean());
        assertEquals("sda2", disk.at("/devices/1/disks/0/partitions/1").asText());

        assertTrue(Cli.run("--root", Cli.sample(SEED1).toString(), "groups", "--json").exits(0).json().get("usb").isNull(),
                "without --usb the field is there, null");
    }

    @Test
    void theGpuAndAUsbControllerInOnePlanOneTransactionOneRollback(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample(SEED1), tmp.resolve("host"));
        byte[] original = Files.readAllBytes(root.resolve("etc/default/grub"));
        Path planFile = tmp.resolve("plan.json");
        Cli.Result shown = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--device", "05:00.0",
                "--out", planFile.toString()).exits(0);
        assertTrue(shown.out().startsWith("Plan: reserve, in one transaction, the IOMMU groups of 65:00.0, 05:00.0 (groups 34, 13)"),
                shown.out());
        assertTrue(shown.out().contains("passthrough apply " + planFile), shown.out());
        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--device", "05:00.0", "--json")
                .exits(0).json();
        assertEquals("0000:65:00.0", plan.get("target").asText());
        assertEquals(List.of("0000:65:00.0", "0000:05:00.0"), List.of(plan.at("/targets/0").asText(), plan.at("/targets/1").asText()));
        assertEquals(34, plan.get("iommuGroup").asInt());
        assertEquals("[34,13]", plan.get("iommuGroups").toString());
        assertEquals(5, plan.get("reserved").size());
        assertTrue(plan.get("kernelParameters").asText().endsWith("pci-stub.ids=1b21:2142,10de:2184,10de:1aeb,10de:1aec,10de:1aed"),
                plan.get("kernelParameters").asText());
        assertFalse(codes(plan).contains("ONLY_KEYBOARD"), "the ASMedia holds nothing: " + codes(plan));
        assertFalse(codes(plan).contains("USB_DEVICES_TAKEN"), codes(plan).toString());

        Cli.Result applied = Cli.run("--root", root.toString(), "apply", planFile.toString(), "--yes", "--no-commands").exits(0);
        assertTrue(applied.out().contains("Reboot, then run `passthrough verify --device 0000:65:00.0 --device 0000:05:00.0`"),
                applied.out());
        assertTrue(Files.readString(root.resolve("etc/default/grub")).contains("pci-stub.ids=1b21:2142,10de:2184"));
        String history = Cli.run("--root", root.toString(), "history").exits(0).out();
        assertTrue(history.contains("reserve the IOMMU groups of 0000:65:00.0, 0000:05:00.0 for pci-stub"), history);
        assertEquals(1, Cli.run("--root", root.toString(), "--json", "history").exits(0).json().get("transactions").size(),
                "one transaction for both groups");
        // the same request again, straight from the options: nothing to do
        Cli.Result again = Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--device", "05:00.0", "--yes",
                "--no-commands").exits(0);
        assertTrue(again.out().contains("Nothing to do"), again.out());

        Cli.run("--root", root.toString(), "rollback", "--no-commands").exits(0);
        assertArrayEquals(original, Files.readAllBytes(root.resolve("etc/default/grub")));
    }

    @Test
    void applyWithTwoDevicesStraightFromTheOptions(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample(USB_ROOT), tmp.resolve("host"));
        JsonNode r = Cli.run("--root", root.toString(), "--json", "apply", "--device", "01:00.0", "--device", "03:00.0",
                "--yes", "--no-commands").exits(0).json();
        assertEquals(List.of("0000:01:00.0", "0000:03:00.0"), List.of(r.at("/targets/0").asText(), r.at("/targets/1").asText()));
        assertTrue(r.get("changed").asBoolean());
        String conf = Files.readString(root.resolve("etc/modprobe.d/passthrough-vfio.conf"));
        assertTrue(conf.contains("10de:2503") && conf.contains("1912:0014"), conf);
        Cli.run("--root", root.toString(), "rollback", "--no-commands").exits(0);
        assertFalse(Files.exists(root.resolve("etc/modprobe.d/passthrough-vfio.conf")));
    }

    @Test
    void verifyChecksTheGroupOfEachDevice(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample(SEED1), tmp.resolve("host"));
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/pci-stub"));
        for (String a : List.of("0000:65:00.0", "0000:65:00.1", "0000:65:00.2", "0000:65:00.3", "0000:05:00.0")) {
            Path link = root.resolve("sys/bus/pci/devices/" + a + "/driver");
            String target = Files.readSymbolicLink(link).toString();
            Files.delete(link);
            Files.createSymbolicLink(link, Path.of(target.substring(0, target.lastIndexOf('/') + 1) + "pci-stub"));
        }
        JsonNode ok = Cli.run("--root", root.toString(), "--json", "verify", "--device", "65:00.0", "--device", "05:00.0")
                .exits(0).json();
        assertEquals("verified", ok.get("verdict").asText());
        assertEquals("[\"0000:65:00.0\",\"0000:05:00.0\"]", ok.get("targets").toString());
        assertEquals("[34,13]", ok.get("groups").toString());
        assertEquals(34, ok.get("group").asInt());
        assertTrue(Cli.run("--root", root.toString(), "verify", "--device", "65:00.0", "--device", "05:00.0").exits(0).out()
                .contains("VERIFIED: every group is reserved"));

        // the USB controller still on its host driver: the second group fails, named
        Path link = root.resolve("sys/bus/pci/devices/0000:05:00.0/driver");
        String target = Files.readSymbolicLink(link).toString();
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of(target.substring(0, target.lastIndexOf('/') + 1) + "xhci_hcd"));
        Cli.Result bad = Cli.run("--root", root.toString(), "verify", "--device", "65:00.0", "--device", "05:00.0").exits(1);
        assertTrue(bad.out().contains("[FAIL] xhci_hcd holds 0000:05:00.0 [1b21:2142]"), bad.out());
        assertTrue(bad.out().contains("NOT VERIFIED: do not give these groups to a VM yet."), bad.out());
    }

    @Test
    void theRootDisksControllerIsRefusedNamingTheDisk(@TempDir Path tmp) throws Exception {
        Cli.Result r = Cli.run("--root", Cli.sample(USB_ROOT).toString(), "plan", "--device", "01:00.0", "--device", "00:14.0")
                .exits(3);
        assertTrue(r.err().contains("--device 00:14.0 is the USB controller of the root filesystem's disk, sda (Samsung PSSD T7 "
                + "[04e8:4001] on port 2-2)"), r.err());
        assertTrue(r.err().contains("passthrough groups --usb"), r.err());
        JsonNode j = Cli.run("--root", Cli.sample(USB_ROOT).toString(), "--json", "plan", "--device", "00:14.0").exits(3).json();
        assertEquals("USB_ROOT_DISK", j.at("/error/code").asText());
        // and apply writes nothing
        Path root = Cli.copyTree(Cli.sample(USB_ROOT), tmp.resolve("host"));
        byte[] grub = Files.readAllBytes(root.resolve("etc/default/grub"));
        Cli.run("--root", root.toString(), "apply", "--device", "01:00.0", "--device", "00:14.0", "--yes", "--no-commands").exits(3);
        assertArrayEquals(grub, Files.readAllBytes(root.resolve("etc/default/grub")));
        assertFalse(Files.exists(root.resolve("etc/modprobe.d/passthrough-vfio.conf")));
    }

    @Test
    void aDeviceNamedTwiceOrFromAnotherDevicesGroupIsAUsageError() {
        JsonNode twice = Cli.run("--root", Cli.sample(SEED1).toString(), "--json", "plan", "--device", "65:00.0", "--device",
                "0000:65:00.0").exits(2).json();
        assertEquals("DUPLICATE_DEVICE", twice.at("/error/code").asText());
        Cli.Result same = Cli.run("--root", Cli.sample(SEED1).toString(), "plan", "--device", "65:00.0", "--device", "65:00.2")
                .exits(2);
        assertEquals("passthrough: refused: --device 65:00.2 is in IOMMU group 34, as --device 65:00.0, whose whole group is "
                + "reserved with it; name each group once (leave out --device 65:00.2)", same.err().strip());
    }

    @Test
    void theHostsOnlyKeyboardIsALoudWarning() {
        Cli.Result r = Cli.run("--root", Cli.sample(SEED1).toString(), "plan", "--device", "65:00.0", "--device", "00:14.0")
                .exits(0);
        assertTrue(r.out().contains("!!! NO KEYBOARD ON THE HOST AFTER THE REBOOT: the host loses its only keyboard: Logitech USB "
                + "Keyboard [046d:c31c] on 00:14.0"), r.out());
        assertTrue(r.out().contains("ssh from another machine") && r.out().contains("(05:00.0)"), r.out());
        JsonNode j = Cli.run("--root", Cli.sample(SEED1).toString(), "plan", "--device", "65:00.0", "--device", "00:14.0",
                "--json").exits(0).json();
        assertTrue(codes(j).contains("ONLY_KEYBOARD"), codes(j).toString());
        assertTrue(codes(j).contains("USB_DEVICES_TAKEN"), codes(j).toString());
        // a plan of the GPU alone says nothing about USB: its own USB-C controller has nothing plugged in
        JsonNode gpu = Cli.run("--root", Cli.sample(SEED1).toString(), "plan", "--device", "65:00.0", "--json").exits(0).json();
        assertFalse(codes(gpu).stream().anyMatch(c -> c.startsWith("USB") || c.contains("KEYBOARD")), codes(gpu).toString());
        // the mouse on the Renesas card goes, the keyboard stays: a plain warning
        JsonNode mouse = Cli.run("--root", Cli.sample(USB_ROOT).toString(), "plan", "--device", "01:00.0", "--device", "03:00.0",
                "--json").exits(0).json();
        assertFalse(codes(mouse).contains("ONLY_KEYBOARD"), codes(mouse).toString());
        assertTrue(codes(mouse).contains("USB_DEVICES_TAKEN"), codes(mouse).toString());
    }
}
