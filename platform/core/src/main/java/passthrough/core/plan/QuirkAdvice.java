package passthrough.core.plan;

import java.util.ArrayList;
import java.util.List;
import passthrough.api.Finding;
import passthrough.api.GuestQuirk;
import passthrough.api.HostFacts;
import passthrough.api.Reservation;

/**
 * Asks every {@link GuestQuirk} what the user should know about the devices a plan reserves (a card with a reset
 * bug, ...). Advice only: a quirk that throws is named in a warning and skipped, the plan goes on, because a broken
 * advisor must not stand between the user and a plan the safety rules allow.
 */
final class QuirkAdvice {
    private QuirkAdvice() {
    }

    static List<Finding> about(List<GuestQuirk> quirks, HostFacts facts, Reservation reservation) {
        List<Finding> out = new ArrayList<>();
        for (GuestQuirk quirk : quirks) {
            try {
                List<Finding> advice = quirk.advise(facts, reservation);
                if (advice != null) advice.stream().filter(f -> f != null).forEach(out::add);
            } catch (RuntimeException | LinkageError e) {
                // PluginGuard wrapped the plugin's own exception (PluginFailedException); name what the plugin threw
                Throwable why = e.getCause() != null ? e.getCause() : e;
                out.add(Finding.warning("QUIRK_FAILED", name(quirk) + ": its advice about these devices failed ("
                        + why.getClass().getSimpleName() + (why.getMessage() == null ? "" : ": " + why.getMessage())
                        + ") and was skipped",
                        "see `passthrough plugins`; tell the plugin's author, or remove it with `passthrough plugins remove ID`"));
            }
        }
        return out;
    }

    private static String name(GuestQuirk quirk) {
        try {
            return "guest quirk " + quirk; // a guarded extension's toString is "id (plugin X)"
        } catch (RuntimeException e) {
            return "a guest quirk";
        }
    }
}
