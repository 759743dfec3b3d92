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
 * /proc/cpuinfo, and each PCI function's memory BARs from sysfs {@code resource} ({@link PciResourceParser}) with
 * {@code resourceN_resize} marking a Resizable BAR. Only `vm create` and the quirks need it, so it
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
        long memory = 0;
        Optional<String> meminfo = text(root, "proc/meminfo");
        if (meminfo.isPresent()) {
            try {
                memory = MemInfoParser.memTotalMiB(meminfo.get(), "proc/meminfo");
            } catch (MalformedHostFileException e) {
                problems.add(e.getMessage());
            }
        }
        int cpus = text(root, "proc/cpuinfo").map(MachineResourcesReader::processors).orElse(0);
        Map<PciAddress, List<PciBar>> bars = new HashMap<>();
        for (PciDevice d : facts.devices()) {
            String dir = PciDeviceReader.DEVICES + "/" + d.address();
            Optional<String> resource = text(root, dir + "/resource");
            if (resource.isEmpty()) continue;
            Set<Integer> resizable = new HashSet<>();
            for (int i = 0; i < 6; i++) if (root.exists(dir + "/resource" + i + "_resize")) resizable.add(i);
            try {
                bars.put(d.address(), PciResourceParser.parse(resource.get(), resizable, dir + "/resource"));
            } catch (MalformedHostFileException e) {
                problems.add(e.getMessage());
            }
        }
        HostFacts out = facts.withMachine(new MachineResources(memory, cpus, bars));
        // a malformed line is left out, never guessed at: the quirks see fewer BARs, and the user is told which
        List<Finding> findings = problems.stream().map(p -> Finding.warning("UNREADABLE_RESOURCE", p + "; left out of "
                + "the VM's sizing", "re-capture the host (`passthrough report`) or report the file's content")).toList();
        return new Read(out, findings);
    }

    static int processors(String cpuinfo) {
        int n = 0;
        for (String line : cpuinfo.split("\n")) if (line.matches("processor\\s*:.*")) n++;
        return n;
    }

    private static Optional<String> text(HostRoot root, String rel) {
        try {
            return root.readText(rel);
        } catch (UnreadableFileException e) {
            return Optional.empty(); // as the facts reader: a file root cannot read is absent here; check names it
        }
    }
}
