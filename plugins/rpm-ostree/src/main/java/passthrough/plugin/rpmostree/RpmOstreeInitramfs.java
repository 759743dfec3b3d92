package passthrough.plugin.rpmostree;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;
import passthrough.api.CommandChange;
import passthrough.api.CommandUndo;
import passthrough.api.Contribution;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.EarlyModulesChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;

/**
 * The early-module side on rpm-ostree systems: the deployment's initramfs is built on the server, so local changes
 * need client-side regeneration, {@code rpm-ostree initramfs --enable} with dracut arguments ({@code --arg=...}, each
 * one argv word handed to dracut): {@code --add-drivers} with the vfio modules and {@code --install} with the extra
 * files the modprobe.d configuration runs (dracut copies /etc/modprobe.d itself). In the same module as the kargs writer: both must agree on what
 * an rpm-ostree host is ({@link OstreeHost}), and both stage the deployment the next boot takes.
 *
 * <p>What was checked: rpm-ostree initramfs (rpm-ostree(1): {@code --enable}, {@code --disable}, {@code --arg=ARG}
 * "Append ARG to the dracut arguments"); the DOMAIN notes' {@code rpm-ostree initramfs --enable --arg=--add-drivers
 * --arg=vfio-pci}; dracut.cmdline/dracut(8): {@code --add-drivers LIST}, {@code --install LIST}. The inverse for
 * rollback is {@code rpm-ostree initramfs --disable}: rpm-ostree keeps one set of initramfs arguments per deployment,
 * so a host that already regenerated its initramfs locally with other arguments loses them on rollback (a warning
 * says so; its origin file is not visible to a plan).
 */
@Extension
public class RpmOstreeInitramfs implements EarlyModuleLoader {

    @Override
    public String id() {
        return "rpm-ostree";
    }

    @Override
    public List<String> hostFiles() {
        return OstreeHost.hostFiles();
    }

    @Override
    public List<String> hostCommands() {
        return List.of(OstreeHost.RPM_OSTREE);
    }

    @Override
    public boolean manages(HostFacts facts) {
        return OstreeHost.isOstree(facts.files(), facts.hasCommand(OstreeHost.RPM_OSTREE));
    }

    @Override
    public Contribution load(HostFacts facts, EarlyModulesChange change) {
        if (change.modules().isEmpty() && change.changedFiles().isEmpty() && change.extraFiles().isEmpty()) {
            return new Contribution(List.of(), List.of());
        }
        Set<String> install = new LinkedHashSet<>();
        // /etc/modprobe.d/*.conf needs no --install: dracut's kernel-modules module copies them (inst_multiple -o);
        // a changed one is why the image is rebuilt at all. The extra files (the by-address script) it does not know.
        for (String f : change.extraFiles()) install.add("/" + f);
        List<String> argv = new ArrayList<>(List.of(OstreeHost.RPM_OSTREE, "initramfs", "--enable"));
        if (!change.modules().isEmpty()) {
            argv.add("--arg=--add-drivers");
            argv.add("--arg=" + String.join(" ", change.modules()));
        }
        if (!install.isEmpty()) {
            argv.add("--arg=--install");
            argv.add("--arg=" + String.join(" ", install));
        }
        List<Finding> findings = new ArrayList<>();
        findings.add(Finding.warning("RPM_OSTREE_INITRAMFS_ARGS", "rpm-ostree keeps one set of local initramfs arguments: "
                + "`rpm-ostree initramfs --enable` replaces any set before, and rollback runs `rpm-ostree initramfs "
                + "--disable`", "if `rpm-ostree status` shows local initramfs arguments of your own, add them again after "
                + "a rollback"));
        return new Contribution(List.of(new CommandChange(argv, "regenerate the deployment's initramfs locally with dracut "
                + "loading " + String.join(", ", change.modules()) + " early" + (install.isEmpty() ? "" : " and carrying "
                + String.join(", ", install)) + " (" + change.reason() + ")", CommandUndo.run(OstreeHost.RPM_OSTREE, "initramfs",
                "--disable"))), findings);
    }
}
