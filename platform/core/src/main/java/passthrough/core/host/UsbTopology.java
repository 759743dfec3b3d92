package passthrough.core.host;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.IommuGroup;
import passthrough.api.PciAddress;
import passthrough.api.PciDevice;

/**
 * The host's USB controllers (PCI class 0c03) and what hangs off each now: the USB devices below its root hubs
 * ({@code sys/bus/pci/devices/ADDR/usbN/N-P.P/}), the keyboards and mice among them (their input devices'
 * capabilities, else their HID interfaces' boot protocol) and the disks behind their mass-storage interfaces —
 * "your keyboard is on this one". Read through the {@link HostRoot} like everything else: links are never followed
 * while walking (sysfs's USB devices are directories; a link among them is not the kernel's doing, so a loop cannot
 * trap the walk), depth and breadth are bounded, and a file that cannot be read, or a device that vanished while it
 * was read (unplugged), becomes a finding in {@link #problems()}, never an exception.
 */
public final class UsbTopology {
    /** PCI class 0x0c03xx: a USB controller, whatever its programming interface (UHCI, OHCI, EHCI, xHCI). */
    public static final int USB_CLASS = 0x0c03;
    /** USB allows 7 tiers (root hub + 5 hubs + the device); more is not a real tree. */
    private static final int MAX_TIERS = 8;
    /** How deep below an interface its input and block devices are looked for (host6/target6:0:0/6:0:0:0/block/sda). */
    private static final int MAX_SEARCH_DEPTH = 7;
    /** Entries visited per controller, at most: a pathological tree is cut short (and said so), never walked forever. */
    private static final int MAX_ENTRIES = 20_000;

    private static final Pattern ROOT_HUB = Pattern.compile("usb[0-9]{1,3}");
    private static final Pattern DEVICE = Pattern.compile("[0-9]{1,3}-[0-9]{1,3}(\\.[0-9]{1,3}){0,15}");
    private static final Pattern INTERFACE = Pattern.compile("[0-9]{1,3}-[0-9]{1,3}(\\.[0-9]{1,3}){0,15}:[0-9]{1,3}\\.[0-9]{1,3}"
            + "|[0-9]{1,3}-0:[0-9]{1,3}\\.[0-9]{1,3}");
    private static final Pattern INPUT = Pattern.compile("input[0-9]{1,6}");
    private static final Pattern BLOCK = Pattern.compile("[a-z][a-z0-9]{0,31}");

    private final HostRoot root;
    private final HostFacts facts;
    private final List<Finding> problems = new ArrayList<>();
    private final Set<String> rootBlocks = new HashSet<>();
    private final List<UsbController> controllers = new ArrayList<>();
    private final List<String> otherKeyboards = new ArrayList<>();
    private int visited;

    private UsbTopology(HostRoot root, HostFacts facts) {
        this.root = root;
        this.facts = facts;
    }

    /** Reads every USB controller among {@code facts}' devices, and the keyboards that are not on USB. */
    public static UsbTopology read(HostRoot root, HostFacts facts) {
        UsbTopology t = new UsbTopology(root, facts);
        t.readAll();
        return t;
    }

    /** Whether a device is a USB controller (class 0c03). */
    public static boolean isUsbController(PciDevice d) {
        return d.classCode().value() >> 8 == USB_CLASS;
    }

    /** Every USB controller, by address. */
    public List<UsbController> controllers() {
        return List.copyOf(controllers);
    }

    /**
     * What is behind the USB controller at {@code address} — its keyboards, mice and disks, whether it holds the root
     * filesystem's disk, whether it is alone in its IOMMU group — for {@code vm create --usb-controller} and the
     * planner. Empty when there is no such device or it is no USB controller (the caller says which).
     */
    public Optional<UsbController> behind(PciAddress address) {
        return controllers.stream().filter(c -> c.address().equals(address)).findFirst();
    }

    /**
     * Keyboards not behind any USB controller (a laptop's built-in keyboard on i8042, say): their names, from
     * {@code sys/class/input}. They stay with the host whichever controller goes.
     */
    public List<String> otherKeyboards() {
        return List.copyOf(otherKeyboards);
    }

    /**
     * The keyboards the host keeps when the controllers in {@code taken} go to a VM: those behind the other controllers
     * and those not on USB, each named with where it is ("Logitech USB Keyboard [046d:c31c] on 00:14.0").
     */
    public List<String> keyboardsKeptWithout(Collection<PciAddress> taken) {
        List<String> out = new ArrayList<>();
        for (UsbController c : controllers) {
            if (taken.contains(c.address())) continue;
            for (UsbDevice d : c.keyboards()) out.add(d.displayName() + " on " + c.address().toShortString());
        }
        out.addAll(otherKeyboards);
        return out;
    }

    /** What could not be read (a file, a vanished device, a cut-short tree), each with the path and a way out. */
    public List<Finding> problems() {
        return List.copyOf(problems);
    }

