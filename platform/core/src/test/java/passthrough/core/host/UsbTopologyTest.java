package passthrough.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.PciAddress;

/**
 * {@link UsbTopology} on small hand-written sysfs trees: what hangs off a controller, keyboards and mice from their
 * capabilities or their HID boot protocol, the root filesystem's disk, and odd trees (missing files, a link loop, a
 * device that vanished) that must end in a finding, never an exception or an endless walk.
 */
class UsbTopologyTest {
    static final String KEYBOARD_KEY = "1000000000007 ff9f207ac14057ff febeffdfffefffff fffffffffffffffe";
    static final String XHCI = "sys/devices/pci0000:00/0000:00:14.0";
    static final String ASM = "sys/devices/pci0000:00/0000:00:1c.4/0000:05:00.0";

    @TempDir
    Path dir;

    @BeforeEach
    void pci() throws IOException {
        pciDevice(XHCI, "0000:00:14.0", "0x8086", "0xa2af", 6);
        pciDevice("sys/devices/pci0000:00/0000:00:1c.4", "0000:00:1c.4", "0x8086", "0xa294", 13);
        write("sys/devices/pci0000:00/0000:00:1c.4/class", "0x060400\n");
        pciDevice(ASM, "0000:05:00.0", "0x1b21", "0x2142", 13);
        write("proc/mounts", "/dev/sda2 / ext4 rw 0 0\nproc /proc proc rw 0 0\n");
    }

    private void pciDevice(String path, String addr, String vendor, String device, int group) throws IOException {
        write(path + "/vendor", vendor + "\n");
        write(path + "/device", device + "\n");
        write(path + "/class", "0x0c0330\n");
        link("sys/bus/pci/devices/" + addr, path);
        link(path + "/iommu_group", "sys/kernel/iommu_groups/" + group);
        link("sys/kernel/iommu_groups/" + group + "/devices/" + addr, path);
    }

