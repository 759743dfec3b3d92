package passthrough.core.host;

/**
 * An input device the kernel made for a USB interface ({@code .../1-4.1:1.0/0003:046D:C31C.0001/input/input3}).
 *
 * @param input its sysfs name, {@code input3}
 * @param name  what the device calls itself ({@code name}: "Logitech USB Keyboard"), null when unreadable
 * @param kind  keyboard, mouse or other, from its capabilities (else its interface's HID boot protocol)
 */
public record UsbInput(String input, String name, Kind kind) {
    /** What an input device is, as udev's input_id tells it. */
    public enum Kind {
        /** EV_KEY with the first 31 keys (Esc, the digits, Q to S): a full keyboard, not a power button. */
        KEYBOARD,
        /** EV_REL with REL_X, REL_Y and BTN_MOUSE. */
        MOUSE,
        /** anything else: consumer-control keys, a touchpad's extra node, a gamepad. */
        OTHER
    }
}