    private void readAll() {
        try {
            new CriticalDeviceReader(root, new ReadProblems()).rootFilesystemSource().ifPresent(source ->
                    rootBlocks.addAll(new CriticalDeviceReader(root, new ReadProblems()).rootBlockDevices(source)));
        } catch (UnreadableFileException e) {
            unreadable(e);
        }
        for (PciDevice d : facts.devices()) {
            if (!isUsbController(d)) continue;
            visited = 0;
            List<UsbDevice> devices = new ArrayList<>();
            try {
                String dir = "sys/bus/pci/devices/" + d.address();
                for (String name : root.list(dir)) {
                    if (ROOT_HUB.matcher(name).matches() && !isLink(dir + "/" + name)) readChildren(dir + "/" + name, devices, 1);
                }
            } catch (UnreadableFileException e) {
                unreadable(e);
            }
            controllers.add(new UsbController(d.address(), d.className() + (d.displayName() == null ? "" : ": "
                    + d.displayName()), d.driver(), d.iommuGroup(), groupMates(d), facts.criticalDevices().get(d.address()),
                    devices));
        }
        try {
            readOtherKeyboards();
        } catch (UnreadableFileException e) {
            unreadable(e);
        }
    }

    private List<String> groupMates(PciDevice d) {
        if (d.iommuGroup() == null || !facts.iommuActive()) return List.of();
        IommuGroup g = facts.group(d.iommuGroup()).orElse(null);
        if (g == null) return List.of();
        return facts.devicesOf(g).stream().filter(o -> !o.address().equals(d.address()) && !o.classCode().isPciBridge())
                .map(o -> o.address().toShortString() + " " + o.className() + " [" + o.id() + "]").toList();
    }

    /** The devices below a root hub or hub directory, recursively: each device, then what hangs off it. */
    private void readChildren(String dir, List<UsbDevice> out, int tier) {
        if (tier > MAX_TIERS) {
            problems.add(Finding.warning("USB_TREE_TOO_DEEP", dir + ": more than " + MAX_TIERS + " tiers of USB devices, "
                    + "which no real bus has; what is below is not listed", "re-capture the host with `passthrough report`"));
            return;
        }
        for (String name : root.list(dir)) {
            if (!DEVICE.matcher(name).matches()) continue;
            String sub = dir + "/" + name;
            if (!count(sub) || isLink(sub)) continue; // the kernel's USB devices are directories, never links
            readDevice(sub, name, out, tier);
        }
    }

    private void readDevice(String dir, String port, List<UsbDevice> out, int tier) {
        String vendor = attribute(dir + "/idVendor");
        String product = attribute(dir + "/idProduct");
        if (vendor == null && product == null && !root.isDirectory(dir)) {
            problems.add(Finding.info("USB_DEVICE_GONE", dir + ": listed but gone when read (unplugged?); not shown"));
            return;
        }
        if (vendor == null) {
            problems.add(Finding.warning("USB_DEVICE_UNREADABLE", dir + ": no idVendor, so the device cannot be named",
                    "run as root, or re-capture the host with `passthrough report`"));
        }
        boolean hub = hex(attribute(dir + "/bDeviceClass")).orElse(-1) == 0x09;
        boolean bootKeyboard = false;
        boolean bootMouse = false;
        List<UsbInput> inputs = new ArrayList<>();
        List<UsbDisk> disks = new ArrayList<>();
        for (String name : root.list(dir)) {
            if (!INTERFACE.matcher(name).matches()) continue;
            String iface = dir + "/" + name;
            if (!count(iface) || isLink(iface)) continue;
            int cls = hex(attribute(iface + "/bInterfaceClass")).orElse(-1);
            int sub = hex(attribute(iface + "/bInterfaceSubClass")).orElse(-1);
            int protocol = hex(attribute(iface + "/bInterfaceProtocol")).orElse(-1);
            if (cls == 0x03 && sub == 0x01 && protocol == 0x01) bootKeyboard = true;
            if (cls == 0x03 && sub == 0x01 && protocol == 0x02) bootMouse = true;
            UsbInput.Kind fallback = cls != 0x03 ? UsbInput.Kind.OTHER : protocol == 0x01 ? UsbInput.Kind.KEYBOARD
                    : protocol == 0x02 ? UsbInput.Kind.MOUSE : UsbInput.Kind.OTHER;
            search(iface, 0, fallback, inputs, disks);
        }
        out.add(new UsbDevice(port, lowerHex4(vendor), lowerHex4(product), attribute(dir + "/manufacturer"),
                attribute(dir + "/product"), hub, bootKeyboard, bootMouse, inputs, disks));
        readChildren(dir, out, tier + 1);
    }

    /** Input devices (…/input/inputN) and disks (…/block/sdX) anywhere below an interface, links not followed. */
    private void search(String dir, int depth, UsbInput.Kind fallback, List<UsbInput> inputs, List<UsbDisk> disks) {
        if (depth > MAX_SEARCH_DEPTH) return;
        boolean inputDir = dir.endsWith("/input");
        boolean blockDir = dir.endsWith("/block");
        for (String name : root.list(dir)) {
            String p = dir + "/" + name;
            if (!count(p) || isLink(p)) continue;
            if (inputDir && INPUT.matcher(name).matches()) {
                inputs.add(readInput(p, name, fallback));
            } else if (blockDir && BLOCK.matcher(name).matches()) {
                if (root.isDirectory(p)) disks.add(readDisk(p, name));
            } else if (root.isDirectory(p)) {
                search(p, depth + 1, fallback, inputs, disks);
            }
        }
    }

