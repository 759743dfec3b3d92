package passthrough.core.profiles;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One distribution profile: which os-release it describes, which plugins serve each extension point there (in order
 * of preference), their settings, and what a user of that distribution installs and keeps in mind. Read from one
 * data file ({@link ProfileParser}); {@code source} and {@code lines} say where, so every later complaint (an unknown
 * plugin id, a setting the plugin does not take) names the file and the line.
 *
 * @param id         the file's name without .json, e.g. "debian-12"
 * @param name       for people, e.g. "Debian 12 (bookworm)"
 * @param match      the os-release it describes
 * @param plugins    extension ids per point, preferred first
 * @param settings   per plugin id, setting name to value
 * @param firmware   where the distribution's UEFI firmware for guests (OVMF) lives
 * @param hostQuirks configuration a distribution needs beyond the passthrough itself
 * @param packages   what `check` and `vm create` name when something is missing
 * @param notes      what a user of this distribution should know (shown by `profiles show`)
 * @param source     the file it was read from
 * @param lines      JSON pointer (e.g. "/plugins/bootloaders/0") to the line it is on in {@code source}
 */
public record Profile(String id, String name, Match match, Plugins plugins, Map<String, Map<String, String>> settings,
                      Firmware firmware, List<HostQuirk> hostQuirks, Packages packages, List<String> notes,
                      Path source, Map<String, Integer> lines) {

    public static final int FORMAT = 1;

    public Profile {
        settings = Map.copyOf(settings);
        hostQuirks = List.copyOf(hostQuirks);
        notes = List.copyOf(notes);
        lines = Map.copyOf(lines);
    }

    /**
     * The hosts a profile describes: an os-release ID and version range, and optionally evidence that tells apart two
     * set-ups of one ID (Proxmox VE is ID=debian; Fedora Atomic is ID=fedora): os-release VARIANT_ID values and paths
     * on disk that must exist or must not. A profile whose evidence all holds is more specific than one that names
     * none (docs/profiles.md, "Which profile a host gets").
     *
     * @param id          os-release ID, e.g. "ubuntu"
     * @param versions    VERSION_ID range, null for every version
     * @param variants    VARIANT_ID values, one of which the host must have; empty: any
     * @param whenPresent paths relative to the root that must all exist (a {@code *} in the last segment: any name)
     * @param whenAbsent  paths relative to the root none of which may exist
     */
    public record Match(String id, VersionRange versions, List<String> variants, List<String> whenPresent,
                        List<String> whenAbsent) {
        public Match {
            variants = List.copyOf(variants);
            whenPresent = List.copyOf(whenPresent);
            whenAbsent = List.copyOf(whenAbsent);
        }

        public Match(String id, VersionRange versions) {
            this(id, versions, List.of(), List.of(), List.of());
        }

        /** Whether the profile names any evidence beyond ID and version. */
        public boolean hasEvidence() {
            return !variants.isEmpty() || !whenPresent.isEmpty() || !whenAbsent.isEmpty();
        }

        /**
         * The evidence checked on a host: what holds ("usr/bin/pveversion present", "VARIANT_ID=silverblue") and
         * what does not.
         *
         * @param exists whether a path (relative to the root, {@code *} allowed in the last segment) exists
         */
        public Evidence evidence(passthrough.api.OsRelease os, java.util.function.Predicate<String> exists) {
            List<String> held = new java.util.ArrayList<>();
            List<String> failed = new java.util.ArrayList<>();
            if (!variants.isEmpty()) {
                String v = os.fields().getOrDefault("VARIANT_ID", "");
                if (variants.contains(v)) held.add("VARIANT_ID=" + v);
                else failed.add("VARIANT_ID is " + (v.isEmpty() ? "not set" : v) + ", not " + String.join(" or ", variants));
            }
            for (String p : whenPresent) {
                if (exists.test(p)) held.add(p + " present");
                else failed.add(p + " absent");
            }
            for (String p : whenAbsent) {
                if (exists.test(p)) failed.add(p + " present");
                else held.add(p + " absent");
            }
            return new Evidence(held, failed);
        }

        /** Whether some host could satisfy both matches' evidence (a path one needs present the other needs absent: no). */
        public boolean evidenceCompatible(Match other) {
            if (!variants.isEmpty() && !other.variants.isEmpty()
                    && variants.stream().noneMatch(other.variants::contains)) return false;
            return whenPresent.stream().noneMatch(other.whenAbsent::contains)
                    && other.whenPresent.stream().noneMatch(whenAbsent::contains);
        }
    }

    /**
     * @param held   the evidence that holds on the host, for the reason ("usr/bin/pveversion present")
     * @param failed the evidence that does not; empty: the profile's evidence all holds
     */
    public record Evidence(List<String> held, List<String> failed) {
        public Evidence {
            held = List.copyOf(held);
            failed = List.copyOf(failed);
        }

        public boolean holds() {
            return failed.isEmpty();
        }
    }

    /** Extension ids per extension point, preferred first; an empty list means the profile leaves that point open. */
    public record Plugins(List<String> hardwareProbes, List<String> bindings, List<String> bootloaders,
                          List<String> earlyModuleLoaders, List<String> hypervisors, List<String> guestQuirks) {
        public Plugins {
            hardwareProbes = List.copyOf(hardwareProbes);
            bindings = List.copyOf(bindings);
            bootloaders = List.copyOf(bootloaders);
            earlyModuleLoaders = List.copyOf(earlyModuleLoaders);
            hypervisors = List.copyOf(hypervisors);
            guestQuirks = List.copyOf(guestQuirks);
        }
    }

    /** OVMF code and variable-store templates, relative to the root; the first that exists is used. */
    public record Firmware(List<String> ovmfCode, List<String> ovmfVars, String ovmfPackage) {
        public Firmware {
            ovmfCode = List.copyOf(ovmfCode);
            ovmfVars = List.copyOf(ovmfVars);
        }
    }

    /**
     * A setting in a host configuration file the distribution needs (Ubuntu 18.04's AppArmor confinement of QEMU:
     * {@code security_driver = "none"} in etc/libvirt/qemu.conf).
     */
    public record HostQuirk(String file, String key, String value, String why) {
    }

    /**
     * The install command and what it installs.
     *
     * @param install the command before the package names, e.g. "apt-get install"
     * @param needed  each package, with the command or file that shows it is installed
     */
    public record Packages(String install, List<Package> needed) {
        public Packages {
            needed = List.copyOf(needed);
        }
    }

    /**
     * @param name    the package, e.g. "qemu-system-x86"
     * @param command a command it installs (looked up like the tools), or null
     * @param file    a file it installs (relative to the root), or null
     * @param purpose what it is for, e.g. "run the VM"
     */
    public record Package(String name, String command, String file, String purpose) {
    }

    /** Where in the file {@code pointer} is, as "FILE line N" (or just the file). */
    public String where(String pointer) {
        Integer line = lines.get(pointer);
        return source + (line == null ? "" : " line " + line);
    }
}
