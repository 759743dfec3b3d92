package passthrough.plugin.dracut;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.KernelModules;

/**
 * dracut (Fedora, RHEL, and Debian/Ubuntu's dracut package): the modules go into {@code force_drivers} of a file of
 * ours in /etc/dracut.conf.d, the files the early boot runs into {@code install_items}, and the running kernel's
 * initramfs is rebuilt with {@code dracut -f --kver <release>} (on Debian and its derivatives
 * {@code dracut -f /boot/initrd.img-<release> <release>}, the file Debian's own kernel hook writes and its boot reads).
 *
 * <p>What was checked (dracut.conf(5) as shipped by dracut 027 to 105, and dracut.sh):
 * <ul>
 * <li>Only {@code *.conf} files of /etc/dracut.conf.d (and /usr/lib/dracut/dracut.conf.d, same name in /etc wins) are
 *     read, in alphanumerical order, after /etc/dracut.conf: hence {@code passthrough.conf}.</li>
 * <li>{@code force_drivers+=" ... "} adds the modules to the image and makes sure they are "tried to be loaded early
 *     via modprobe": dracut.sh runs {@code instmods -c $force_drivers} and writes one {@code rd.driver.pre=<module>} per
 *     module into the image's etc/cmdline.d/20-force_drivers.conf, so this plugin needs no kernel parameter of its own.
 *     {@code add_drivers} would only add them, leaving their loading to udev, after the native driver may have bound.</li>
 * <li>"Space-separated lists have to have a leading and trailing space!": every file appends to the same string, so
 *     {@code " vfio "} keeps words apart where {@code "vfio"} would glue onto the previous file's last word.</li>
 * <li>dracut.sh runs {@code inst_multiple ${install_items[@]}}, which fails the build on a missing file, and
 *     {@code inst_multiple -o ${install_optional_items[@]}}, which skips one. So the by-address script (which exists
 *     while a binding asks for it in {@code extraFiles}) goes into {@code install_items} and leaves it when the plan
 *     deletes it; the modprobe.d files go into {@code install_optional_items}, because the change names them when
 *     they change <em>or</em> are deleted and this plugin cannot tell which. In host-only mode (Fedora's default) dracut
 *     carries /etc/modprobe.d itself; in generic mode (Debian's dracut) it does not, hence the explicit items.</li>
 * <li>{@code vfio_virqfd} was merged into {@code vfio} in Linux 6.2; {@code instmods -c} fails the build on a module
 *     that does not exist, so it is never listed for a 6.2+ kernel, and taken out of our file if an older plan put it there.</li>
 * </ul>
 * The file is ours but the user may have edited it: it is read back and only the list lines above are touched, each
 * only inside its quotes; a list line that is not the plain {@code name+=" words "} form is refused with its line
 * (see {@link DracutListFile}). A later file that assigns {@code force_drivers=} or {@code install_items=} (not
 * {@code +=}) throws our lists away: that is a warning naming it.
 *
 * <p>{@link HostFacts} tells the running kernel's release, not the installed kernels, so only the running kernel's
 * image is rebuilt (said in the command's reason); the others pick the configuration up at their next rebuild
 * (a kernel update runs dracut through kernel-install).
 */
@Extension
public class DracutLoader implements EarlyModuleLoader {
    static final String CONF = "etc/dracut.conf.d/passthrough.conf";
    static final String DRIVERS = "force_drivers";
    static final String ITEMS = "install_items";
    static final String OPTIONAL_ITEMS = "install_optional_items";
    static final Set<String> OWNED = Set.of(DRIVERS, ITEMS, OPTIONAL_ITEMS);
    static final String HEADER = """
            # Written by passthrough: load the vfio modules early and carry the files the modprobe.d configuration
            # runs. dracut reads only *.conf files here; lists keep a space inside each quote. Remove with
            # `passthrough rollback`.
            """;
    private static final String VIRQFD = "vfio_virqfd";
    static final String DEBIAN_IMAGE = "/boot/initrd.img-";

    @Override
    public String id() {
        return "dracut";
    }

    /** Our file (read back so a later plan keeps what it holds) and the others, whose plain assignments override ours. */
    @Override
    public List<String> hostFiles() {
        return List.of("etc/dracut.conf", "etc/dracut.conf.d/*.conf", "usr/lib/dracut/dracut.conf.d/*.conf");
    }

    @Override
    public List<String> hostCommands() {
        return List.of("dracut");
    }

    /** The tool is what counts, as with initramfs-tools: a leftover dracut.conf.d on a host without dracut is not ours. */
    @Override
    public boolean manages(HostFacts facts) {
        return facts.hasCommand("dracut");
    }

