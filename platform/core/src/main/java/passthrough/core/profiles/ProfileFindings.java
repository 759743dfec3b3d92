package passthrough.core.profiles;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.core.host.HostRoot;

/**
 * What `check` says from the profile: which one and why, the packages the distribution needs for the rest of the
 * journey that are missing (as the one install line to type), and its host quirks that are not in place.
 */
public final class ProfileFindings {
    /** {@code key = value} in libvirt's qemu.conf style (and any {@code key=value} file): not commented out. */
    private static final Pattern ASSIGNMENT = Pattern.compile("^\\s*([A-Za-z0-9_.-]+)\\s*=\\s*(.*?)\\s*$");

    private ProfileFindings() {
    }

    public static List<Finding> of(ProfileChoice choice, HostFacts facts, HostRoot root) {
        List<Finding> out = new ArrayList<>();
        if (!choice.found()) {
            out.add(Finding.warning("NO_PROFILE", choice.reason(), null));
            return out;
        }
        Profile p = choice.profile();
        if (choice.how() == ProfileChoice.How.EXACT || choice.how() == ProfileChoice.How.OVERRIDE) {
            out.add(Finding.info("PROFILE", "profile " + p.id() + " (" + p.name() + "): " + choice.reason()));
        } else {
            out.add(Finding.warning("PROFILE_CLOSEST", "profile " + p.id() + " (" + p.name() + "): " + choice.reason(), null));
        }
        if (p.packages() != null) {
            Set<String> missing = new LinkedHashSet<>();
            List<String> purposes = new ArrayList<>();
            for (Profile.Package pk : p.packages().needed()) {
                boolean present = pk.command() != null ? facts.hasCommand(pk.command()) : root.exists(pk.file());
                if (!present && missing.add(pk.name())) purposes.add(pk.name() + " (" + pk.purpose() + ")");
            }
            if (!missing.isEmpty()) {
                out.add(Finding.warning("PACKAGES_MISSING", "not installed, needed later to define and run the VM: "
                        + String.join(", ", purposes), p.packages().install() + " " + String.join(" ", missing)));
            }
        }
        for (Profile.HostQuirk q : p.hostQuirks()) {
            String text = facts.files().get(q.file());
            if (text == null) {
                out.add(Finding.info("HOST_QUIRK_LATER", q.file() + " does not exist yet; once it does, " + p.id()
                        + " needs " + q.key() + " = " + q.value() + " in it (" + q.why() + ")"));
            } else if (!hasSetting(text, q.key(), q.value())) {
                out.add(Finding.warning("HOST_QUIRK", q.file() + " lacks " + q.key() + " = " + q.value() + ": " + q.why(),
                        "set `" + q.key() + " = " + q.value() + "` in /" + q.file() + " and restart the service that reads it"));
            }
        }
        return out;
    }

    /** Whether the last uncommented assignment of {@code key} has {@code value}. */
    static boolean hasSetting(String text, String key, String value) {
        String last = null;
        for (String line : text.split("\n", -1)) {
            Matcher m = ASSIGNMENT.matcher(line);
            if (m.matches() && m.group(1).equals(key)) last = m.group(2);
        }
        return value.equals(last);
    }
}
