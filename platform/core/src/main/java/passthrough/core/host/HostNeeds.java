package passthrough.core.host;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which configuration files and commands {@link HostFactsReader} looks for: the core's own (the kernel's modprobe.d,
 * the mount table) plus what each loaded extension and the chosen profile declare. The core never names a plugin's
 * files: a new bootloader plugin brings its own list.
 *
 * @param files    relative paths; a {@code *} in the last segment matches within that directory
 * @param commands command names looked up in usr/sbin, usr/bin, sbin, bin
 */
public record HostNeeds(List<String> files, List<String> commands) {
    /** What the core itself reads: the kernel's module configuration and the tools its own checks name. */
    public static final HostNeeds CORE = new HostNeeds(List.of("etc/modprobe.d/*.conf", "proc/mounts"),
            List.of("depmod", "modprobe", "lspci", "virsh", "virt-xml-validate", "qemu-system-x86_64", "qemu-img"));

    public HostNeeds {
        files = List.copyOf(new LinkedHashSet<>(files));
        commands = List.copyOf(new LinkedHashSet<>(commands));
        for (String f : files) {
            if (f.isEmpty() || f.startsWith("/") || f.contains("..") || f.indexOf('*') >= 0
                    && (f.indexOf('*') < f.lastIndexOf('/') || f.indexOf('*') != f.lastIndexOf('*'))) {
                throw new IllegalArgumentException("host file pattern '" + f + "': must be relative to the root, without "
                        + "'..', with at most one '*' and only in the last segment");
            }
        }
        for (String c : commands) {
            if (c.isEmpty() || c.contains("/")) throw new IllegalArgumentException("host command '" + c + "': must be a bare name");
        }
    }

    /** These needs and {@code other}'s, in order, without repeats. */
    public HostNeeds plus(HostNeeds other) {
        List<String> f = new ArrayList<>(files);
        f.addAll(other.files);
        List<String> c = new ArrayList<>(commands);
        c.addAll(other.commands);
        return new HostNeeds(f, c);
    }

    public HostNeeds plus(List<String> moreFiles, List<String> moreCommands) {
        return plus(new HostNeeds(moreFiles, moreCommands));
    }

    public Set<String> fileSet() {
        return new LinkedHashSet<>(files);
    }
}
