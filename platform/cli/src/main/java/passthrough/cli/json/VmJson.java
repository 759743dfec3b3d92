package passthrough.cli.json;

import java.util.List;
import java.util.Map;

/**
 * `vm create --json` and `vm remove --json`: the VM, the quirks and features with their reasons, the definition, the
 * changes and what became of them.
 *
 * @param transaction the transaction that defined or removed it, null when nothing was applied
 */
public record VmJson(String name, String hypervisor, String hypervisorWhy, Map<String, Object> vm, List<Map<String, Object>> quirks,
                     List<Map<String, Object>> features, String documentPath, String document, List<Map<String, Object>> files,
                     List<Map<String, Object>> commands, List<Map<String, Object>> findings, String out, String transaction) {
}
