package passthrough.plugin.spicemouse;

import org.pf4j.Extension;
import passthrough.api.GuestQuirk;
import passthrough.api.HostFacts;
import passthrough.api.QuirkResult;
import passthrough.api.VmFeature;
import passthrough.api.VmSpec;

/**
 * SPICE's server mouse mode. In the default client mode the viewer sends absolute pointer positions that only a
 * SPICE agent in the guest (or the emulated display's tablet) maps to the screen; with a passed-through GPU as the
 * guest's display the pointer is stuck or offset (seed 1 fixes it by hand with {@code <mouse mode='server'/>}). In
 * server mode the guest gets relative motion, which every guest understands. Applies when the VM has SPICE graphics.
 */
@Extension
public class SpiceMouseQuirk implements GuestQuirk {

    @Override
    public String id() {
        return "spice-mouse";
    }

    @Override
    public String description() {
        return "SPICE graphics in the VM: the server mouse mode (the client mode leaves the pointer stuck or offset "
                + "next to a passed-through GPU)";
    }

    @Override
    public QuirkResult features(HostFacts facts, VmSpec vm) {
        if (vm.graphics() != VmSpec.Graphics.SPICE) return QuirkResult.none();
        return QuirkResult.of("the VM has a SPICE viewer window next to the passed-through GPU: SPICE's server mouse "
                + "mode, because in the default client mode the pointer is stuck or offset in the guest (the broken "
                + "mouse of a virt-manager VM with a passed-through card)", new VmFeature.SpiceServerMouse());
    }
}
