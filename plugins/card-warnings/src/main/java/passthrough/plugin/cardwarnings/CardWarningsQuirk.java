package passthrough.plugin.cardwarnings;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.pf4j.Extension;
import passthrough.api.Finding;
import passthrough.api.GuestQuirk;
import passthrough.api.HostFacts;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.PciBar;
import passthrough.api.PciDevice;
import passthrough.api.QuirkResult;
import passthrough.api.Reservation;
import passthrough.api.VmSpec;

/**
 * Warnings that cost nothing, about the card rather than the VM; never a feature. The checks run for
 * {@code vm create} ({@link #features}, over the VM's functions) and for {@code plan} ({@link #advise}, over the
 * reserved devices), so each command shows each warning once:
 * <ul>
 *   <li><b>{@value #RESET_BUG}</b>: an AMD GPU of a family that does not come back from a reset (the "AMD reset bug"):
 *       the second start of the VM hangs the guest or the host. Device ids from gnif/vendor-reset's table
 *       (src/device-db.h): the discrete ids of its Vega 10, Vega 20 (with Arcturus, the Instinct MI100, which it
 *       resets the Vega 20 way), Navi 10, Navi 12 and Navi 14 lists (the last two use its Navi 10 reset). The APU ids
 *       those lists also hold (0x15bf, 0x15dd, 0x15de, 0x15e7, 0x1636, 0x1638, 0x164c: Raven, Renoir, Cezanne, ...)
 *       are left out: an APU's graphics are the host's console and rarely passed through, and a warning on every
 *       Ryzen desktop would teach users to ignore this one. Polaris and Navi 23, also in the table, reset well enough
 *       for most users and are not warned about. The third-party example plugin {@code amd-reset-bug} warns about the
 *       Vega and Navi 10 ids in {@code advise} with the code AMD_RESET_BUG; this plugin's code differs, so a user with
 *       both sees two findings that say which plugin is which.</li>
 *   <li><b>{@value #REBAR}</b>: a resizable BAR larger than {@value #REBAR_DEFAULT_MIB} MiB, the size cards come up
 *       with: Resizable BAR is on in the host's firmware and enlarged the BAR. The guest sees the enlarged BAR (vfio
 *       does not offer the capability to the guest), which its firmware may fail to place; the way out is to turn
 *       Resizable BAR off in the host's firmware setup, or to keep the large-bar quirk on, which sizes the guest's
 *       window for it.</li>
 *   <li><b>{@value #AUDIO_ELSEWHERE}</b> ({@code vm create} only): the HD audio function of a passed GPU's card (same
 *       slot, class 0403) is in another IOMMU group and not in the VM, so the guest gets the GPU without its sound;
 *       another {@code --device} gives it to the VM, and {@code plan --with-siblings} is what reserves that group on
 *       the host. {@code advise} leaves this one out: {@code plan} itself already warns about a sibling function in
 *       another group and names {@code --with-siblings}, and the same warning twice would only confuse.</li>
 * </ul>
 */
@Extension
public class CardWarningsQuirk implements GuestQuirk {
    static final String RESET_BUG = "CARD_RESET_BUG";
    static final String REBAR = "CARD_REBAR_ENLARGED";
    static final String AUDIO_ELSEWHERE = "CARD_AUDIO_IN_OTHER_GROUP";
    static final int AMD = 0x1002;
    static final long REBAR_DEFAULT_MIB = 256;

    /** Discrete ids by family, from gnif/vendor-reset src/device-db.h (APU ids left out, see the class comment). */
    static final Map<String, Set<Integer>> RESET_BUG_FAMILIES = Map.of(
            "Vega 10", Set.of(0x6860, 0x6861, 0x6862, 0x6863, 0x6864, 0x6867, 0x6868, 0x6869, 0x686a, 0x686b, 0x686c,
                    0x686d, 0x686e, 0x686f, 0x687f),
            "Vega 20", Set.of(0x66a0, 0x66a1, 0x66a2, 0x66a3, 0x66a4, 0x66a7, 0x66af, 0x738c),
            "Navi 10", Set.of(0x7310, 0x7312, 0x7318, 0x7319, 0x731a, 0x731b, 0x731e, 0x731f),
            "Navi 12", Set.of(0x7360, 0x7362),
            "Navi 14", Set.of(0x7340, 0x7341, 0x7347, 0x734f));

