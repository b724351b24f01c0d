package io.pigeon.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA, a server certificate for {@code localhost} only (so connecting to 127.0.0.1 must fail
 * hostname verification), and a client certificate whose key is PKCS#1, made with the openssl command.
 */
public record TestCertificates(Path dir, Path caFile, Path serverCertFile, Path serverKeyFile,
                               Path clientCertFile, Path clientKeyFile, Path otherCaFile) {

    public static TestCertificates create() {
        try {
            Path d = Files.createTempDirectory("pigeon-tls");
            Path ext = d.resolve("san.ext");
            Files.writeString(ext, "subjectAltName=DNS:localhost\n");
            openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=Pigeon Test CA");
            openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out",
                "other-ca.pem", "-days", "2", "-subj", "/CN=Some Other CA");
            openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=localhost");
            openssl(d, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
            openssl(d, "genrsa", "-traditional", "-out", "client.key", "2048");
            openssl(d, "req", "-new", "-key", "client.key", "-out", "client.csr", "-subj", "/CN=pigeon-client");
            openssl(d, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "client.pem", "-days", "2");
            return new TestCertificates(d, d.resolve("ca.pem"), d.resolve("server.pem"), d.resolve("server.key"),
                d.resolve("client.pem"), d.resolve("client.key"), d.resolve("other-ca.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
