package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration file that is not UTF-8 comes back from apply with every byte the edit did not touch, and rollback
 * gives back the original bytes. (It used to come back with a Latin-1 'é' turned into EF BF BD.)
 */
class BytesEndToEndTest {
    static final byte E_ACUTE_LATIN1 = (byte) 0xe9;

    static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    void aLatin1CommentSurvivesApplyAndRollbackByteForByte(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        Path grub = root.resolve("etc/default/grub");
        String original = Files.readString(grub, StandardCharsets.US_ASCII);
        String edited = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash intel_iommu=on\"";
        int at = original.indexOf(edited);
        assertTrue(at > 0);
        // "# Réglages de Pierre" in Latin-1 above the line the plan edits, and a CR-less Latin-1 byte at the very end
        byte[] before = concat(bytes(original.substring(0, at)), bytes("# R"), new byte[] {E_ACUTE_LATIN1},
                bytes("glages de Pierre\n"), bytes(original.substring(at)), bytes("# fin: "), new byte[] {E_ACUTE_LATIN1, '\n'});
        Files.write(grub, before);

        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--json").exits(0).json();
        JsonNode file = plan.get("files").get(0);
        assertEquals("ISO-8859-1", file.get("charset").asText());
        assertTrue(file.get("before").asText().contains("# Réglages de Pierre"), "the diff shows the é as é");

        Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0);
        String newLine = "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash intel_iommu=on iommu=pt "
                + "pci-stub.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed\"";
        byte[] expected = concat(bytes(original.substring(0, at)), bytes("# R"), new byte[] {E_ACUTE_LATIN1},
                bytes("glages de Pierre\n"), bytes(original.substring(at).replace(edited, newLine)), bytes("# fin: "),
                new byte[] {E_ACUTE_LATIN1, '\n'});
        byte[] after = Files.readAllBytes(grub);
        assertEquals(new String(expected, StandardCharsets.ISO_8859_1), new String(after, StandardCharsets.ISO_8859_1));
        assertArrayEquals(expected, after, "every byte but the edited line's is the file's own");

        Cli.run("--root", root.toString(), "rollback", "--no-commands").exits(0);
        assertArrayEquals(before, Files.readAllBytes(grub));
    }

    @Test
    void aUtf8FileStaysUtf8(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        Path grub = root.resolve("etc/default/grub");
        Files.writeString(grub, "# Réglages — ✓\n" + Files.readString(grub), StandardCharsets.UTF_8);
        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--json").exits(0).json();
        assertEquals("UTF-8", plan.get("files").get(0).get("charset").asText());
        Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0);
        assertTrue(Files.readString(grub, StandardCharsets.UTF_8).startsWith("# Réglages — ✓\n"));
    }

    @Test
    void thePlanDigestsTheBytesThePluginsSaw(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        Path grub = root.resolve("etc/default/grub");
        Files.write(grub, concat(Files.readAllBytes(grub), new byte[] {'#', E_ACUTE_LATIN1, '\n'}));
        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--json").exits(0).json();
        String digest = plan.get("files").get(0).get("beforeDigest").asText();
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        assertEquals(java.util.HexFormat.of().formatHex(sha.digest(Files.readAllBytes(grub))), digest);
    }
}
