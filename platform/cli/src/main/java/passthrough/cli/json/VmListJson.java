package passthrough.cli.json;

import java.util.List;

/** `vm list --json`: every VM the hypervisor plugins see. */
public record VmListJson(List<Vm> vms) {
    /** @param document the definition passthrough installed, null for a VM defined by other tools */
    public record Vm(String name, String hypervisor, boolean byPassthrough, String document) {
    }
}
