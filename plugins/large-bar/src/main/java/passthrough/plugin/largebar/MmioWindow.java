package passthrough.plugin.largebar;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The arithmetic of OVMF's 64-bit PCI MMIO window ("aperture"), as edk2's OvmfPkg does it (checked against
 * tianocore/edk2 master, August 2026):
 * <ul>
 *   <li><b>Classic window: 32 GiB.</b> {@code PcdPciMmio64Size|0x800000000} in OvmfPkg/OvmfPkgX64.dsc. It is the
 *       window of every OVMF before edk2-stable202211 (Ubuntu 18.04-22.04, Debian 11, the builds seed 2's
 *       {@code -bios OVMF_CODE.fd} line comes from), and of newer builds whenever the guest's physical address width
 *       is not trusted: QEMU's default {@code phys-bits=40} on an Intel CPU is not (PlatformAddressWidthFromCpuid in
 *       OvmfPkg/Library/PlatformInitLib/MemDetect.c accepts 36 or 39 bits for Intel, 40 for AMD, or 41 and more).</li>
 *   <li><b>Dynamic window</b> (edk2-stable202211 and later, commit ecb778d0ac "OvmfPkg/PlatformInitLib: dynamic mmio
 *       window size", PlatformDynamicMmioWindow in MemDetect.c): with a trusted address width of B bits the window is
 *       2^(B-3) at the top of the address space, e.g. 8 TiB with {@code host-phys-bits} on a 46-bit Xeon, but only
 *       64 GiB on a 39-bit desktop CPU.</li>
 *   <li><b>fw_cfg {@code opt/ovmf/X-PciMmio64Mb}</b> (PlatformGetFirstNonAddress in MemDetect.c): a size in MiB, up
 *       to 16 TiB ({@code <= 0x1000000}), that overrides both ("using fwcfg override for mmio window"); OVMF rounds it
 *       up to 1 GiB and aligns the window's base to the largest power of two not above its size.</li>
 *   <li><b>Hot-plug padding</b> (OvmfPkg/PciHotPlugInitDxe/PciHotPlugInit.c): when the window is larger than 32 GiB,
 *       every hot-pluggable bridge (QEMU's {@code pcie-root-port}, one per guest slot and one per device libvirt puts
 *       on a root port of its own) reserves window/256 of prefetchable 64-bit space on top of what sits behind it.</li>
 * </ul>
 * Which of these a given guest gets depends on the OVMF build, which the tool cannot see; so the quirk does not rely
 * on the dynamic window: when the BARs do not fit the classic 32 GiB it gives an explicit window (honoured by old and
 * new builds alike) and the host's address width (so the firmware can place that window above the guest's RAM, and
 * places nothing the host cannot map).
 *
 * <p>Every BAR is naturally aligned to its size, a power of two. The functions of one card share a guest slot behind
 * one root port: the port's window holds the card's BARs, largest first (each then falls on its own alignment, no
 * padding), and is itself aligned to the card's largest BAR. Cards are placed largest alignment first, and a smaller
 * card after a larger one starts at its own alignment: that gap is the padding. A BAR size that is not a power of two
 * (which no device has) is rounded up to one.
 */
final class MmioWindow {
    static final long KIB = 1L << 10;
    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;
    /** OVMF's classic 64-bit window (PcdPciMmio64Size in OvmfPkgX64.dsc). */
    static final long CLASSIC = 32 * GIB;
    /** The largest window X-PciMmio64Mb accepts: 0x1000000 MiB. */
    static final long MAX_WINDOW = 0x1000000L * MIB;
    /**
     * Root ports the padding is allowed for: QEMU's q35 has room for the guest slots' root ports (at most 15, see
     * GuestSlot) and libvirt's own for the disk, network and controllers; 32 covers a VM with every guest slot used
     * and as many emulated devices.
     */
    static final int ROOT_PORTS = 32;
    /** A bridge's memory window has a granularity of 1 MiB. */
    static final long BRIDGE_GRANULE = MIB;

