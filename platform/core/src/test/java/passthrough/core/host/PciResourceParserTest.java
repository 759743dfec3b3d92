package passthrough.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import passthrough.api.PciBar;

class PciResourceParserTest {
    static final String PATH = "sys/bus/pci/devices/0000:65:00.0/resource";
    static final String ZERO = "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";

    /** A GTX 1660 as a 5.4 kernel with SR-IOV support prints it: 13 lines. */
    static final String GTX_1660 = "0x00000000de000000 0x00000000deffffff 0x0000000000040200\n"
            + "0x00000000c0000000 0x00000000cfffffff 0x000000000014220c\n"
            + ZERO
            + "0x00000000d0000000 0x00000000d1ffffff 0x000000000014220c\n"
            + ZERO
            + "0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
            + "0x00000000df000000 0x00000000df07ffff 0x000000000004e200\n"
            + ZERO.repeat(6);

    @Test
    void readsTheMemoryBarsOfACardAndLeavesIoAndRomOut() {
        List<PciBar> bars = PciResourceParser.parse(GTX_1660, Set.of(), PATH);
        assertEquals(List.of(new PciBar(0, 16L << 20, false, false, false),
                new PciBar(1, 256L << 20, true, true, false),
                new PciBar(3, 32L << 20, true, true, false)), bars);
    }

    @Test
    void marksResizableBars() {
        List<PciBar> bars = PciResourceParser.parse(GTX_1660, Set.of(1), PATH);
        assertTrue(bars.get(1).resizable());
        assertEquals(false, bars.get(0).resizable());
    }

    @Test
    void aBarOf32GiBAboveTheFourGigabyteLine() {
        String text = "0x00000000c6000000 0x00000000c6ffffff 0x0000000000040200\n"
                + "0x0000001800000000 0x0000001fffffffff 0x000000000014220c\n" + ZERO
                + "0x0000002000000000 0x0000002001ffffff 0x000000000014220c\n" + ZERO + ZERO + ZERO;
        List<PciBar> bars = PciResourceParser.parse(text, Set.of(), PATH);
        assertEquals(32L << 30, bars.get(1).size());
    }

    @Test
    void sevenLinesWithoutTrailingNewlineAndSeventeenForABridge() {
        assertEquals(List.of(), PciResourceParser.parse(ZERO.repeat(6) + ZERO.strip(), Set.of(), PATH));
        assertEquals(List.of(), PciResourceParser.parse(ZERO.repeat(17), Set.of(), PATH));
    }

    @Test
    void refusesMalformedFilesNamingFileAndLine() {
        MalformedHostFileException e = assertThrows(MalformedHostFileException.class,
                () -> PciResourceParser.parse(ZERO.repeat(6), Set.of(), PATH));
        assertTrue(e.getMessage().startsWith(PATH + ": has 6 lines"), e.getMessage());

        e = assertThrows(MalformedHostFileException.class, () -> PciResourceParser.parse(
                GTX_1660.replace("0x00000000c0000000 0x00000000cfffffff", "0x00000000c0000000  0x00000000cfffffff"), Set.of(), PATH));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith(PATH + ", line 2: expected \"start end flags\""), e.getMessage());

        e = assertThrows(MalformedHostFileException.class, () -> PciResourceParser.parse(
                GTX_1660.replace("0x00000000d1ffffff", "0x00000000d1fffffg"), Set.of(), PATH));
        assertEquals(4, e.line());
        assertTrue(e.getMessage().contains("field 2 '0x00000000d1fffffg'"), e.getMessage());

