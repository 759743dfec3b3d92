package passthrough.plugin.kernelcmdline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import passthrough.api.Finding;

class KernelCmdlineFileTest {

    @Test
    void theOneLineIsEditedAndEveryOtherByteKept() {
        String proxmox = "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n";
        KernelCmdlineFile f = KernelCmdlineFile.of(proxmox);
        assertEquals("root=ZFS=rpool/ROOT/pve-1 boot=zfs", f.commandLine());
        assertEquals("root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt\n", f.withCommandLine(f.commandLine() + " iommu=pt"));
        // no trailing newline: none is added
        assertEquals("quiet iommu=pt", KernelCmdlineFile.of("quiet").withCommandLine("quiet iommu=pt"));
        // CR LF: the CR stays the line end's, never part of the edited line
        KernelCmdlineFile crlf = KernelCmdlineFile.of("quiet\r\n");
        assertEquals("quiet", crlf.commandLine());
        assertEquals("quiet iommu=pt\r\n", crlf.withCommandLine("quiet iommu=pt"));
        // blank lines around the line stay
        KernelCmdlineFile padded = KernelCmdlineFile.of("\n  \nquiet splash\n\n");
        assertEquals(3, padded.lineNumber());
        assertEquals("\n  \nquiet iommu=pt\n\n", padded.withCommandLine("quiet iommu=pt"));
        assertEquals(padded.text(), padded.withCommandLine(padded.commandLine()));
    }

    @Test
    void anEmptyFileGetsTheLineWithoutANewline() {
        assertEquals("", KernelCmdlineFile.of("").commandLine());
        assertEquals("iommu=pt", KernelCmdlineFile.of("").withCommandLine("iommu=pt"));
        assertEquals("iommu=pt\n", KernelCmdlineFile.of("\n").withCommandLine("iommu=pt"));
    }

    @Test
    void aSecondNonEmptyLineIsRefusedNamingFileAndLine() {
        Finding f = KernelCmdlineFile.of("quiet\n\n# iommu=pt\n").problem().orElseThrow();
        assertEquals("KERNEL_CMDLINE_SEVERAL_LINES", f.code());
        assertTrue(f.message().startsWith("etc/kernel/cmdline line 3: a second non-empty line (the first is line 1)"), f.message());
        assertTrue(f.fix().contains("join the lines"), f.fix());
        assertTrue(KernelCmdlineFile.of("quiet\n   \n\t\n").problem().isEmpty());
    }

    @Test
    void aNulIsRefusedNamingFileAndLine() {
        Finding f = KernelCmdlineFile.of("quiet\nro\0 splash").problem().orElseThrow();
        assertEquals("KERNEL_CMDLINE_NUL", f.code());
        assertTrue(f.message().startsWith("etc/kernel/cmdline line 2: holds a NUL byte"), f.message());
    }
}
