package passthrough.core.host;

import java.util.List;

/**
 * One USB device below a controller's root hubs, as sysfs shows it ({@code .../0000:00:14.0/usb1/1-4/1-4.1}).
 *
 * @param port          its bus-port name, {@code 1-4.1} (bus 1, port 4 of the root hub, port 1 of the hub there)
 * @param vendor        {@code idVendor}, four hex digits, null when unreadable
 * @param product       {@code idProduct}, four hex digits, null when unreadable
 * @param manufacturer  {@code manufacturer} string, null when the device has none
 * @param productName   {@code product} string, null when the device has none
 * @param hub           a hub ({@code bDeviceClass} 09): the devices behind it are listed after it
 * @param bootKeyboard  one of its interfaces is a HID boot keyboard (class 03, subclass 01, protocol 01)
 * @param bootMouse     one of its interfaces is a HID boot mouse (class 03, subclass 01, protocol 02)
 * @param inputs        the input devices the kernel made for it
 * @param disks         the disks behind its mass-storage interfaces
 */
public record UsbDevice(String port, String vendor, String product, String manufacturer, String productName,
                        boolean hub, boolean bootKeyboard, boolean bootMouse, List<UsbInput> inputs,
                        List<UsbDisk> disks) {
    public UsbDevice {
        inputs = List.copyOf(inputs);
        disks = List.copyOf(disks);
    }

    /** A keyboard: an input with a keyboard's keys, or (no input read) a HID boot-keyboard interface. */
    public boolean keyboard() {
        return inputs.stream().anyMatch(i -> i.kind() == UsbInput.Kind.KEYBOARD)
                || (bootKeyboard && inputs.isEmpty());
    }

    /** A mouse: an input with relative X/Y and the left button, or (no input read) a HID boot-mouse interface. */
    public boolean mouse() {
        return inputs.stream().anyMatch(i -> i.kind() == UsbInput.Kind.MOUSE)
                || (bootMouse && inputs.isEmpty());
    }

    /** "Logitech USB Keyboard [046d:c31c]", as lsusb would name it. */
    public String displayName() {
        String text = ((manufacturer == null ? "" : manufacturer + " ") + (productName == null ? "" : productName)).strip();
        String ids = "[" + (vendor == null ? "?" : vendor) + ":" + (product == null ? "?" : product) + "]";
        return text.isEmpty() ? ids : text + " " + ids;
    }
}
