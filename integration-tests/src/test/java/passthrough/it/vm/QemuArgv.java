package passthrough.it.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a QEMU command line says about a passthrough VM, in a form two writers of it can be compared in: the libvirt
 * plugin's domain as libvirt turns it into arguments ({@code virsh domxml-to-native qemu-argv}, with JSON
 * {@code -device '{"driver":…}'} and {@code -blockdev} since libvirt 7/8) and the qemu plugin's launch script (plain
 * {@code -device driver,key=val} and {@code -drive if=pflash}). Ids, ports, MAC addresses and every other device are
 * left out; what stays is what the shared conventions fix:
 * <ul>
 *   <li>each vfio-pci function: host address, guest root port (by its chassis, and that port's pcie.0 slot), guest
 *       slot and function, multifunction, rombar;</li>
 *   <li>the firmware: the pflash units in order (file, read-only);</li>
 *   <li>machine type (q35 for any pc-q35-X.Y), accelerator (-accel, -machine accel= or -enable-kvm), the quirk
 *       properties of -cpu (model, kvm, hv-vendor-id, host-phys-bits) and -machine (kernel-irqchip), every
 *       {@code -fw_cfg} entry, and SPICE's agent-mouse.</li>
 * </ul>
 * Property names are compared with '_' as '-' (QEMU accepts both: libvirt writes kernel_irqchip, hv-vendor-id) and
 * booleans as on/off (on, true, yes / off, false, no).
 */
public final class QemuArgv {

    private static final Set<String> CPU_QUIRKS = Set.of("kvm", "hv-vendor-id", "host-phys-bits");
    private static final Set<String> MACHINE_QUIRKS = Set.of("kernel-irqchip");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One passed-through function as the guest sees it. */
    public record Function(String host, int chassis, int rootPortSlot, int slot, int function, boolean multifunction,
                           String rombar) {
    }

    /** One pflash unit: the file and whether it is read-only. */
    public record Pflash(String file, boolean readOnly) {
    }

    public record Normalized(List<Function> functions, List<Pflash> pflash, String machineType, String accel,
                             Map<String, String> cpu, Map<String, String> machine, Map<String, String> fwCfg,
                             Map<String, String> spice) {
    }

    private QemuArgv() {
    }

    /** The argv of a shell command line (virsh domxml-to-native's one line, or a script's line with continuations). */
    public static Normalized ofShell(String commandLine) {
        return of(ShellWords.split(commandLine));
    }

    public static Normalized of(List<String> argv) {
        int start = 0;
        while (start < argv.size() && argv.get(start).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) start++;  // VAR=value …
        if (start >= argv.size() || !argv.get(start).contains("qemu-system")) {
            throw new IllegalArgumentException("not a qemu-system command line: " + argv);
        }
        Map<String, Map<String, String>> rootPorts = new LinkedHashMap<>();
        List<Map<String, String>> vfio = new ArrayList<>();
        Map<String, Map<String, String>> blockdevs = new LinkedHashMap<>();
        List<Map<String, String>> drives = new ArrayList<>();
        Map<String, String> machine = new LinkedHashMap<>();
        Map<String, String> cpu = new LinkedHashMap<>();
        Map<String, String> fwCfg = new TreeMap<>();
        Map<String, String> spice = new TreeMap<>();
        String accel = null;
        for (int i = start + 1; i < argv.size(); i++) {
            String option = argv.get(i).startsWith("--") ? argv.get(i).substring(1) : argv.get(i);
            if (option.equals("-enable-kvm")) {
                accel = "kvm";
                continue;
            }
            if (!option.startsWith("-") || i + 1 >= argv.size()) continue;
            String value = argv.get(i + 1);
            switch (option) {
                case "-device" -> {
                    Map<String, String> d = properties(value, "driver");
                    if ("pcie-root-port".equals(d.get("driver")) && d.containsKey("id")) rootPorts.put(d.get("id"), d);
                    if ("vfio-pci".equals(d.get("driver"))) vfio.add(d);
                }
                case "-blockdev" -> {
                    Map<String, String> b = properties(value, "driver");
                    if (b.containsKey("node-name")) blockdevs.put(b.get("node-name"), b);
                }
                case "-drive" -> {
                    Map<String, String> d = properties(value, "file");
                    if ("pflash".equals(d.get("if"))) drives.add(d);
                }
                case "-machine", "-M" -> machine.putAll(properties(value, "type"));
                case "-accel" -> accel = properties(value, "accel").get("accel");
                case "-cpu" -> cpu.putAll(properties(value, "model"));
                case "-fw_cfg" -> {
                    Map<String, String> f = properties(value, "name");
                    fwCfg.put(f.get("name"), f.containsKey("string") ? f.get("string") : "file:" + f.get("file"));
                }
                case "-spice" -> {
                    Map<String, String> s = properties(value, "port");
                    if (s.containsKey("agent-mouse")) spice.put("agent-mouse", s.get("agent-mouse"));
                }
                default -> {
                    continue;
                }
            }
            i++;
        }
        if (accel == null && machine.containsKey("accel")) accel = machine.get("accel");
        String type = machine.getOrDefault("type", "");
        if (type.matches("pc-q35-.*")) type = "q35";

        List<Function> functions = new ArrayList<>();
        for (Map<String, String> d : vfio) {
            Map<String, String> port = rootPorts.get(d.get("bus"));
            if (port == null) throw new IllegalArgumentException("vfio-pci " + d.get("host") + " is on bus " + d.get("bus")
                    + ", which is no pcie-root-port of this command line");
            int[] guest = slotFunction(d.getOrDefault("addr", "0"));
            int[] portAddr = slotFunction(port.getOrDefault("addr", "-1"));
            functions.add(new Function(hostAddress(d.get("host")), Integer.decode(port.get("chassis")), portAddr[0], guest[0],
                    guest[1], "on".equals(d.get("multifunction")), d.get("rombar")));
        }
        functions.sort(Comparator.comparing(Function::host));

        List<Pflash> pflash = new ArrayList<>();
        for (int unit = 0; unit < 2; unit++) {
            String node = machine.get("pflash" + unit);
            if (node == null) continue;
            Map<String, String> format = blockdevs.get(node);
            if (format == null) throw new IllegalArgumentException("-machine pflash" + unit + "=" + node + ": no such -blockdev");
            Map<String, String> file = blockdevs.get(format.get("file"));
            String filename = file != null ? file.get("filename") : format.get("filename");
            pflash.add(new Pflash(filename, "on".equals(format.get("read-only")) || file != null && "on".equals(file.get("read-only"))));
        }
        drives.stream().sorted(Comparator.comparing(d -> Integer.parseInt(d.getOrDefault("unit", "0"))))
                .forEach(d -> pflash.add(new Pflash(d.get("file"), "on".equals(d.get("readonly")))));

        Map<String, String> cpuQuirks = new TreeMap<>();
        if (cpu.containsKey("model")) cpuQuirks.put("model", cpu.get("model"));
        cpu.forEach((k, v) -> {
            if (CPU_QUIRKS.contains(k)) cpuQuirks.put(k, v);
        });
        Map<String, String> machineQuirks = new TreeMap<>();
        machine.forEach((k, v) -> {
            if (MACHINE_QUIRKS.contains(k)) machineQuirks.put(k, v);
        });
        return new Normalized(List.copyOf(functions), List.copyOf(pflash), type, accel, cpuQuirks, machineQuirks, fwCfg, spice);
    }

    /**
     * A JSON object ({@code {"driver":"vfio-pci",…}}) or QEMU's key=value list, where the first item may omit its key
     * ({@code implied}) and ",," is a literal comma. Keys with '_' as '-', booleans as on/off, numbers as text.
     */
    static Map<String, String> properties(String value, String implied) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(value);
                node.fields().forEachRemaining(e -> out.put(key(e.getKey()), e.getValue().isTextual()
                        ? normalise(e.getValue().asText()) : e.getValue().isBoolean() ? (e.getValue().asBoolean() ? "on" : "off")
                        : e.getValue().toString()));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("not JSON: " + value, e);
            }
            return out;
        }
        List<String> items = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
                cur.append(',');
                i++;
            } else if (c == ',') {
                items.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        items.add(cur.toString());
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            int eq = item.indexOf('=');
            if (eq < 0 && i == 0) out.put(implied, item);
            else if (eq < 0 && (item.startsWith("+") || item.startsWith("-"))) out.put(key(item.substring(1)), item.startsWith("+") ? "on" : "off");
            else if (eq < 0) out.put(key(item), "on");
            else out.put(key(item.substring(0, eq)), normalise(item.substring(eq + 1)));
        }
        return out;
    }

    private static String key(String k) {
        return k.replace('_', '-');
    }

    private static String normalise(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> "on";
            case "off", "false", "no" -> "off";
            default -> v;
        };
    }

    /** "0x0.0x1", "00.1", "0x10", "2" → {slot, function}. */
    static int[] slotFunction(String addr) {
        String[] parts = addr.split("\\.");
        return new int[] {hex(parts[0]), parts.length > 1 ? hex(parts[1]) : 0};
    }

    private static int hex(String s) {
        if (s.equals("-1")) return -1;
        return Integer.parseInt(s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s, 16);
    }

    /** "65:00.0" or "0000:65:00.0" → "0000:65:00.0". */
    static String hostAddress(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.matches("[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]") ? "0000:" + h : h;
    }
}
