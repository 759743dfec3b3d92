package passthrough.cli.json;

import java.util.List;
import java.util.Map;
import passthrough.core.profiles.Profile;

/** `profiles show --json`: the profile as data. */
public record ProfileShowJson(String id, String name, String origin, String file, String osId, String from, String before,
                              List<String> variants, List<String> whenPresent, List<String> whenAbsent,
                              Map<String, List<String>> plugins, Map<String, Map<String, String>> settings,
                              Firmware firmware, List<HostQuirk> hostQuirks, Packages packages, List<String> notes) {

    public record Firmware(List<String> ovmfCode, List<String> ovmfVars, String ovmfPackage) {
    }

    public record HostQuirk(String file, String key, String value, String why) {
    }

    public record Packages(String install, List<Package> needed) {
    }

    public record Package(String name, String command, String file, String purpose) {
    }

    public static ProfileShowJson of(Profile p, String origin) {
        var pl = p.plugins();
        Map<String, List<String>> plugins = new java.util.LinkedHashMap<>();
        plugins.put("hardwareProbes", pl.hardwareProbes());
        plugins.put("bindings", pl.bindings());
        plugins.put("bootloaders", pl.bootloaders());
        plugins.put("earlyModuleLoaders", pl.earlyModuleLoaders());
        plugins.put("hypervisors", pl.hypervisors());
        plugins.put("guestQuirks", pl.guestQuirks());
        return new ProfileShowJson(p.id(), p.name(), origin, p.source().toString(), p.match().id(),
                p.match().versions() == null ? null : p.match().versions().from(),
                p.match().versions() == null ? null : p.match().versions().before(), p.match().variants(),
                p.match().whenPresent(), p.match().whenAbsent(), plugins, p.settings(),
                p.firmware() == null ? null : new Firmware(p.firmware().ovmfCode(), p.firmware().ovmfVars(), p.firmware().ovmfPackage()),
                p.hostQuirks().stream().map(q -> new HostQuirk(q.file(), q.key(), q.value(), q.why())).toList(),
                p.packages() == null ? null : new Packages(p.packages().install(), p.packages().needed().stream()
                        .map(n -> new Package(n.name(), n.command(), n.file(), n.purpose())).toList()),
                p.notes());
    }
}
