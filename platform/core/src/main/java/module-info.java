/** Reads hosts into facts, judges readiness, captures reports, loads plugins. Prints nothing. */
module passthrough.core {
    requires transitive passthrough.api;
    requires org.slf4j;
    exports passthrough.core.host;
    exports passthrough.core.check;
    exports passthrough.core.plugins;
    exports passthrough.core.report;
    uses passthrough.api.HardwareProbe;
    uses passthrough.api.BindingStrategy;
    uses passthrough.api.BootloaderWriter;
    uses passthrough.api.Hypervisor;
    uses passthrough.api.GuestQuirk;
}
