package passthrough.core.plan;

/** A device the plan reserves, as it is now: verify compares the next boot against it. */
public record ReservedDevice(String address, String id, String classCode, String name, String driverNow) {
}
