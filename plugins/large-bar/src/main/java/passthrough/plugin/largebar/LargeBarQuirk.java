package passthrough.plugin.largebar;

import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;
import passthrough.api.Finding;
import passthrough.api.GuestQuirk;
import passthrough.api.GuestSlot;
import passthrough.api.HostFacts;
import passthrough.api.PassedFunction;
import passthrough.api.PciBar;
import passthrough.api.QuirkResult;
import passthrough.api.VmFeature;
import passthrough.api.VmSpec;

/**
 * Sizes OVMF's 64-bit PCI window for cards with large BARs. A card whose 64-bit BARs do not fit OVMF's classic
 * 32 GiB window is left without them: the guest firmware gives up on the card and the VM shows "Guest has not
 * initialized the display (yet)" for ever — very likely seed 2's Tesla P10 (GP102, a 32 GiB BAR1 and a 32 MiB BAR3:
 * 32 GiB + 32 MiB do not fit in 32 GiB), while its Tesla T10 (16 GiB + 32 MiB) fits. The quirk then gives
 * {@link VmFeature.HostPhysBits} and an explicit {@link VmFeature.PciMmio64Window}; the arithmetic and the OVMF
 * behaviour it assumes are in {@link MmioWindow}.
 *
 * <p>Which BARs count: every 64-bit memory BAR of every passed function, prefetchable or not. OVMF asks PciBusDxe to
 * place all 64-bit BARs above 4 GiB (OvmfPkg/IncompatiblePciDeviceSupportDxe); a 64-bit non-prefetchable BAR behind a
 * root port still lands below 4 GiB (a bridge's non-prefetchable window is 32-bit), so counting it only makes the window
 * larger than needed, never too small. 32-bit BARs go below 4 GiB and are not this quirk's business. The sizes are
 * the host's current ones: with Resizable BAR enlarged on the host, the guest sees the enlarged BAR.
 *
 * <p>A passed function whose BARs the host facts do not hold (no sysfs {@code resource} read) is named in a warning:
 * the window is then sized from the functions that are known, which may be too small.
 */
@Extension
public class LargeBarQuirk implements GuestQuirk {

    @Override
    public String id() {
        return "large-bar";
    }

    @Override
    public String description() {
        return "cards whose 64-bit BARs do not fit OVMF's classic 32 GiB PCI window (a Tesla P40/P10's 32 GiB BAR): "
                + "the host's physical address width and a window sized from the BARs";
    }

    @Override
    public QuirkResult features(HostFacts facts, VmSpec vm) {
        List<List<Long>> cards = new ArrayList<>();
        List<String> terms = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (GuestSlot slot : vm.slots()) {
            List<Long> sizes = new ArrayList<>();
            for (PassedFunction f : slot.functions()) {
                if (!facts.machine().bars().containsKey(f.host())) {
                    unknown.add(f.host().toString());
                    continue;
                }
                for (PciBar b : facts.machine().barsOf(f.host())) {
                    if (!b.is64bit()) continue;
                    sizes.add(b.size());
                    terms.add(f.host() + " BAR" + b.index() + " " + MmioWindow.human(b.size())
                            + (b.prefetchable() ? "" : " (non-prefetchable)"));
                }
            }
            cards.add(sizes);
        }
        List<Finding> findings = new ArrayList<>();
        if (!unknown.isEmpty()) {
            findings.add(Finding.warning("LARGE_BAR_SIZES_UNKNOWN", "the BAR sizes of " + String.join(", ", unknown)
                    + " were not read (no sys/bus/pci/devices/ADDRESS/resource in the host facts), so the large-bar "
                    + "quirk cannot tell whether they fit OVMF's 64-bit PCI window",
                    "run vm create on the host that has the card, as root or with read access to sysfs; if the guest "
                    + "then stops at \"Guest has not initialized the display\", compare the Region sizes of lspci -vv "
                    + "for the card with 32 GiB"));
        }
        if (!MmioWindow.exceedsClassic(cards)) return new QuirkResult(List.of(), "", findings);
        long need = MmioWindow.packed(cards, 0);
        long window = MmioWindow.window(cards);
        String sum = String.join(" + ", terms) + " (64-bit) = " + MmioWindow.human(need)
                + ", each BAR at its natural alignment";
        if (window < 0) {
            findings.add(Finding.error("LARGE_BAR_WINDOW_TOO_LARGE", "the 64-bit BARs need " + sum + ", more than "
                    + "the largest 64-bit PCI window OVMF accepts (" + MmioWindow.human(MmioWindow.MAX_WINDOW) + ")",
                    "give the VM fewer of these cards"));
            return new QuirkResult(List.of(), "", findings);
        }
        String why = "BARs: " + sum + ", ≥ 32 GiB, OVMF's classic 64-bit PCI window (the window of OVMF builds "
                + "before edk2-stable202211, and of newer ones when the guest's address width is not trusted; the VM's "
                + "own devices need room in it too) → window " + MmioWindow.human(window)
                + " (opt/ovmf/X-PciMmio64Mb=" + window / MmioWindow.MIB + "): the smallest power of two that holds the "
                + "BARs with OVMF's hot-plug padding of " + MmioWindow.human(window / 256) + " (window/256) on each of "
                + "up to " + MmioWindow.ROOT_PORTS + " root ports, " + MmioWindow.human(MmioWindow.paddedNeed(cards, window))
                + " in all; and the host CPU's physical address width for the guest, so the firmware can place the "
                + "window above the guest's RAM at addresses the host can map. Without this the guest firmware drops "
                + "the card's BARs and the VM stays at \"Guest has not initialized the display (yet)\"";
        return new QuirkResult(List.of(new VmFeature.HostPhysBits(), new VmFeature.PciMmio64Window(window / MmioWindow.MIB)),
                why, findings);
    }
}
