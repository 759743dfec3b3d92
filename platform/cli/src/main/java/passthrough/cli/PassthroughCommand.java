package passthrough.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import passthrough.core.plugins.PluginDirectory;
import passthrough.core.plugins.audit.InstalledPlugins;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top command: global options shared by every subcommand (inherited, so they work before or after it). */
@Command(name = "passthrough", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:done; ready", " 1:not ready, a check or a command failed", " 2:usage error", " 3:refused for safety; nothing was written", " 4:an I/O error"},
        mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Takes a Linux KVM host from \"I have a spare GPU\" to a VM that owns it, safely.",
        subcommands = {CheckCommand.class, GroupsCommand.class, ReportCommand.class, PluginsCommand.class, PlanCommand.class, VmCommand.class,
            ApplyCommand.class, RollbackCommand.class, HistoryCommand.class, VerifyCommand.class,
            ProfilesCommand.class})
public final class PassthroughCommand implements Runnable {

    @Option(names = "--root", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Read (and later write) the host below DIR instead of / (like dpkg --root). Default: /.")
    Path root = Path.of("/");

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON on stdout, for scripts.")
    boolean json;

    @Option(names = "--plugins-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Load pf4j plugins from DIR as well (repeatable); the install's plugins/ is always read.")
    List<Path> pluginDirs = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "ID", scope = ScopeType.INHERIT,
            description = "Use this distribution profile instead of the one matching /etc/os-release "
                    + "(`passthrough profiles list` shows them).")
    String profile;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log to stderr and show stack traces of errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "No progress lines and no [ok]/[INFO] findings: warnings, errors and what the command exists "
                    + "to print (the plan, the groups, the definition) stay. The exit status tells the answer.")
    boolean quiet;

    @Option(names = "--color", paramLabel = "WHEN", scope = ScopeType.INHERIT, defaultValue = "auto",
            completionCandidates = ColorChoices.class,
            description = "Colour the output: ${COMPLETION-CANDIDATES}. Default auto: only when stdout is a terminal, "
                    + "NO_COLOR is unset or empty, TERM is not dumb, and not with --json.")
    void color(String when) {
        if (!ColorChoices.VALUES.contains(when)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--color " + when
                    + ": expected auto, always or never");
        }
        this.color = when;
    }

    String color = "auto";

    /** How stdout and stderr meet the user; Main decides it before picocli runs (the streams come first). */
    Terminal terminal = Terminal.PLAIN;

    /** The --color values, for help and completion. */
    static final class ColorChoices implements Iterable<String> {
        static final List<String> VALUES = List.of("auto", "always", "never");

        @Override
        public java.util.Iterator<String> iterator() {
            return VALUES.iterator();
        }
    }

    /** What a command that runs update-initramfs, dracut, virsh... tells the user while they run (stderr). */
    passthrough.core.apply.CommandProgress progress() {
        return ProgressLine.on(spec.commandLine().getErr(), terminal);
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Where plugins load from, first come first served on a duplicate id (so nothing shadows a first-party plugin):
     * the bundle's plugins/ (set by bin/passthrough), the third-party plugins installed under the root's
     * var/lib/passthrough/plugins (each with its audit record), then any --plugins-dir.
     */
    List<PluginDirectory> pluginDirectories() {
        List<PluginDirectory> dirs = new ArrayList<>();
        String bundled = System.getProperty("passthrough.plugins");
        if (bundled != null && !bundled.isBlank()) dirs.add(PluginDirectory.firstParty(Path.of(bundled)));
        dirs.add(PluginDirectory.installed(InstalledPlugins.directory(root)));
        pluginDirs.forEach(d -> dirs.add(PluginDirectory.given(d)));
        return dirs;
    }
}
