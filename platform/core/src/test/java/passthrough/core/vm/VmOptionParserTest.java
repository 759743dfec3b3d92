package passthrough.core.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import passthrough.api.VmNetwork;

class VmOptionParserTest {
    @Test
    void sizes() throws Exception {
        assertEquals(8192, VmOptionParser.memoryMiB("8G"));
        assertEquals(8192, VmOptionParser.memoryMiB("8GiB"));
        assertEquals(8192, VmOptionParser.memoryMiB("8192"));
        assertEquals(1536, VmOptionParser.memoryMiB("1.5g"));
        assertEquals(64L << 30, VmOptionParser.bytes("size=", "64", 'G'));
        for (String bad : new String[] {"", "G", "8X", "-1G", "0", "8 GB extra", "99999999999T"}) {
            VmOptionParser.BadOptionException e = assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.memoryMiB(bad), bad);
            assertEquals("INVALID_SIZE", e.code());
            assertTrue(e.getMessage().startsWith("--memory '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void disksNetworksAndBoot() throws Exception {
        VmRequest.DiskRequest d = VmOptionParser.disk("/var/lib/libvirt/images/a.img,size=20G,format=qcow2");
        assertEquals("/var/lib/libvirt/images/a.img", d.path());
        assertEquals(20L << 30, d.sizeBytes());
        assertEquals("qcow2", d.format());
        assertNull(VmOptionParser.disk("/a.qcow2").sizeBytes());
        assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.disk("a.qcow2"));
        assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.disk("/a.qcow2,bus=sata"));
        assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.disk("/a.qcow2,size=big"));
        assertEquals(new VmNetwork(VmNetwork.Kind.BRIDGE, "br0"), VmOptionParser.network("bridge=br0"));
        assertEquals(VmNetwork.Kind.USER, VmOptionParser.network("user").kind());
        assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.network("bridge=br0;rm -rf"));
        assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.network("nat"));
        var b = VmOptionParser.boot("kernel=/boot/vmlinuz,initrd=/boot/initrd.img,cmdline=console=ttyS0,115200 quiet");
        assertEquals("/boot/vmlinuz", b.kernel());
        assertEquals("/boot/initrd.img", b.initrd());
        assertEquals("console=ttyS0,115200 quiet", b.cmdline(), "cmdline takes the rest, commas included");
        assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.boot("initrd=/i"));
        assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.boot("kernel=vmlinuz"));
        assertThrows(VmOptionParser.BadOptionException.class, () -> VmOptionParser.boot("kernel=/k,append=x"));
    }
}
