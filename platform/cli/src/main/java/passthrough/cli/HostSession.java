package passthrough.cli;

import java.util.List;
import java.util.stream.Collectors;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;
import passthrough.api.OsRelease;
import passthrough.core.host.HostFactsReader;
import passthrough.core.host.HostNeeds;
import passthrough.core.host.HostRoot;
import passthrough.core.host.HostRootException;
import passthrough.core.plan.PlannerPlugins;
import passthrough.core.plugins.PluginRegistry;
import passthrough.core.profiles.ProfileCatalog;
import passthrough.core.profiles.ProfileChoice;
import passthrough.core.profiles.ProfileMatcher;
import passthrough.core.profiles.ProfiledPlugins;

/**
 * What a command works with: the opened root, the profile chosen for it, the loaded plugins as that profile orders
 * them, and the facts (read after the plugins, since they say which files to read). Close it to stop plugins.
 */
final class HostSession implements AutoCloseable {
    final HostRoot root;
    final HostFacts facts;
    final PluginRegistry plugins;
    final ProfiledPlugins profiled;

    private HostSession(HostRoot root, HostFacts facts, PluginRegistry plugins, ProfiledPlugins profiled) {
        this.root = root;
        this.facts = facts;
        this.plugins = plugins;
        this.profiled = profiled;
    }

    static HostSession open(PassthroughCommand global, boolean withPlugins) {
        HostRoot root;
        try {
            root = HostRoot.open(global.root, null);
        } catch (HostRootException e) {
            throw new UserError(ExitCodes.USAGE, e.getMessage(), e);
        }
        if (!withPlugins) {
            // groups: devices only, no plugin and no profile involved
            return new HostSession(root, HostFactsReader.read(root, HostNeeds.CORE), PluginRegistry.loadFrom(List.of()), null);
        }
        ProfileChoice choice = chooseProfile(global, root);
        PluginRegistry plugins = PluginRegistry.loadFrom(global.pluginDirectories());
        ProfiledPlugins profiled = ProfiledPlugins.of(plugins, choice);
        List<String> problems = profiled.problems();
        if (!problems.isEmpty()) {
            plugins.close();
            throw new UserError(ExitCodes.USAGE, "PROFILE_INVALID", "profile " + choice.id() + " cannot be used: "
                    + String.join("; ", problems), null, null);
        }
        HostFacts facts = HostFactsReader.read(root, profiled.needs());
        return new HostSession(root, facts, plugins, profiled);
    }

    /** --profile, else the one matching the host's os-release; a broken or ambiguous answer is a usage error. */
    static ProfileChoice chooseProfile(PassthroughCommand global, HostRoot root) {
        ProfileCatalog catalog = ProfileCatalog.load(ProfileCatalog.shippedDirectory(), root);
        OsRelease os = HostFactsReader.osRelease(root);
        if (global.profile != null) {
            return ProfileMatcher.override(catalog, global.profile, os).orElseThrow(() -> new UserError(ExitCodes.USAGE,
                    "PROFILE_UNKNOWN", "--profile " + global.profile + ": no such profile ("
                    + (catalog.profiles().isEmpty() ? "none is installed" : "known: " + catalog.profiles().stream()
                    .map(p -> p.id()).collect(Collectors.joining(", "))) + brokenNote(catalog)
                    + "); `passthrough profiles list` shows them", null, null));
        }
        try {
            return ProfileMatcher.choose(catalog, os, ProfileMatcher.onDisk(root));
        } catch (ProfileMatcher.AmbiguousProfilesException e) {
            throw new UserError(ExitCodes.USAGE, "PROFILE_AMBIGUOUS", e.getMessage(), e, null);
        }
    }

    private static String brokenNote(ProfileCatalog catalog) {
        return catalog.broken().isEmpty() ? "" : "; not readable: " + catalog.broken().stream()
                .map(ProfileCatalog.Broken::message).collect(Collectors.joining("; "));
    }

    List<HardwareProbe> probes() {
        return profiled.probes();
    }

    PlannerPlugins plannerPlugins(String bootloaderFlag, String earlyModulesFlag) {
        return profiled.forPlan(facts, bootloaderFlag, earlyModulesFlag);
    }

    @Override
    public void close() {
        plugins.close();
    }
}
