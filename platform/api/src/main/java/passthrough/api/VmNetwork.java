package passthrough.api;

/**
 * The VM's network interface (virtio).
 *
 * @param kind   DEFAULT: libvirt's "default" NAT network (QEMU alone: user networking); BRIDGE: a host bridge;
 *               USER: QEMU's user-mode networking; NONE: no interface
 * @param bridge the bridge's name for BRIDGE, else null
 */
public record VmNetwork(Kind kind, String bridge) {

    public enum Kind { DEFAULT, BRIDGE, USER, NONE }

    public VmNetwork {
        if ((kind == Kind.BRIDGE) != (bridge != null)) throw new IllegalArgumentException("a bridge name goes with BRIDGE only");
    }

    public static VmNetwork of(Kind kind) {
        return new VmNetwork(kind, null);
    }
}