    private UsbInput readInput(String dir, String input, UsbInput.Kind fallback) {
        String ev = attribute(dir + "/capabilities/ev");
        UsbInput.Kind kind = ev == null ? fallback : classify(ev, attribute(dir + "/capabilities/key"),
                attribute(dir + "/capabilities/rel"));
        return new UsbInput(input, attribute(dir + "/name"), kind);
    }

    private UsbDisk readDisk(String dir, String name) {
        List<String> partitions = new ArrayList<>();
        for (String p : root.list(dir)) {
            if (p.startsWith(name) && p.length() > name.length() && !isLink(dir + "/" + p) && root.isDirectory(dir + "/" + p)) {
                partitions.add(p);
            }
        }
        boolean onRoot = rootBlocks.contains(name) || partitions.stream().anyMatch(rootBlocks::contains);
        return new UsbDisk(name, partitions, onRoot);
    }

    /** Keyboards in sys/class/input whose device is not below a USB controller's root hub. */
    private void readOtherKeyboards() {
        for (String name : root.list("sys/class/input")) {
            if (!INPUT.matcher(name).matches()) continue;
            String entry = "sys/class/input/" + name;
            Optional<String> real = root.resolve(entry);
            if (real.isEmpty()) continue;
            boolean onUsb = false;
            String previous = "";
            for (String part : real.get().split("/")) {
                if (ROOT_HUB.matcher(part).matches() && PciDeviceReader.sysfsAddress(previous).isPresent()) onUsb = true;
                previous = part;
            }
            if (onUsb) continue;
            String ev = attribute(entry + "/capabilities/ev");
            if (ev != null && classify(ev, attribute(entry + "/capabilities/key"), null) == UsbInput.Kind.KEYBOARD) {
                String n = attribute(entry + "/name");
                otherKeyboards.add((n == null ? name : n) + " (" + name + ", not on USB)");
            }
        }
    }

    /**
     * Keyboard or mouse from the capability bitmaps, as udev's input_id decides: a keyboard has EV_KEY and all of keys
     * 1 to 31 (Esc, 1-0, -, =, Backspace, Tab, Q-P, [, ], Enter, Ctrl, A, S); a mouse has EV_REL with REL_X, REL_Y
     * and BTN_MOUSE (0x110).
     */
    static UsbInput.Kind classify(String ev, String key, String rel) {
        if (bit(ev, 1)) {
            boolean keyboard = true;
            for (int k = 1; k <= 31 && keyboard; k++) keyboard = bit(key, k);
            if (keyboard) return UsbInput.Kind.KEYBOARD;
        }
        if (bit(ev, 2) && bit(rel, 0) && bit(rel, 1) && bit(key, 0x110)) return UsbInput.Kind.MOUSE;
        return UsbInput.Kind.OTHER;
    }

    /**
     * Bit {@code n} of a sysfs capability bitmap: hex words of the kernel's {@code long} (64 bits on x86-64, the hosts
     * passthrough runs on), most significant first, separated by blanks. Garbage reads as unset.
     */
    static boolean bit(String bitmap, int n) {
        if (bitmap == null) return false;
        String[] words = bitmap.strip().split("[ \t]+");
        int index = words.length - 1 - n / 64;
        if (index < 0 || words[index].isEmpty() || words[index].length() > 16) return false;
        long word;
        try {
            word = Long.parseUnsignedLong(words[index], 16);
        } catch (NumberFormatException e) {
            return false;
        }
        return (word >>> (n % 64) & 1) != 0;
    }

    /** A sysfs attribute's text, stripped; null when missing, empty or unreadable (said in problems()). */
    private String attribute(String rel) {
        try {
            return root.readText(rel).map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        } catch (UnreadableFileException e) {
            unreadable(e);
            return null;
        }
    }

    private boolean isLink(String rel) {
        try {
            return root.readLink(rel).isPresent();
        } catch (UnreadableFileException e) {
            return true; // cannot tell: not walked into
        }
    }

    /** Counts an entry against the per-controller bound; false (and one finding) once it is reached. */
    private boolean count(String rel) {
        if (++visited == MAX_ENTRIES) {
            problems.add(Finding.warning("USB_TREE_TOO_LARGE", rel + ": more than " + MAX_ENTRIES + " entries below one "
                    + "USB controller; the rest is not read", "re-capture the host with `passthrough report`"));
        }
        return visited < MAX_ENTRIES;
    }

    private static OptionalInt hex(String text) {
        return SysfsValues.hex(text, 4);
    }

    private static String lowerHex4(String text) {
        OptionalInt v = hex(text);
        return v.isPresent() ? String.format("%04x", v.getAsInt()) : null;
    }

    private void unreadable(UnreadableFileException e) {
        problems.add(Finding.warning("UNREADABLE_FILE", e.getMessage(),
                "run as root, or capture the host with `sudo passthrough report` and read the report"));
    }
}
