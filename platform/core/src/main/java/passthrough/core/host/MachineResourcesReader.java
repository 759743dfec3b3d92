package passthrough.core.host;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.MachineResources;
import passthrough.api.PciAddress;
import passthrough.api.PciBar;
import passthrough.api.PciDevice;

/**
 * Reads what a VM is sized from ({@link MachineResources}): MemTotal of /proc/meminfo, the logical CPUs of
 * /proc/cpuinfo, and each PCI function's memory BARs from sysfs {@code resource} (one "start end flags" line per
 * BAR, in hex) with {@code resourceN_resize} marking a Resizable BAR. Only `vm create` and the quirks need it, so it
 * is read on demand rather than by every `groups` (a thousand more files on a large host). Nothing is fatal: what
 * cannot be read is left out and said in the facts' read problems.
 */
public final class MachineResourcesReader {
    private MachineResourcesReader() {
    }

    /** The facts with the machine's resources, and what could not be read (warnings naming the file). */
    public record Read(HostFacts facts, List<Finding> problems) {
    }

    /** {@code facts} with the machine's resources. */
    public static Read read(HostRoot root, HostFacts facts) {
        List<String> problems = new ArrayList<>();
        long memory = text(root, "proc/meminfo").map(t -> memTotalMiB(t, problems)).orElse(0L);
        int cpus = text(root, "proc/cpuinfo").map(MachineResourcesReader::processors).orElse(0);
        Map<PciAddress, List<PciBar>> bars = new HashMap<>();
        for (PciDevice d : facts.devices()) {
            String dir = PciDeviceReader.DEVICES + "/" + d.address();
            Optional<String> resource = text(root, dir + "/resource");
            if (resource.isEmpty()) continue;
            Set<Integer> resizable = new HashSet<>();
            for (int i = 0; i < 6; i++) if (root.exists(dir + "/resource" + i + "_resize")) resizable.add(i);
            bars.put(d.address(), bars(resource.get(), resizable, dir + "/resource", problems));
        }
        HostFacts out = facts.withMachine(new MachineResources(memory, cpus, bars));
        // a malformed line is left out, never guessed at: the quirks see fewer BARs, and the user is told which
        List<Finding> findings = problems.stream().map(p -> Finding.warning("UNREADABLE_RESOURCE", p + "; left out of "
                + "the VM's sizing", "re-capture the host (`passthrough report`) or report the file's content")).toList();
        return new Read(out, findings);
    }

    static long memTotalMiB(String meminfo, List<String> problems) {
        for (String line : meminfo.split("\n")) {
            if (!line.startsWith("MemTotal:")) continue;
            String[] f = line.substring(9).trim().split("\\s+");
            try {
                long kib = Long.parseLong(f[0]);
                return kib / 1024;
            } catch (NumberFormatException e) {
                problems.add("proc/meminfo: MemTotal '" + line + "' is not a number of kB");
                return 0;
            }
        }
        return 0;
    }

    static int processors(String cpuinfo) {
        int n = 0;
        for (String line : cpuinfo.split("\n")) if (line.matches("processor\\s*:.*")) n++;
        return n;
    }

    /** The memory BARs (0-5) of a sysfs resource file; I/O BARs, the ROM (line 6) and bridge windows are left out. */
    static List<PciBar> bars(String text, Set<Integer> resizable, String path, List<String> problems) {
        List<PciBar> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < Math.min(6, lines.length); i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length != 3) {
                problems.add(path + " line " + (i + 1) + ": not 'start end flags'");
                continue;
            }
            try {
                long start = Long.parseUnsignedLong(strip(f[0]), 16);
                long end = Long.parseUnsignedLong(strip(f[1]), 16);
                long flags = Long.parseUnsignedLong(strip(f[2]), 16);
                if ((flags & PciBar.IORESOURCE_MEM) == 0 || end <= start && start == 0) continue;
                if (Long.compareUnsigned(end, start) < 0) {
                    problems.add(path + " line " + (i + 1) + ": end before start");
                    continue;
                }
                out.add(new PciBar(i, end - start + 1, (flags & PciBar.IORESOURCE_MEM_64) != 0,
                        (flags & PciBar.IORESOURCE_PREFETCH) != 0, resizable.contains(i)));
            } catch (NumberFormatException e) {
                problems.add(path + " line " + (i + 1) + ": not hexadecimal");
            }
        }
        return out;
    }

    private static String strip(String hex) {
        return hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    }

    private static Optional<String> text(HostRoot root, String rel) {
        try {
            return root.readText(rel);
        } catch (UnreadableFileException e) {
            return Optional.empty(); // as the facts reader: a file root cannot read is absent here; check names it
        }
    }
}