    private void write(String rel, String text) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void link(String rel, String target) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(rel).getParent().relativize(Path.of(target)));
    }

    private void usbDevice(String path, String vendor, String product, String name) throws IOException {
        write(path + "/idVendor", vendor + "\n");
        write(path + "/idProduct", product + "\n");
        if (name != null) write(path + "/product", name + "\n");
        write(path + "/bDeviceClass", "00\n");
    }

    private void iface(String path, String cls, String sub, String protocol) throws IOException {
        write(path + "/bInterfaceClass", cls + "\n");
        write(path + "/bInterfaceSubClass", sub + "\n");
        write(path + "/bInterfaceProtocol", protocol + "\n");
    }

    private UsbTopology read() throws Exception {
        HostRoot root = HostRoot.open(dir, null);
        HostFacts facts = HostFactsReader.read(root);
        return UsbTopology.read(root, facts);
    }

    private static UsbController controller(UsbTopology t, String addr) {
        return t.behind(PciAddress.parse(addr)).orElseThrow();
    }

    /** A keyboard and a mouse behind a hub, a USB SSD holding /, on the chipset's controller; nothing on the ASMedia. */
    private void desktop() throws IOException {
        String bus = XHCI + "/usb1";
        usbDevice(bus, "1d6b", "0002", "xHCI Host Controller");
        write(bus + "/bDeviceClass", "09\n");
        iface(bus + "/1-0:1.0", "09", "00", "00");
        usbDevice(bus + "/1-4", "05e3", "0608", "USB2.0 Hub");
        write(bus + "/1-4/bDeviceClass", "09\n");
        String kb = bus + "/1-4/1-4.1";
        usbDevice(kb, "046d", "c31c", "USB Keyboard");
        write(kb + "/manufacturer", "Logitech\n");
        iface(kb + "/1-4.1:1.0", "03", "01", "01");
        write(kb + "/1-4.1:1.0/0003:046D:C31C.0001/input/input3/name", "Logitech USB Keyboard\n");
        write(kb + "/1-4.1:1.0/0003:046D:C31C.0001/input/input3/capabilities/ev", "120013\n");
        write(kb + "/1-4.1:1.0/0003:046D:C31C.0001/input/input3/capabilities/key", KEYBOARD_KEY + "\n");
        link(kb + "/1-4.1:1.0/0003:046D:C31C.0001/input/input3/device", kb + "/1-4.1:1.0/0003:046D:C31C.0001");
        link(kb + "/1-4.1:1.0/driver", "sys/bus/usb/drivers/usbhid");
        // the consumer-control interface: keys, but not a keyboard's
        iface(kb + "/1-4.1:1.0".replace(":1.0", ":1.1"), "03", "00", "00");
        write(kb + "/1-4.1:1.1/0003:046D:C31C.0002/input/input4/capabilities/ev", "1f\n");
        write(kb + "/1-4.1:1.1/0003:046D:C31C.0002/input/input4/capabilities/key", "3f000303ff 0 0 483ffff17aff32d 0\n");
        String mouse = bus + "/1-4/1-4.2";
        usbDevice(mouse, "046d", "c077", "USB Optical Mouse");
        iface(mouse + "/1-4.2:1.0", "03", "01", "02");
        write(mouse + "/1-4.2:1.0/0003:046D:C077.0003/input/input5/capabilities/ev", "17\n");
        write(mouse + "/1-4.2:1.0/0003:046D:C077.0003/input/input5/capabilities/key", "1f0000 0 0 0 0\n");
        write(mouse + "/1-4.2:1.0/0003:046D:C077.0003/input/input5/capabilities/rel", "1943\n");
        String ssd = XHCI + "/usb2/2-2";
        usbDevice(XHCI + "/usb2", "1d6b", "0003", "xHCI Host Controller");
        usbDevice(ssd, "04e8", "4001", "PSSD T7");
        iface(ssd + "/2-2:1.0", "08", "06", "50");
        String disk = ssd + "/2-2:1.0/host6/target6:0:0/6:0:0:0/block/sda";
        write(disk + "/size", "100\n");
        write(disk + "/sda1/partition", "1\n");
        write(disk + "/sda2/partition", "2\n");
        link("sys/class/block/sda", disk);
        link("sys/class/block/sda2", disk + "/sda2");
        usbDevice(ASM + "/usb3", "1d6b", "0002", "xHCI Host Controller");
    }

    @Test
    void keyboardMouseAndTheRootDiskAreFoundBehindTheirController() throws Exception {
        desktop();
        UsbTopology t = read();
        assertEquals(List.of(), t.problems());
        assertEquals(2, t.controllers().size());
        UsbController c = controller(t, "00:14.0");
        assertEquals(List.of("1-4", "1-4.1", "1-4.2", "2-2"), c.devices().stream().map(UsbDevice::port).toList(),
                "hubs before what hangs off them; the root hubs are not devices");
        assertTrue(c.devices().get(0).hub());
        assertEquals(List.of("Logitech USB Keyboard [046d:c31c]"), c.keyboards().stream().map(UsbDevice::displayName).toList());
        assertEquals(List.of("1-4.2"), c.mice().stream().map(UsbDevice::port).toList());
        UsbDevice kb = c.devices().get(1);
        assertEquals(List.of(UsbInput.Kind.KEYBOARD, UsbInput.Kind.OTHER), kb.inputs().stream().map(UsbInput::kind).toList(),
                "the consumer-control input has keys but not a keyboard's");
        assertEquals("Logitech USB Keyboard", kb.inputs().get(0).name());
        assertEquals(List.of(new UsbDisk("sda", List.of("sda1", "sda2"), true)), c.disks());
        assertTrue(c.holdsRootDisk());
        assertTrue(c.critical().contains("/dev/sda2 on /"), c.critical());
        assertTrue(c.alone());

        UsbController asm = controller(t, "05:00.0");
        assertTrue(asm.alone(), "the root port in group 13 is a bridge, so the ASMedia is alone");
        assertTrue(asm.devices().isEmpty());
        assertFalse(asm.holdsRootDisk());
        assertEquals(List.of(), t.keyboardsKeptWithout(List.of(PciAddress.parse("00:14.0"))), "the only keyboard goes");
        assertEquals(List.of("Logitech USB Keyboard [046d:c31c] on 00:14.0"),
                t.keyboardsKeptWithout(List.of(PciAddress.parse("05:00.0"))));
    }

    @Test
    void aKeyboardNotOnUsbStaysWithTheHost() throws Exception {
        desktop();
        String at = "sys/devices/platform/i8042/serio0/input/input0";
        write(at + "/name", "AT Translated Set 2 keyboard\n");
        write(at + "/capabilities/ev", "120013\n");
        write(at + "/capabilities/key", KEYBOARD_KEY + "\n");
        link("sys/class/input/input0", at);
        link("sys/class/input/input3", XHCI + "/usb1/1-4/1-4.1/1-4.1:1.0/0003:046D:C31C.0001/input/input3");
        UsbTopology t = read();
        assertEquals(List.of("AT Translated Set 2 keyboard (input0, not on USB)"), t.otherKeyboards(),
                "the USB keyboard in sys/class/input is counted once, behind its controller");
        assertEquals(List.of("AT Translated Set 2 keyboard (input0, not on USB)"),
                t.keyboardsKeptWithout(List.of(PciAddress.parse("00:14.0"))));
    }

    @Test
    void withoutCapabilitiesTheHidBootProtocolTells() throws Exception {
        String kb = XHCI + "/usb1/1-1";
        usbDevice(kb, "413c", "2113", null);
        iface(kb + "/1-1:1.0", "03", "01", "01");
        write(kb + "/1-1:1.0/0003:413C:2113.0001/input/input7/name", "Dell KB216\n"); // no capabilities/ directory
        String mouse = XHCI + "/usb1/1-2";
        usbDevice(mouse, "046d", "c077", null);
        iface(mouse + "/1-2:1.0", "03", "01", "02"); // and no input at all
        UsbController c = controller(read(), "00:14.0");
        assertEquals(List.of("1-1"), c.keyboards().stream().map(UsbDevice::port).toList());
        assertEquals(List.of("1-2"), c.mice().stream().map(UsbDevice::port).toList());
        assertEquals("[413c:2113]", c.devices().get(0).displayName(), "no product string: the ids name it");
    }

    @Test
    void missingFilesAreUnknownNotFatal() throws Exception {
        Files.createDirectories(dir.resolve(XHCI + "/usb1/1-3/1-3:1.0")); // no idVendor, no interface attributes
        usbDevice(XHCI + "/usb1/1-5", "0781", "5583", "Extreme");
        Files.createDirectories(dir.resolve(XHCI + "/usb1/1-5/1-5:1.0/host7/target7:0:0/7:0:0:0/block/sdb")); // no partitions
        UsbTopology t = read();
        UsbController c = controller(t, "00:14.0");
        assertEquals(List.of("1-3", "1-5"), c.devices().stream().map(UsbDevice::port).toList());
        assertNull(c.devices().get(0).vendor());
        assertEquals("[?:?]", c.devices().get(0).displayName());
        assertEquals(List.of(new UsbDisk("sdb", List.of(), false)), c.disks());
        assertFalse(c.holdsRootDisk(), "sdb is not where / is");
        assertTrue(t.problems().stream().anyMatch(f -> f.code().equals("USB_DEVICE_UNREADABLE")
                && f.message().contains("usb1/1-3")), t.problems().toString());
    }

    @Test
    void aLinkLoopIsNeverWalked() throws Exception {
        desktop();
        // a hostile (or broken) capture: device names that are links back up the tree, and a loop below an interface
        link(XHCI + "/usb1/1-7", XHCI);
        link(XHCI + "/usb1/1-4/1-4.1/1-4.1:1.0/loop", XHCI + "/usb1");
        link(XHCI + "/usb9", "sys/devices/pci0000:00");
        Files.createSymbolicLink(dir.resolve(XHCI + "/usb1/1-8"), Path.of("1-8"));
        UsbTopology t = assertTimeoutPreemptively(Duration.ofSeconds(20), this::read);
        UsbController c = controller(t, "00:14.0");
        assertEquals(List.of("1-4", "1-4.1", "1-4.2", "2-2"), c.devices().stream().map(UsbDevice::port).toList(),
                "links are not the kernel's USB devices and are left out");
        assertEquals(1, c.keyboards().size());
    }

    @Test
    void aTreeDeeperThanUsbAllowsIsCutShort() throws Exception {
        String path = XHCI + "/usb1";
        String port = "1-1";
        for (int i = 0; i < 12; i++) {
            path = path + "/" + port;
            usbDevice(path, "05e3", "0608", "hub");
            port = port + ".1";
        }
        UsbTopology t = read();
        assertEquals(8, controller(t, "00:14.0").devices().size());
        assertTrue(t.problems().stream().anyMatch(f -> f.code().equals("USB_TREE_TOO_DEEP")), t.problems().toString());
    }

    @Test
    void aDeviceThatVanishedWhileReadIsLeftOut() throws Exception {
        desktop();
        // listed by the directory read, gone (here: not a directory any more) when its files are read
        write(XHCI + "/usb1/1-9", "");
        UsbTopology t = read();
        assertFalse(controller(t, "00:14.0").devices().stream().anyMatch(d -> d.port().equals("1-9")));
        List<Finding> gone = t.problems().stream().filter(f -> f.code().equals("USB_DEVICE_GONE")).toList();
        assertEquals(1, gone.size(), t.problems().toString());
        assertTrue(gone.get(0).message().contains("usb1/1-9"));
    }

    @Test
    void aControllerWithNoSysfsDirectoryHasNothingBehindIt() throws Exception {
        UsbTopology t = read();
        assertTrue(controller(t, "00:14.0").devices().isEmpty());
        assertTrue(t.behind(PciAddress.parse("00:1c.4")).isEmpty(), "a bridge is no USB controller");
        assertTrue(t.behind(PciAddress.parse("99:00.0")).isEmpty());
    }

    @Test
    void capabilityBitmaps() {
        assertTrue(UsbTopology.bit("120013", 1));
        assertFalse(UsbTopology.bit("120013", 2));
        assertTrue(UsbTopology.bit("1f0000 0 0 0 0", 0x110), "BTN_MOUSE sits in the fifth 64-bit word from the end");
        assertFalse(UsbTopology.bit("1f0000 0 0 0 0", 0x10));
        assertFalse(UsbTopology.bit("zz", 0));
        assertFalse(UsbTopology.bit("", 0));
        assertFalse(UsbTopology.bit("11111111111111111", 0), "more than 64 bits in a word is garbage");
        assertFalse(UsbTopology.bit("1", 64));
        assertEquals(UsbInput.Kind.KEYBOARD, UsbTopology.classify("120013", KEYBOARD_KEY, null));
        assertEquals(UsbInput.Kind.MOUSE, UsbTopology.classify("17", "1f0000 0 0 0 0", "1943"));
        assertEquals(UsbInput.Kind.OTHER, UsbTopology.classify("3", "100000 0 0 0", null), "a power button");
        assertEquals(UsbInput.Kind.OTHER, UsbTopology.classify("17", "1f0000 0 0 0 0", "4"), "a wheel without X/Y");
    }
}
