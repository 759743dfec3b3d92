package passthrough.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.PciBar;

class MachineResourcesReaderTest {
    /** A GTX 1660's resource file as the kernel prints it: BAR0 32-bit, BAR1/3 64-bit prefetchable, BAR5 I/O, ROM. */
    static final String GTX1660 = """
            0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200
            0x00000000e0000000 0x00000000efffffff 0x000000000014220c
            0x0000000000000000 0x0000000000000000 0x0000000000000000
            0x00000000f0000000 0x00000000f1ffffff 0x000000000014220c
            0x0000000000000000 0x0000000000000000 0x0000000000000000
            0x000000000000e000 0x000000000000e07f 0x0000000000040101
            0x00000000f7000000 0x00000000f707ffff 0x0000000000046200
            0x0000000000000000 0x0000000000000000 0x0000000000000000
            """;

    @Test
    void memoryBarsWithTheirSizesAndFlagsNeitherIoNorRom() {
        List<String> problems = new ArrayList<>();
        List<PciBar> bars = MachineResourcesReader.bars(GTX1660, Set.of(1), "r", problems);
        assertEquals(List.of(new PciBar(0, 16L << 20, false, false, false), new PciBar(1, 256L << 20, true, true, true),
                new PciBar(3, 32L << 20, true, true, false)), bars);
        assertTrue(problems.isEmpty(), problems.toString());
    }

    @Test
    void malformedLinesAreNamedNotGuessed() {
        List<String> problems = new ArrayList<>();
        List<PciBar> bars = MachineResourcesReader.bars("0x1 0x2\nzz 0x0 0x200\n0x00000000f6000000 0x00000000f6ffffff 0x200\n",
                Set.of(), "sys/x/resource", problems);
        assertEquals(1, bars.size());
        assertEquals(List.of("sys/x/resource line 1: not 'start end flags'", "sys/x/resource line 2: not hexadecimal"), problems);
    }

    @Test
    void memTotalAndProcessors() {
        List<String> problems = new ArrayList<>();
        assertEquals(64302, MachineResourcesReader.memTotalMiB("MemTotal:       65845960 kB\nMemFree: 1 kB\n", problems));
        assertEquals(0, MachineResourcesReader.memTotalMiB("MemFree: 1 kB\n", problems));
        assertEquals(2, MachineResourcesReader.processors("processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\n"));
    }
}
