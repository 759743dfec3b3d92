package passthrough.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PciAddressTest {

    @Test
    void parsesShortAndFullForms() {
        assertEquals(new PciAddress(0, 0x65, 0, 0), PciAddress.parse("65:00.0"));
        assertEquals(new PciAddress(0, 0x65, 0, 3), PciAddress.parse("0000:65:00.3"));
        assertEquals(new PciAddress(0x10, 0xaf, 0x1f, 7), PciAddress.parse("0010:AF:1f.7"));
    }

    @Test
    void printsSysfsAndLspciForms() {
        PciAddress a = PciAddress.parse("65:00.1");
        assertEquals("0000:65:00.1", a.toString());
        assertEquals("65:00.1", a.toShortString());
        assertEquals("0001:02:03.4", PciAddress.parse("0001:02:03.4").toShortString());
    }

    @Test
    void readsAndPrintsTheKernelsLongDomainsAsBehindIntelVmd() {
        // the kernel prints %04x:%02x:%02x.%d: at least four domain digits; VMD's domains start at 10000
        PciAddress nvme = PciAddress.parse("10000:e1:00.0");
        assertEquals(new PciAddress(0x10000, 0xe1, 0, 0), nvme);
        assertEquals("10000:e1:00.0", nvme.toString());
        assertEquals("10000:e1:00.0", nvme.toShortString(), "the short form is for domain 0 only");
        assertTrue(PciAddress.isValid("10000:e0:1d.0"));
        assertEquals(new PciAddress(0x1234567, 1, 2, 3), PciAddress.parse("1234567:01:02.3"));
        // the domain is the kernel's unsigned int: eight digits, all of it
        PciAddress top = PciAddress.parse("ffffffff:ff:1f.7");
        assertEquals(0xffffffff, top.domain());
        assertEquals("ffffffff:ff:1f.7", top.toString());
        assertEquals(top, PciAddress.parse(top.toString()));
        assertEquals("0001:02:03.4", new PciAddress(1, 2, 3, 4).toString(), "four digits stay four");
    }

    @Test
    void ordersLongDomainsAfterShortOnesAsUnsignedValues() {
        assertTrue(PciAddress.parse("ffff:ff:1f.7").compareTo(PciAddress.parse("10000:00:00.0")) < 0);
        assertTrue(PciAddress.parse("10000:e1:00.0").compareTo(PciAddress.parse("0000:00:0e.0")) > 0);
        assertTrue(PciAddress.parse("7fffffff:00:00.0").compareTo(PciAddress.parse("80000000:00:00.0")) < 0);
        assertTrue(PciAddress.parse("ffffffff:00:00.0").compareTo(PciAddress.parse("10000:00:00.0")) > 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "65:00", "65:00.8", "6:00.0", "065:00.0", "65:20.0", "00000:65:00.0", "65:00.0;rm -rf /",
        "000:65:00.0", "010000:e1:00.0", "100000000:00:00.0", "fffffffff:00:00.0", "10000:e1:00.0;reboot",
        "10000:e1:00.0 `id`", "$(id):00:00.0", "10000:e1:0.0", "1000g:e1:00.0", "-10000:e1:00.0", "+1000:e1:00.0",
        "../65:00.0", "g5:00.0", " 65:00.0 x", "65-00.0"})
    void rejectsEverythingElseWithAClearMessage(String bad) {
        InvalidPciAddressException e = assertThrows(InvalidPciAddressException.class, () -> PciAddress.parse(bad));
        assertTrue(e.getMessage().contains("'" + bad + "' is not a PCI address"), e.getMessage());
        assertTrue(e.getMessage().contains("0000:65:00.0"), "the message shows the accepted form");
        assertFalse(PciAddress.isValid(bad));
    }

    @Test
    void nullIsRejected() {
        assertThrows(InvalidPciAddressException.class, () -> PciAddress.parse(null));
    }

    @Test
    void ordersByDomainBusDeviceFunction() {
        assertTrue(PciAddress.parse("17:00.1").compareTo(PciAddress.parse("65:00.0")) < 0);
        assertTrue(PciAddress.parse("65:00.0").compareTo(PciAddress.parse("65:00.3")) < 0);
        assertTrue(PciAddress.parse("0001:00:00.0").compareTo(PciAddress.parse("ff:1f.7")) > 0);
    }

    @Test
    void sameSlotGroupsFunctionsOfOneCard() {
        assertTrue(PciAddress.parse("65:00.0").sameSlot(PciAddress.parse("65:00.3")));
        assertFalse(PciAddress.parse("65:00.0").sameSlot(PciAddress.parse("65:01.0")));
    }
}
