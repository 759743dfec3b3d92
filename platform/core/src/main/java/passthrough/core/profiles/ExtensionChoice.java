package passthrough.core.profiles;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which one extension serves a point where only one may (the bootloader writer, the early-module loader), and why:
 * the user's flag (--bootloader ID) first; else the profile's candidates in its order, the first that manages the
 * host; else every loaded extension that manages it, which must be exactly one. No plugin names another: two
 * claimants without a profile's word is a refusal naming both.
 *
 * @param chosen      the extension, or null
 * @param explanation why it, or why none (for the plan's findings)
 * @param refusal     when not null, the point cannot be decided and a plan that needs it must stop with this message
 * @param code        the refusal's code (AMBIGUOUS_PLUGINS, PROFILE_PLUGIN_DOES_NOT_MANAGE, ...), or null
 */
public record ExtensionChoice<T>(T chosen, String explanation, String refusal, String code) {

    /** Nothing claims the host; a plan that needs this point names that in its own words. */
    public boolean none() {
        return chosen == null && refusal == null;
    }

    /**
     * @param point    for messages, e.g. "bootloader writer"
     * @param flag     the option that chooses, e.g. "--bootloader"
     * @param loaded   the loaded extensions of this point
     * @param id       an extension's id
     * @param manages  whether it manages this host
     * @param reads    what it looks at, for the message when it does not manage the host
     * @param profile  the profile's choice (its profile may be null)
     * @param order    the profile's candidates for this point (empty: the profile leaves it open)
     * @param override the flag's value, or null
     */
    public static <T> ExtensionChoice<T> choose(String point, String flag, List<T> loaded, Function<T, String> id,
                                                Predicate<T> manages, Function<T, String> reads, ProfileChoice profile,
                                                List<String> order, String override) {
        String known = loaded.isEmpty() ? "none is loaded" : "loaded: " + loaded.stream().map(id).collect(Collectors.joining(", "));
        if (override != null) {
            T t = loaded.stream().filter(e -> id.apply(e).equals(override)).findFirst().orElse(null);
            if (t == null) {
                return refuse("UNKNOWN_PLUGIN", "no " + point + " '" + override + "' (" + flag + ") is loaded (" + known
                        + "); `passthrough plugins` lists them");
            }
            if (!manages.test(t)) {
                return refuse("PLUGIN_DOES_NOT_MANAGE", override + " (chosen with " + flag + ") does not manage this host's "
                        + "set-up (" + reads.apply(t) + "); choose the " + point + " that does (" + known + ")");
            }
            return new ExtensionChoice<>(t, override + " chosen with " + flag, null, null);
        }
        if (profile != null && profile.found() && !order.isEmpty()) {
            Profile p = profile.profile();
            for (String candidate : order) {
                T t = loaded.stream().filter(e -> id.apply(e).equals(candidate)).findFirst().orElse(null);
                if (t != null && manages.test(t)) {
                    String skipped = order.subList(0, order.indexOf(candidate)).stream().collect(Collectors.joining(", "));
                    return new ExtensionChoice<>(t, "profile " + p.id() + " lists " + String.join(", ", order) + " as "
                            + point + (skipped.isEmpty() ? "; " + candidate + " manages this host"
                            : "; " + skipped + " does not manage this host, " + candidate + " does"), null, null);
                }
            }
            StringBuilder why = new StringBuilder();
            for (String candidate : order) {
                T t = loaded.stream().filter(e -> id.apply(e).equals(candidate)).findFirst().orElse(null);
                why.append(why.length() == 0 ? "" : "; ").append(candidate).append(t == null ? " is not loaded"
                        : " does not manage it (" + reads.apply(t) + ")");
            }
            return refuse("PROFILE_PLUGIN_DOES_NOT_MANAGE", "profile " + p.id() + " (" + p.source() + ") names "
                    + String.join(", ", order) + " as " + point + " for this host, but " + why + "; if the profile is "
                    + "wrong for this host choose another with --profile ID, or choose the " + point + " with " + flag
                    + " ID (" + known + ")");
        }
        List<T> claimants = loaded.stream().filter(manages).toList();
        if (claimants.size() > 1) {
            String ids = claimants.stream().map(id).collect(Collectors.joining(" and "));
            return refuse("AMBIGUOUS_PLUGINS", ids + " both manage this host's " + point + " and "
                    + (profile != null && profile.found() ? "profile " + profile.id() + " does not say which"
                    : "no profile says which") + "; choose with " + claimants.stream().map(t -> flag + " " + id.apply(t))
                    .collect(Collectors.joining(" or ")) + ", or use a profile (--profile ID)");
        }
        if (claimants.size() == 1) {
            T t = claimants.get(0);
            return new ExtensionChoice<>(t, id.apply(t) + " is the only " + point + " that manages this host"
                    + (profile != null && profile.found() ? " (profile " + profile.id() + " leaves the choice open)"
                    : " (no profile)"), null, null);
        }
        return new ExtensionChoice<>(null, "no " + point + " manages this host (" + known + ")", null, null);
    }

    private static <T> ExtensionChoice<T> refuse(String code, String message) {
        return new ExtensionChoice<>(null, message, message, code);
    }

    /** The extension's host files and commands, for "does not manage it (reads ...)". */
    public static String reads(passthrough.api.HostReads e) {
        List<String> all = new java.util.ArrayList<>(e.hostFiles());
        all.addAll(e.hostCommands().stream().map(c -> "command " + c).toList());
        return all.isEmpty() ? "it says nothing about what it reads" : "it looks for " + String.join(", ", all);
    }
}
