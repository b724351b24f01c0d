package io.pigeon.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds a JSSE context from PEM files, as brokers and their users hand them out. */
final class Tls {
    private Tls() {
    }

    static SSLContext context(Path caFile, Path certFile, Path keyFile) throws IOException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caFile != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                List<Certificate> cas = certificates(caFile);
                for (int i = 0; i < cas.size(); i++) {
                    trust.setCertificateEntry("ca" + i, cas.get(i));
                }
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null);
            }
            KeyManagerFactory kmf = null;
            if (certFile != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                char[] none = new char[0];
                keys.setKeyEntry("client", privateKey(keyFile), none,
                    certificates(certFile).toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, none);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS setup failed: " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new IOException("no certificate in " + file);
            }
            return certs;
        }
    }

    /** PKCS#8 ("PRIVATE KEY") for RSA or EC, or PKCS#1 ("RSA PRIVATE KEY"), unencrypted. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        byte[] der;
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            der = pemBody(pem, "PRIVATE KEY");
        } else if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            der = pkcs1ToPkcs8(pemBody(pem, "RSA PRIVATE KEY"));
        } else {
            // Never echo the file: it holds key material.
            throw new IOException("key file " + file + " is not an unencrypted PEM private key (PKCS#8 or PKCS#1 RSA);"
                + " convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException("key file " + file + " holds a private key of an unsupported algorithm");
    }

    private static byte[] pemBody(String pem, String label) throws IOException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end, b);
        if (b < 0 || e < 0) {
            throw new IOException("PEM block '" + label + "' is not closed");
        }
        return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    }

    /** Wraps an RSAPrivateKey (PKCS#1) in a PrivateKeyInfo (PKCS#8) so the JDK can read it. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] rsaAlgorithm = {0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D,
            0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = derElement(0x04, pkcs1);
        byte[] body = new byte[version.length + rsaAlgorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(rsaAlgorithm, 0, body, version.length, rsaAlgorithm.length);
        System.arraycopy(octets, 0, body, version.length + rsaAlgorithm.length, octets.length);
        return derElement(0x30, body);
    }

    private static byte[] derElement(int tag, byte[] content) {
        int len = content.length;
        byte[] lenBytes;
        if (len < 128) {
            lenBytes = new byte[] {(byte) len};
        } else if (len < 256) {
            lenBytes = new byte[] {(byte) 0x81, (byte) len};
        } else if (len < 65_536) {
            lenBytes = new byte[] {(byte) 0x82, (byte) (len >>> 8), (byte) len};
        } else {
            lenBytes = new byte[] {(byte) 0x83, (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        }
        byte[] out = new byte[1 + lenBytes.length + len];
        out[0] = (byte) tag;
        System.arraycopy(lenBytes, 0, out, 1, lenBytes.length);
        System.arraycopy(content, 0, out, 1 + lenBytes.length, len);
        return out;
    }

}
