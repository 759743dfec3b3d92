package passthrough.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The parsers of meminfo and resource files have their own tests (MemInfoParserTest, PciResourceParserTest). */
class MachineResourcesReaderTest {
    @Test
    void processorsAreCountedFromCpuinfo() {
        assertEquals(2, MachineResourcesReader.processors("processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\n"));
        assertEquals(0, MachineResourcesReader.processors("model name\t: x\n"));
    }
}
