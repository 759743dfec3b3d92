package passthrough.api;

/**
 * One memory BAR of a PCI function, from its sysfs {@code resource} file (one "start end flags" line per BAR).
 *
 * @param index       BAR number 0-5 (6 is the expansion ROM, not listed)
 * @param size        bytes (end - start + 1)
 * @param is64bit     a 64-bit BAR (IORESOURCE_MEM_64): it can be placed above 4 GiB
 * @param prefetchable IORESOURCE_PREFETCH
 * @param resizable   the function has the Resizable BAR capability for this BAR ({@code resourceN_resize} exists)
 */
public record PciBar(int index, long size, boolean is64bit, boolean prefetchable, boolean resizable) {

    public static final long IORESOURCE_MEM = 0x200;
    public static final long IORESOURCE_PREFETCH = 0x2000;
    public static final long IORESOURCE_MEM_64 = 0x100000;
}
