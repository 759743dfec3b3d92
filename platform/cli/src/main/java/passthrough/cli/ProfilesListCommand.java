package passthrough.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import passthrough.cli.json.ProfilesJson;
import passthrough.core.host.HostFactsReader;
import passthrough.core.host.HostRoot;
import passthrough.core.profiles.Profile;
import passthrough.core.profiles.ProfileCatalog;
import passthrough.core.profiles.ProfileChoice;
import picocli.CommandLine.Command;

/** `passthrough profiles list`: every profile, where it comes from, what it matches, and which one this host gets. */
@Command(name = "list", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:listed", " 2:usage error"},
        mixinStandardHelpOptions = true,
        description = {"List the shipped and installed profiles, what os-release each matches, and the one this host "
                + "(--root) gets and why. Profiles that cannot be read are listed with the reason."})
final class ProfilesListCommand extends NestedSubcommand implements Callable<Integer> {
    @Override
    public Integer call() {
        HostRoot root = ProfileCommands.root(global());
        ProfileCatalog catalog = ProfileCatalog.load(ProfileCatalog.shippedDirectory(), root);
        ProfileChoice choice = HostSession.chooseProfile(global(), root);
        if (global().json) {
            List<ProfilesJson.ProfileJson> list = new ArrayList<>();
            for (ProfileCatalog.Entry e : catalog.entries()) list.add(ProfileCommands.json(e, choice));
            printJson(new ProfilesJson(new ProfilesJson.ChoiceJson(choice.id(), choice.how().jsonName(), choice.reason()),
                    list, catalog.broken().stream().map(b -> new ProfilesJson.BrokenJson(b.file().toString(),
                    b.origin().name().toLowerCase(java.util.Locale.ROOT), b.message())).toList()));
            return ExitCodes.OK;
        }
        PrintWriter out = out();
        out.println("This host (" + HostFactsReader.osRelease(root).prettyName() + "): "
                + (choice.found() ? choice.id() + " (" + choice.how().jsonName() + ")" : "no profile") + ".");
        out.println("  " + choice.reason());
        out.println();
        out.printf("  %-14s %-10s %-28s %s%n", "ID", "ORIGIN", "MATCHES", "NAME");
        for (ProfileCatalog.Entry e : catalog.entries()) {
            Profile p = e.profile();
            out.printf("%s %-14s %-10s %-28s %s%n", p.id().equals(choice.id()) ? "*" : " ", p.id(),
                    e.origin().name().toLowerCase(java.util.Locale.ROOT), ProfileCommands.matches(p), p.name());
        }
        if (!catalog.broken().isEmpty()) {
            out.println();
            out.println("Profiles that cannot be used:");
            for (ProfileCatalog.Broken b : catalog.broken()) out.println("  " + b.message());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
