package passthrough.core.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import passthrough.api.PciBar;

/**
 * Parses a PCI function's sysfs {@code resource} file into its memory BARs.
 *
 * <p>The kernel's {@code resource_show} (drivers/pci/pci-sysfs.c) prints one line per resource with
 * {@code "0x%016llx 0x%016llx 0x%016llx\n"}: start, end (inclusive) and the resource flags. Lines 0-5 are the BARs,
 * line 6 the expansion ROM, then (kernels with SR-IOV) the six VF BARs and, for bridges, the bridge windows: at least
 * seven lines, 13 or 17 on distribution kernels. An unused resource is all zeros; the upper half of a 64-bit BAR is an
 * unused line too. Only BARs 0-5 with {@link PciBar#IORESOURCE_MEM} become {@link PciBar}s: I/O BARs (IORESOURCE_IO,
 * 0x100) take no memory window, the ROM is not a BAR the firmware's 64-bit window holds, and the lines after it are
 * checked for form only.
 *
 * <p>Every line must have the kernel's form exactly (three {@code 0x}-prefixed hex numbers of 1-16 digits, separated
 * by one space, no other text), and a used line must end at or after its start: anything else is refused with the
 * file and the line, never skipped, since a silently missing BAR would size the guest's PCI window too small.
 */
public final class PciResourceParser {
    /** IORESOURCE_IO: an I/O port BAR. */
    public static final long IORESOURCE_IO = 0x100;
    /** BARs 0-5 and the ROM: the lines every kernel prints. */
    public static final int MIN_LINES = 7;
    private static final int BARS = 6;

    private PciResourceParser() {
    }

    /**
     * @param text            the file's text
     * @param resizableBars   BAR numbers that have a {@code resourceN_resize} file (the Resizable BAR capability)
     * @param pathForMessages the file as the user should see it, e.g. {@code sys/bus/pci/devices/0000:65:00.0/resource}
     * @return the memory BARs, by BAR number
     * @throws MalformedHostFileException when a line is not in the kernel's form, a used line ends before it starts,
     *                                    the file has fewer than seven lines, or a resizable BAR is not a memory BAR
     */
    public static List<PciBar> parse(String text, Set<Integer> resizableBars, String pathForMessages) {
        if (text == null) throw new MalformedHostFileException(pathForMessages, 0, "no text; re-read the file");
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String[] lines = body.isEmpty() ? new String[0] : body.split("\n", -1);
        if (lines.length < MIN_LINES) {
            throw new MalformedHostFileException(pathForMessages, 0, "has " + lines.length + " lines, the kernel writes at "
                    + "least " + MIN_LINES + " (BARs 0-5 and the ROM); is this a sysfs resource file? Copy it again from "
                    + "the host, or report the kernel version if it really looks like this");
        }
        List<PciBar> bars = new ArrayList<>();
        Set<Integer> memoryBars = new TreeSet<>();
        for (int i = 0; i < lines.length; i++) {
            long[] v = line(lines[i], i + 1, pathForMessages);
            long start = v[0];
            long end = v[1];
            long flags = v[2];
            boolean unused = start == 0 && end == 0;
            if (!unused && Long.compareUnsigned(end, start) < 0) {
                throw new MalformedHostFileException(pathForMessages, i + 1, "ends (0x" + Long.toHexString(end)
                        + ") before it starts (0x" + Long.toHexString(start) + "); the kernel never writes that: copy the "
                        + "file again from the host");
            }
            if (i >= BARS || unused || (flags & PciBar.IORESOURCE_MEM) == 0) continue;
            long size = end - start + 1;
            if (size == 0) {
                throw new MalformedHostFileException(pathForMessages, i + 1, "covers the whole 64-bit address space, "
                        + "which no BAR can; copy the file again from the host");
            }
            bars.add(new PciBar(i, size, (flags & PciBar.IORESOURCE_MEM_64) != 0,
                    (flags & PciBar.IORESOURCE_PREFETCH) != 0, resizableBars.contains(i)));
            memoryBars.add(i);
        }
        for (int r : new TreeSet<>(resizableBars)) {
            if (!memoryBars.contains(r)) {
                throw new MalformedHostFileException(pathForMessages, 0, "resource" + r + "_resize exists but BAR " + r
                        + " is not a memory BAR in this file; the two were not read from the same device or the same "
                        + "moment: read the device again");
            }
        }
        return List.copyOf(bars);
    }

    /** start, end, flags of one line, or the exception naming it. */
    private static long[] line(String line, int number, String path) {
        String[] fields = line.split(" ", -1);
        if (fields.length != 3) {
            throw new MalformedHostFileException(path, number, "expected \"start end flags\" (three 0x-prefixed hex "
                    + "numbers separated by one space), found " + quote(line));
        }
        long[] out = new long[3];
        for (int f = 0; f < 3; f++) {
            String s = fields[f];
            if (s.length() < 3 || s.length() > 18 || s.charAt(0) != '0' || s.charAt(1) != 'x' || !hexDigits(s, 2)) {
                throw new MalformedHostFileException(path, number, "field " + (f + 1) + " " + quote(s) + " is not a "
                        + "0x-prefixed hex number of 1-16 digits, as the kernel writes them; the line is " + quote(line));
            }
            out[f] = Long.parseUnsignedLong(s.substring(2), 16);
        }
        return out;
    }

    private static boolean hexDigits(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
        }
        return true;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && !Character.isLetterOrDigit(c))) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('\'').toString();
    }
}