    @Override
    public Contribution load(HostFacts facts, EarlyModulesChange change) {
        List<Change> changes = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        String current = facts.files().get(CONF);
        DracutListFile.Parsed parsed = DracutListFile.parse(CONF, current != null ? current : HEADER, OWNED);
        if (parsed.refusal() != null) {
            DracutListFile.Refusal r = parsed.refusal();
            findings.add(Finding.error("DRACUT_CONF_UNEDITABLE", r.message(), r.wayOut()));
            return new Contribution(changes, findings);
        }
        DracutListFile conf = parsed.file();
        boolean virqfdGone = virqfdMerged(facts);

        Set<String> present = normalized(conf.words(DRIVERS));
        List<String> newDrivers = change.modules().stream()
                .filter(m -> !(virqfdGone && KernelModules.normalize(m).equals(VIRQFD)))
                .filter(m -> !present.contains(KernelModules.normalize(m))).distinct().toList();
        conf.add(DRIVERS, newDrivers);
        if (virqfdGone) conf.remove(DRIVERS, w -> KernelModules.normalize(w).equals(VIRQFD));

        // what the early boot runs must be in the image; what the plan deletes must leave the required list
        List<String> items = conf.words(ITEMS);
        conf.remove(ITEMS, w -> change.changedFiles().contains(relative(w)) && !change.extraFiles().contains(relative(w)));
        conf.add(ITEMS, change.extraFiles().stream().filter(f -> !isModprobeConf(f)).map(f -> "/" + f)
                .filter(f -> !items.contains(f)).distinct().toList());
        List<String> optional = conf.words(OPTIONAL_ITEMS);
        Set<String> modprobeFiles = new LinkedHashSet<>();
        change.extraFiles().stream().filter(DracutLoader::isModprobeConf).forEach(modprobeFiles::add);
        change.changedFiles().stream().filter(DracutLoader::isModprobeConf).forEach(modprobeFiles::add);
        conf.add(OPTIONAL_ITEMS, modprobeFiles.stream().map(f -> "/" + f).filter(f -> !optional.contains(f)).toList());

        String base = current != null ? current : HEADER;
        boolean fileChanges = !conf.text().equals(base);
        if (fileChanges) changes.add(new FileChange(CONF, conf.text(), describeFile(newDrivers, change)));
        findings.addAll(DracutOverrides.find(facts.files(), CONF, change.modules()));

        if (!fileChanges && change.changedFiles().isEmpty()) return new Contribution(changes, findings);
        if (facts.kernelRelease() == null) {
            findings.add(Finding.error("KERNEL_RELEASE_UNKNOWN", "the running kernel's release is unknown, so its initramfs "
                    + "cannot be named", "run on the host itself"));
        } else if (!facts.hasCommand("dracut")) {
            findings.add(Finding.error("NO_DRACUT", "dracut is missing (usr/bin, usr/sbin, bin, sbin), so the initramfs "
                    + "cannot be rebuilt", "install the dracut package, or choose another loader with --early-modules"));
        } else {
            String release = facts.kernelRelease();
            String why = "rebuild the initramfs of the running kernel " + release + " so it carries "
                    + describe(newDrivers, change.changedFiles()) + " (the installed kernels are not known here: "
                    + "the others take it at their next rebuild)";
            if (debianLike(facts)) {
                // Debian's dracut package builds /boot/initrd.img-<release> (its /etc/kernel/postinst.d/dracut names the
                // file); that is what GRUB's 10_linux and kernel-install's 85-initrd.install take. Left to itself, dracut
                // writes <ESP>/<machine-id>/<release>/initrd once systemd-boot's entry directory exists, a file the
                // loader entry kernel-install wrote does not name (it copies initrd.img-<release>)
                changes.add(new CommandChange(List.of("dracut", "-f", DEBIAN_IMAGE + release, release), why
                        + "; the image Debian's boot reads, " + DEBIAN_IMAGE + release));
            } else {
                changes.add(new CommandChange(List.of("dracut", "-f", "--kver", release), why));
            }
        }
        return new Contribution(changes, findings);
    }

    /** Debian, Ubuntu and their derivatives (os-release ID or ID_LIKE): the initramfs is /boot/initrd.img-<release>. */
    static boolean debianLike(HostFacts facts) {
        var os = facts.os();
        if (os == null) return false;
        return "debian".equals(os.id()) || "ubuntu".equals(os.id())
                || os.idLike() != null && (os.idLike().contains("debian") || os.idLike().contains("ubuntu"));
    }

    /** vfio_virqfd became part of vfio in Linux 6.2; an unknown release counts as new (no distribution ships older). */
    static boolean virqfdMerged(HostFacts facts) {
        if (facts.modules().known() && facts.modules().stateOf(VIRQFD) == KernelModules.ModuleState.MISSING) return true;
        String release = facts.kernelRelease();
        if (release == null) return true;
        String[] p = release.split("[.-]");
        try {
            int major = Integer.parseInt(p[0]);
            int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            return major > 6 || major == 6 && minor >= 2;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static boolean isModprobeConf(String path) {
        return path.startsWith("etc/modprobe.d/");
    }

    private static String relative(String item) {
        return item.startsWith("/") ? item.substring(1) : item;
    }

    private static Set<String> normalized(List<String> modules) {
        return modules.stream().map(KernelModules::normalize).collect(Collectors.toSet());
    }

    private static String describeFile(List<String> drivers, EarlyModulesChange change) {
        return drivers.isEmpty() ? "carry the early-boot files of this plan in the initramfs" : change.reason();
    }

    private static String describe(List<String> modules, List<String> files) {
        List<String> parts = new ArrayList<>();
        if (!modules.isEmpty()) parts.add("the modules " + String.join(", ", modules));
        if (!files.isEmpty()) parts.add("the changed " + files.stream().map(f -> "/" + f).collect(Collectors.joining(", ")));
        return parts.isEmpty() ? "the new configuration" : String.join(" and ", parts);
    }
}