        e = assertThrows(MalformedHostFileException.class, () -> PciResourceParser.parse(
                GTX_1660.replace("0x00000000de000000 0x00000000deffffff", "0x00000000de000000 0x00000000ddffffff"), Set.of(), PATH));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("before it starts"), e.getMessage());

        e = assertThrows(MalformedHostFileException.class, () -> PciResourceParser.parse(GTX_1660, Set.of(2), PATH));
        assertTrue(e.getMessage().contains("resource2_resize exists but BAR 2 is not a memory BAR"), e.getMessage());

        e = assertThrows(MalformedHostFileException.class, () -> PciResourceParser.parse(
                "0x0000000000000000 0xffffffffffffffff 0x0000000000040200\n" + ZERO.repeat(6), Set.of(), PATH));
        assertTrue(e.getMessage().contains("whole 64-bit address space"), e.getMessage());

        for (String bad : List.of("0x0 0x0", "0x0 0x0 0x0 0x0", "0 0 0", "0x 0x0 0x0", "0x00000000000000000 0x0 0x0",
                "0X0 0x0 0x0", "0x0\t0x0 0x0", " 0x0 0x0 0x0", "0x0 0x0 0x0\r", "0x-1 0x0 0x0", "0x+1 0x0 0x0", "")) {
            String text = bad + "\n" + ZERO.repeat(7);
            MalformedHostFileException m = assertThrows(MalformedHostFileException.class,
                    () -> PciResourceParser.parse(text, Set.of(), PATH), bad);
            assertEquals(1, m.line(), bad);
        }
    }

    // ---- fuzz: random kernel-form files against the model they were made from, mutations against a reference ----

    /** One resource as the generator chose it: what the kernel would print, and the BAR we must read from it. */
    record Res(long start, long end, long flags, PciBar expected) {
    }

    @Test
    void fuzzKernelFormFilesReadBackToTheirModel() {
        Random r = new Random(0x5eed1660L);
        for (int round = 0; round < 3000; round++) {
            List<Res> res = new ArrayList<>();
            Set<Integer> resizable = new TreeSet<>();
            for (int i = 0; i < 6; i++) {
                int kind = r.nextInt(5);
                if (kind == 0) {
                    res.add(new Res(0, 0, 0, null));
                } else if (kind == 1) {
                    long base = (r.nextInt(0x1000) + 1) * 0x80L;
                    res.add(new Res(base, base + 0x7f, 0x40101, null));
                } else {
                    boolean mem64 = kind >= 3 && i < 5;
                    boolean pref = kind == 4;
                    int log2 = 4 + r.nextInt(mem64 ? 33 : 27); // 16 bytes .. 64 GiB (64-bit) or 1 GiB (32-bit)
                    long size = 1L << log2;
                    long base = size * (1 + r.nextInt(16)) + (mem64 ? 0x1000000000L : 0);
                    long flags = 0x40200 | (pref ? 0x2008 : 0) | (mem64 ? 0x100004 : 0);
                    boolean rebar = mem64 && r.nextInt(4) == 0;
                    if (rebar) resizable.add(i);
                    res.add(new Res(base, base + size - 1, flags, new PciBar(i, size, mem64, pref, rebar)));
                    if (mem64) {
                        res.add(new Res(0, 0, 0, null));
                        i++;
                    }
                }
            }
            while (res.size() > 6) res.remove(res.size() - 1); // a 64-bit BAR 5 cannot exist; generator may overrun
            resizable.removeIf(i -> res.get(i).expected() == null);
            List<PciBar> expected = new ArrayList<>();
            for (Res x : res) {
                if (x.expected() != null) expected.add(new PciBar(x.expected().index(), x.expected().size(),
                        x.expected().is64bit(), x.expected().prefetchable(), resizable.contains(x.expected().index())));
            }
            StringBuilder text = new StringBuilder();
            for (Res x : res) text.append(String.format("0x%016x 0x%016x 0x%016x\n", x.start(), x.end(), x.flags()));
            text.append(r.nextBoolean() ? "0x00000000df000000 0x00000000df07ffff 0x000000000004e200\n" : ZERO);
            int extra = r.nextInt(3) == 0 ? 0 : r.nextBoolean() ? 6 : 10;
            text.append(ZERO.repeat(extra));
            assertEquals(expected, PciResourceParser.parse(text.toString(), resizable, PATH), text.toString());
        }
    }

    static final Pattern LINE = Pattern.compile("0x([0-9a-fA-F]{1,16}) 0x([0-9a-fA-F]{1,16}) 0x([0-9a-fA-F]{1,16})");

    /** An independent reading of the format with a regular expression and BigInteger arithmetic; null when malformed. */
    static List<PciBar> reference(String text) {
        if (text.endsWith("\n")) text = text.substring(0, text.length() - 1);
        String[] lines = text.isEmpty() ? new String[0] : text.split("\n", -1);
        if (lines.length < 7) return null;
        List<PciBar> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = LINE.matcher(lines[i]);
            if (!m.matches()) return null;
            java.math.BigInteger start = new java.math.BigInteger(m.group(1), 16);
            java.math.BigInteger end = new java.math.BigInteger(m.group(2), 16);
            long flags = new java.math.BigInteger(m.group(3), 16).longValue();
            boolean unused = start.signum() == 0 && end.signum() == 0;
            if (!unused && end.compareTo(start) < 0) return null;
            if (i < 6 && !unused && (flags & 0x200) != 0) {
                java.math.BigInteger size = end.subtract(start).add(java.math.BigInteger.ONE);
                if (size.bitLength() > 64) return null;
                out.add(new PciBar(i, size.longValue(), (flags & 0x100000) != 0, (flags & 0x2000) != 0, false));
            }
        }
        return out;
    }

    @Test
    void fuzzMutatedFilesAreReadAsTheReferenceReadsThemOrRefusedWithFileAndLine() {
        Random r = new Random(0xbadc0ffeeL);
        String[] tokens = {" ", "\n", "0x", "0", "f", "g", "x", "\t", "\r", "-", "\u0663", "ffffffffffffffff", "0x0 0x0 0x0\n"};
        int refused = 0;
        for (int round = 0; round < 8000; round++) {
            StringBuilder s = new StringBuilder(GTX_1660);
            int edits = 1 + r.nextInt(3);
            for (int k = 0; k < edits; k++) {
                int at = r.nextInt(s.length() + 1);
                switch (r.nextInt(3)) {
                    case 0 -> s.insert(at, tokens[r.nextInt(tokens.length)]);
                    case 1 -> { if (at < s.length()) s.deleteCharAt(at); }
                    default -> { if (at < s.length()) s.setCharAt(at, "0123456789abcdefx \n".charAt(r.nextInt(19))); }
                }
            }
            String text = s.toString();
            List<PciBar> ref = reference(text);
            try {
                List<PciBar> got = PciResourceParser.parse(text, Set.of(), PATH);
                if (ref == null) fail("accepted what the reference refuses: " + text);
                assertEquals(ref, got, text);
            } catch (MalformedHostFileException e) {
                refused++;
                if (ref != null) fail("refused what the reference reads (" + e.getMessage() + "): " + text);
                assertTrue(e.getMessage().startsWith(PATH), e.getMessage());
            }
        }
        assertTrue(refused > 400 && refused < 7600, "the mutations should give both outcomes: " + refused + " refused");
    }
}