    @Override
    public String id() {
        return "card-warnings";
    }

    @Override
    public String description() {
        return "warnings only: AMD cards with the reset bug (vendor-reset), Resizable BAR enlarged on the host, the "
                + "card's audio function in another IOMMU group";
    }

    @Override
    public QuirkResult features(HostFacts facts, VmSpec vm) {
        List<PciDevice> devices = new ArrayList<>();
        for (PassedFunction f : vm.functions()) facts.device(f.host()).ifPresent(devices::add);
        Set<PciAddress> inVm = new LinkedHashSet<>();
        vm.functions().forEach(f -> inVm.add(f.host()));
        return QuirkResult.warnings(check(facts, devices, inVm, false));
    }

    @Override
    public List<Finding> advise(HostFacts facts, Reservation reservation) {
        Set<PciAddress> reserved = new LinkedHashSet<>();
        reservation.devices().forEach(d -> reserved.add(d.address()));
        return check(facts, reservation.devices(), reserved, true);
    }

    private static List<Finding> check(HostFacts facts, List<PciDevice> devices, Set<PciAddress> taken, boolean forPlan) {
        List<Finding> out = new ArrayList<>();
        for (PciDevice d : devices) {
            String family = resetBugFamily(d);
            if (family != null) {
                out.add(Finding.warning(RESET_BUG, name(d) + " is an AMD " + family + " GPU, a family with the AMD "
                        + "reset bug: it does not come back from a reset, so after the guest shuts down the next start "
                        + "of the VM can hang the guest or the host until the host reboots",
                        "install the vendor-reset kernel module (https://github.com/gnif/vendor-reset, which knows "
                        + "device " + d.id() + ") on the host and load it at boot, before the VM first starts"));
            }
            for (PciBar b : facts.machine().barsOf(d.address())) {
                if (b.resizable() && b.size() > REBAR_DEFAULT_MIB << 20) {
                    out.add(Finding.warning(REBAR, name(d) + ": BAR" + b.index() + " is " + human(b.size())
                            + ", enlarged by Resizable BAR on the host (cards come up with " + REBAR_DEFAULT_MIB
                            + " MiB); the guest gets the enlarged BAR, which its firmware may fail to place",
                            "turn Resizable BAR (and \"Smart Access Memory\") off in the host's firmware setup, or keep "
                            + "it and keep the large-bar quirk on (the default), which sizes the guest's PCI window "
                            + "for it"));
                }
            }
            if (d.classCode().isDisplay() && !forPlan) {
                for (PciDevice audio : facts.devices()) {
                    if (!audio.address().sameSlot(d.address()) || audio.classCode().value() >> 8 != 0x0403) continue;
                    if (Objects.equals(audio.iommuGroup(), d.iommuGroup()) || taken.contains(audio.address())) continue;
                    out.add(Finding.warning(AUDIO_ELSEWHERE, "the audio function " + audio.address() + " of the card "
                            + "of " + name(d) + " is in IOMMU group " + group(audio) + ", not in the GPU's group "
                            + group(d) + ", so it does not come along with the GPU",
                            "add --device " + audio.address().toShortString() + " to give the VM the card's sound "
                                    + "too (plan --with-siblings reserves its group on the host)"));
                }
            }
        }
        return out;
    }

    static String resetBugFamily(PciDevice d) {
        if (d.id().vendor() != AMD) return null;
        for (String family : List.of("Vega 10", "Vega 20", "Navi 10", "Navi 12", "Navi 14")) {
            if (RESET_BUG_FAMILIES.get(family).contains(d.id().device())) return family;
        }
        return null;
    }

    private static String name(PciDevice d) {
        return d.address() + " " + d.displayName() + " [" + d.id() + "]";
    }

    private static String group(PciDevice d) {
        return d.iommuGroup() == null ? "(none)" : d.iommuGroup().toString();
    }

    private static String human(long bytes) {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + " GiB";
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + " MiB";
        return bytes + " bytes";
    }
}
