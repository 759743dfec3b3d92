package passthrough.api;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Hypervisor} makes of a VM: the definition document (domain XML, launch script), where it is kept on
 * the host, and the changes that install it.
 *
 * @param path     where the document is installed, relative to the root (etc/passthrough/vms/NAME.xml)
 * @param document the document itself; {@code vm create --out FILE} writes this and nothing else
 * @param changes  what {@code vm create --define} does: normally the document's FileChange and the commands after it
 * @param findings what the user should know (the firmware chosen, how to start the VM)
 */
public record VmDefinition(String path, String document, List<Change> changes, List<Finding> findings) {

    public VmDefinition {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(document, "document");
        changes = List.copyOf(changes);
        findings = List.copyOf(findings);
    }
}
