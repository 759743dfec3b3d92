package passthrough.core.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys as the PEM files openssl reads and writes: the private key as PKCS#8 "PRIVATE KEY"
 * ({@code openssl genpkey -algorithm ed25519}), the public key as X.509 SubjectPublicKeyInfo "PUBLIC KEY"
 * ({@code openssl pkey -pubout}). Only the JDK's own Ed25519 is used, no other crypto library.
 */
public final class SigningKeys {
    static final String ALGORITHM = "Ed25519";
    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";

    private SigningKeys() {
    }

    /** A new key pair from the JDK's strong random source. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no " + ALGORITHM + " (every JDK 15 or later has)", e);
        }
    }

    /**
     * Writes {@code prefix.key} (mode 0600 from its creation, so the key is never readable by others even for a
     * moment) and {@code prefix.pub}; refuses to overwrite either.
     *
     * @return the two files written, private key first
     */
    public static Path[] writeKeyPair(KeyPair pair, Path prefix) throws IOException, BundleRefusedException {
        Path key = Path.of(prefix + ".key");
        Path pub = Path.of(prefix + ".pub");
        for (Path p : new Path[] {key, pub}) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw BundleRefusedException.about(p.toString(), "already exists and a key is never overwritten",
                        "choose another --out prefix or move the old key away first");
            }
        }
        try {
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw BundleRefusedException.about(key.toString(), "appeared while the key was being made",
                    "choose another --out prefix");
        } catch (UnsupportedOperationException e) {
            throw new IOException(key + ": this file system has no POSIX permissions, so the key cannot be kept private; "
                    + "write it to a Linux file system", e);
        }
        Files.writeString(key, pem(PRIVATE_LABEL, pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
        Files.writeString(pub, publicKeyPem(pair.getPublic()), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
        return new Path[] {key, pub};
    }

    /** The public key as the PEM text of a {@code .pub} file. */
    public static String publicKeyPem(PublicKey key) {
        return pem(PUBLIC_LABEL, key.getEncoded());
    }

    /** Reads a PEM "PRIVATE KEY" file holding an Ed25519 key. */
    public static PrivateKey readPrivateKey(Path file) throws IOException, BundleRefusedException {
        byte[] der = derOf(file, Files.readString(file, StandardCharsets.US_ASCII), PRIVATE_LABEL,
                "give the .key file made by `passthrough profiles keygen` or `openssl genpkey -algorithm ed25519`");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw BundleRefusedException.about(file.toString(), "is not an Ed25519 private key (" + e.getMessage() + ")",
                    "make one with `passthrough profiles keygen` or `openssl genpkey -algorithm ed25519`");
        }
    }

    /** Reads a PEM "PUBLIC KEY" text holding an Ed25519 key; {@code source} names it in messages. */
    public static PublicKey parsePublicKey(String source, String text) throws BundleRefusedException {
        byte[] der = derOf(Path.of(source), text, PUBLIC_LABEL,
                "give the .pub file made by `passthrough profiles keygen` or `openssl pkey -in KEY -pubout`");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw BundleRefusedException.about(source, "is not an Ed25519 public key (" + e.getMessage() + ")",
                    "make one with `openssl pkey -in KEY -pubout` or `passthrough profiles keygen`");
        }
    }

    /** "SHA256:" and the base64 SHA-256 of the key's SubjectPublicKeyInfo, as ssh-keygen -l shows keys: short and stable. */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** The DER bytes between "-----BEGIN label-----" and "-----END label-----". */
    private static byte[] derOf(Path file, String text, String label, String wayOut) throws BundleRefusedException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            String found = text.contains("ENCRYPTED PRIVATE KEY") ? "holds an encrypted key (passthrough reads unencrypted keys only)"
                    : text.contains("OPENSSH PRIVATE KEY") ? "holds an OpenSSH key, not a PEM \"" + label + "\""
                    : "holds no PEM \"" + label + "\" block";
            throw BundleRefusedException.about(file.toString(), found, wayOut);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw BundleRefusedException.about(file.toString(), "its PEM block is not valid base64", wayOut);
        }
    }
}
