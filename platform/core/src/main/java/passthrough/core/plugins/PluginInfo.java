package passthrough.core.plugins;

import java.nio.file.Path;
import java.util.List;

/**
 * A plugin as loaded.
 *
 * @param id              Plugin-Id from its manifest
 * @param version         Plugin-Version
 * @param provider        Plugin-Provider, "" when absent
 * @param state           pf4j state: STARTED, FAILED, DISABLED, ...
 * @param path            the jar or directory it came from
 * @param extensionPoints simple names of the extension points it implements, e.g. [HardwareProbe]
 * @param extensionIds    ids of its extensions, e.g. [intel-vtd]
 * @param origin          first-party (the bundle's) or third-party
 * @param audit           the audit record it was installed with; null unless installed with `plugins install`
 */
public record PluginInfo(String id, String version, String provider, String state, Path path,
                         List<String> extensionPoints, List<String> extensionIds, PluginOrigin origin,
                         passthrough.core.plugins.audit.AuditRecord audit) {

    public PluginInfo {
        extensionPoints = List.copyOf(extensionPoints);
        extensionIds = List.copyOf(extensionIds);
    }
}
