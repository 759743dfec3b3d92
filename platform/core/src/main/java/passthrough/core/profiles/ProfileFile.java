package passthrough.core.profiles;

import java.util.List;
import java.util.Map;

/**
 * The shape of a profile file as written, bound by Jackson strictly (an unknown key or a wrong type is an error);
 * {@link ProfileParser} checks the required fields and turns it into a {@link Profile}. Field names are the file's keys.
 */
record ProfileFile(Integer format, String id, String name, MatchFile match, PluginsFile plugins,
                   Map<String, Map<String, String>> settings, FirmwareFile firmware, List<HostQuirkFile> hostQuirks,
                   PackagesFile packages, List<String> notes) {

    record MatchFile(String id, VersionsFile versions, List<String> variants, List<String> whenPresent,
                     List<String> whenAbsent) {
    }

    record VersionsFile(String from, String before) {
    }

    record PluginsFile(List<String> hardwareProbes, List<String> bindings, List<String> bootloaders,
                       List<String> earlyModuleLoaders, List<String> hypervisors, List<String> guestQuirks) {
    }

    record FirmwareFile(List<String> ovmfCode, List<String> ovmfVars, String ovmfPackage) {
    }

    record HostQuirkFile(String file, String key, String value, String why) {
    }

    record PackagesFile(String install, List<PackageFile> needed) {
    }

    record PackageFile(String name, String command, String file, String purpose) {
    }
}
