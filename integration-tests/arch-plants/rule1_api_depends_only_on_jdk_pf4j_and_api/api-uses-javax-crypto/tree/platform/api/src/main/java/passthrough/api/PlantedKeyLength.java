package passthrough.api;

/** PLANT (rule 1): a JDK package outside java.. (javax.crypto is in java.base, so it compiles in the api module). */
public final class PlantedKeyLength {
    private PlantedKeyLength() {}

    public static int aes() throws java.security.NoSuchAlgorithmException {
        return javax.crypto.Cipher.getMaxAllowedKeyLength("AES");
    }
}
