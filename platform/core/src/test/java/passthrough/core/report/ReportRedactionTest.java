package passthrough.core.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReportRedactionTest {
    @Test
    void aDomainsGraphicsPasswordsNeverReachAReport() {
        String xml = "<domain><name>win10</name><graphics type='spice' passwd='s3cret' autoport='yes'/>"
                + "<graphics type=\"vnc\" passwd = \"an'other\"/></domain>\n";
        assertEquals("<domain><name>win10</name><graphics type='spice' passwd='redacted-by-passthrough-report' autoport='yes'/>"
                + "<graphics type=\"vnc\" passwd = \"redacted-by-passthrough-report\"/></domain>\n",
                new String(ReportRedaction.redact("etc/libvirt/qemu/win10.xml", xml.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
    }

    @Test
    void otherFilesAreKeptByteForByte() {
        byte[] grub = "GRUB_PASSWORD passwd='x'\n\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        assertArrayEquals(grub, ReportRedaction.redact("etc/default/grub", grub));
        byte[] plain = "<domain/>\n".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(plain, ReportRedaction.redact("etc/libvirt/qemu/a.xml", plain));
    }
}
