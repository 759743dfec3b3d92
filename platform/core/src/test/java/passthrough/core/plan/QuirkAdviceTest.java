package passthrough.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import passthrough.api.Finding;
import passthrough.api.GuestQuirk;
import passthrough.api.HostFacts;
import passthrough.api.Reservation;
import passthrough.api.Severity;
import passthrough.api.QuirkResult;
import passthrough.api.VmSpec;
import org.junit.jupiter.api.Test;

class QuirkAdviceTest {
    static GuestQuirk quirk(String id, List<Finding> advice, RuntimeException thrown) {
        return new GuestQuirk() {
            public String id() { return id; }
            public QuirkResult features(HostFacts facts, VmSpec vm) { return QuirkResult.none(); }
            public List<Finding> advise(HostFacts facts, Reservation reservation) {
                if (thrown != null) throw thrown;
                return advice;
            }
            @Override public String toString() { return id; }
        };
    }

    @Test
    void everyQuirksAdviceIsCollectedAndAThrowingQuirkBecomesAWarningNamingIt() {
        Reservation none = new Reservation(List.of(), false);
        List<Finding> out = QuirkAdvice.about(List.of(
                quirk("reset-bug", List.of(Finding.warning("RESET_BUG", "this card does not reset", "install vendor-reset")), null),
                quirk("broken", null, new IllegalStateException("cannot parse")),
                quirk("silent", List.of(), null)), null, none);
        assertEquals(2, out.size(), out.toString());
        assertEquals("RESET_BUG", out.get(0).code());
        assertEquals(Severity.WARNING, out.get(1).severity());
        assertEquals("QUIRK_FAILED", out.get(1).code());
        assertTrue(out.get(1).message().contains("broken") && out.get(1).message().contains("IllegalStateException: cannot parse"),
                out.get(1).message());
    }

    @Test
    void aQuirkWithoutAdviceSaysNothing() {
        GuestQuirk plain = new GuestQuirk() {
            public String id() { return "plain"; }
            public QuirkResult features(HostFacts facts, VmSpec vm) { return QuirkResult.none(); }
        };
        assertEquals(List.of(), QuirkAdvice.about(List.of(plain), null, new Reservation(List.of(), false)));
    }
}
