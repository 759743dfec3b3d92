package passthrough.plugin.spicemouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import passthrough.api.Firmware;
import passthrough.api.HostFacts;
import passthrough.api.QuirkResult;
import passthrough.api.VirtType;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

class SpiceMouseQuirkTest {
    static VmSpec vm(VmSpec.Graphics graphics) {
        return new VmSpec("seed1", 8192, 4, VirtType.KVM, new Firmware("/usr/share/OVMF/OVMF_CODE.fd",
                "/usr/share/OVMF/OVMF_VARS.fd", "raw", false, null), List.of(), null, VmNetwork.of(VmNetwork.Kind.DEFAULT),
                graphics, List.of(), null, null);
    }

    @Test
    void spiceGetsTheServerMouse() {
        QuirkResult r = new SpiceMouseQuirk().features(HostFacts.builder().build(), vm(VmSpec.Graphics.SPICE));
        assertEquals(List.of(new VmFeature.SpiceServerMouse()), r.features());
        assertTrue(r.why().contains("server mouse"), r.why());
    }

    @Test
    void noSpiceNoQuirk() {
        assertFalse(new SpiceMouseQuirk().features(HostFacts.builder().build(), vm(VmSpec.Graphics.NONE)).applies());
    }
}
