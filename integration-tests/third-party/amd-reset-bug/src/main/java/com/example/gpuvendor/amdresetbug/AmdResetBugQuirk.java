package com.example.gpuvendor.amdresetbug;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;
import passthrough.api.Finding;
import passthrough.api.GuestQuirk;
import passthrough.api.HostFacts;
import passthrough.api.PciDevice;
import passthrough.api.Reservation;
import passthrough.api.QuirkResult;
import passthrough.api.VmSpec;

/**
 * AMD GPUs of the Vega 10, Vega 20 and Navi 10 families often do not come back from a reset: after the first guest
 * shuts down, the card hangs the next guest boot (or the host) until the host reboots. The out-of-tree vendor-reset
 * module (https://github.com/gnif/vendor-reset) teaches the kernel a working reset for them. This plugin only
 * advises: it tells the user before the card is reserved.
 *
 * <p>Device ids from vendor-reset's device table (src/device-db.h, the _AMD_VEGA10, _AMD_VEGA20 and _AMD_NAVI10
 * lists), discrete cards only: the APU ids that table also lists are left out.
 */
@Extension
public class AmdResetBugQuirk implements GuestQuirk {
    static final int AMD = 0x1002;
    static final Map<String, Set<Integer>> FAMILIES = Map.of(
            "Vega 10", Set.of(0x6860, 0x6861, 0x6862, 0x6863, 0x6864, 0x6867, 0x6868, 0x6869, 0x686a, 0x686b, 0x686c,
                    0x686d, 0x686e, 0x686f, 0x687f),
            "Vega 20", Set.of(0x66a0, 0x66a1, 0x66a2, 0x66a3, 0x66a4, 0x66a7, 0x66af),
            "Navi 10", Set.of(0x7310, 0x7312, 0x7318, 0x7319, 0x731a, 0x731b, 0x731e, 0x731f));

    @Override
    public String id() {
        return "amd-reset-bug";
    }

    @Override
    public QuirkResult features(HostFacts facts, VmSpec vm) {
        return QuirkResult.none(); // nothing to add to the VM: the fix is on the host
    }

    @Override
    public List<Finding> advise(HostFacts facts, Reservation reservation) {
        List<Finding> out = new ArrayList<>();
        for (PciDevice d : reservation.devices()) {
            String family = family(d);
            if (family == null) continue;
            out.add(Finding.warning("AMD_RESET_BUG", d.address() + " " + d.displayName() + " [" + d.id() + "] is an AMD "
                    + family + " GPU with the reset bug: it may not reset between guest boots, so the second start of "
                    + "the VM can hang the guest or the host until a reboot",
                    "install the vendor-reset kernel module (https://github.com/gnif/vendor-reset) and load it at boot "
                    + "before starting the VM"));
        }
        return out;
    }

    private static String family(PciDevice d) {
        if (d.id().vendor() != AMD) return null;
        for (Map.Entry<String, Set<Integer>> e : FAMILIES.entrySet()) {
            if (e.getValue().contains(d.id().device())) return e.getKey();
        }
        return null;
    }
}