    private MmioWindow() {
    }

    /** The bytes of one card's 64-bit BARs as its root port's window holds them (rounded to the bridge granule). */
    static long cardWindow(List<Long> barSizes, long padding) {
        long sum = 0;
        for (long s : barSizes) sum = Math.addExact(sum, pow2(s));
        return alignUp(Math.addExact(sum, padding), BRIDGE_GRANULE);
    }

    /** The alignment of one card's root-port window: its largest BAR, at least the bridge granule. */
    static long cardAlignment(List<Long> barSizes) {
        long a = BRIDGE_GRANULE;
        for (long s : barSizes) a = Math.max(a, pow2(s));
        return a;
    }

    /**
     * The span the cards' windows take when packed into the 64-bit window, each card's window aligned to its largest
     * BAR, largest alignment first.
     *
     * @param cards   per card, the sizes of its 64-bit BARs (cards without any are skipped)
     * @param padding the hot-plug padding each card's root port adds (0 for the classic window)
     */
    static long packed(List<List<Long>> cards, long padding) {
        List<long[]> windows = new ArrayList<>();
        for (List<Long> c : cards) {
            if (c.isEmpty()) continue;
            windows.add(new long[] {cardAlignment(c), cardWindow(c, padding)});
        }
        windows.sort(Comparator.comparingLong((long[] w) -> w[0]).reversed());
        long offset = 0;
        for (long[] w : windows) offset = Math.addExact(alignUp(offset, w[0]), w[1]);
        return offset;
    }

    /** True when the cards' BARs need more than the classic window: they must also leave room for the VM's own devices. */
    static boolean exceedsClassic(List<List<Long>> cards) {
        return packed(cards, 0) >= CLASSIC;
    }

    /**
     * The explicit window for these cards: the smallest power of two from 64 GiB on that holds them with OVMF's hot-plug
     * padding of window/256 on each card's root port and on the {@link #ROOT_PORTS} - cards other root ports the VM
     * may have. A power of two because OVMF aligns the window's base to the largest power of two not above its size:
     * any size in between would waste the same address space.
     *
     * @return the window in bytes, or -1 when even the largest window X-PciMmio64Mb accepts does not hold them
     */
    static long window(List<List<Long>> cards) {
        long cardCount = cards.stream().filter(c -> !c.isEmpty()).count();
        for (long w = 2 * CLASSIC; w <= MAX_WINDOW; w <<= 1) {
            long pad = w / 256;
            long need = Math.addExact(packed(cards, pad), Math.max(0, ROOT_PORTS - cardCount) * pad);
            if (need <= w) return w;
        }
        return -1;
    }

    /** The padding-free need and the padded need for a window, for the explanation. */
    static long paddedNeed(List<List<Long>> cards, long window) {
        long cardCount = cards.stream().filter(c -> !c.isEmpty()).count();
        long pad = window / 256;
        return packed(cards, pad) + Math.max(0, ROOT_PORTS - cardCount) * pad;
    }

    static long pow2(long size) {
        if (size <= 0) throw new IllegalArgumentException("a BAR size is positive: " + size);
        long h = Long.highestOneBit(size);
        return h == size ? size : Math.multiplyExact(h, 2);
    }

    static long alignUp(long v, long alignment) {
        long r = v % alignment;
        return r == 0 ? v : Math.addExact(v, alignment - r);
    }

    /** "32 GiB", "32 MiB", "16 KiB", "32800 MiB": the largest unit that divides the size, bytes at worst. */
    static String human(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) return bytes / GIB + " GiB";
        if (bytes != 0 && bytes % MIB == 0) return bytes / MIB + " MiB";
        if (bytes != 0 && bytes % KIB == 0) return bytes / KIB + " KiB";
        return bytes + " bytes";
    }
}
