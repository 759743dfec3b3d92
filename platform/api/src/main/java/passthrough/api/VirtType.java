package passthrough.api;

/** How the guest's CPU runs: KVM (hardware virtualization) or QEMU's TCG emulation (no KVM; slow, for tests). */
public enum VirtType {
    KVM, QEMU;

    /** "kvm" or "qemu", as libvirt's domain type and the CLI spell it. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
