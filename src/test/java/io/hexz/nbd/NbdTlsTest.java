package io.hexz.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hexz.Hexz;
import io.hexz.codec.CodecType;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.testing.Seeds;
import io.hexz.testing.Snaps;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the NBD server (FORCEDTLS) against a client written here byte by byte: options before
 * STARTTLS are refused with NBD_REP_ERR_TLS_REQD, STARTTLS upgrades the same socket, the client
 * checks the server's certificate (and its host name), a second STARTTLS is invalid, and clients
 * that break TLS (garbage after STARTTLS, a stalled handshake) lose only their own connection.
 * Credentials are made with the JDK's keytool; bad credential files are refused with their name.
 */
class NbdTlsTest {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final long SEED = Seeds.random(NbdTlsTest.class);
  private static final int BLOCK = 64 * 1024;

  /** Credentials made once for the class (keytool takes about a second). */
  @TempDir
  static Path pki;
  private static X509Certificate serverCert;
  private static Path certPem;
  private static Path keyPem;

  @TempDir
  Path dir;
  private Snapshot snap;
  private NbdServer server;
  private int port;
  private byte[] disk;

  @BeforeAll
  static void credentials() throws Exception {
    certPem = pki.resolve("server-cert.pem");
    keyPem = pki.resolve("server-key.pem");
    serverCert = makeCredentials(pki, "server", "EC", certPem, keyPem, 1);
  }

  @BeforeEach
  void start() throws Exception {
    disk = new byte[8 * BLOCK];
    new Random(SEED).nextBytes(disk);
    Path file = dir.resolve("d.hxz");
    Snaps.write(file, Snaps.options(BLOCK, CodecType.LZ4, 1, true).build(), disk);
    snap = Hexz.open(file, ReadOptions.DEFAULTS);
    NbdOptions options = NbdOptions.builder().maxConnections(8).handshakeTimeout(Duration.ofSeconds(2))
        .tls(NbdTls.fromPem(certPem, keyPem)).build();
    server = NbdServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        List.of(new NbdExport("", "test", snap.disk())), options);
    port = ((InetSocketAddress) server.address()).getPort();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    snap.close();
  }

  /**
   * keytool (in every JDK) makes a self-signed certificate for "localhost" valid from
   * {@code startDays} ago for 2 days; it is written as PEM, its key as PEM PKCS#8.
   */
  private static X509Certificate makeCredentials(Path dir, String name, String alg, Path cert, Path key,
      int startDays) throws Exception {
    Path ks = dir.resolve(name + ".p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", name, "-keyalg", alg, "-keysize", alg.equals("EC") ? "256" : "2048",
        "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-startdate", "-" + startDays + "d",
        "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    X509Certificate c = (X509Certificate) store.getCertificate(name);
    Files.writeString(cert, pem("CERTIFICATE", c.getEncoded()));
    PrivateKey k = (PrivateKey) store.getKey(name, "changeit".toCharArray());
    Files.writeString(key, pem("PRIVATE KEY", k.getEncoded()));
    return c;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** A client over TCP: plain until {@link #startTls}, then through TLS on the same socket. */
  private final class Client implements AutoCloseable {
    final Socket socket;
    Socket current;
    DataInputStream in;
    DataOutputStream out;

    Client() throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setSoTimeout((int) BOUND.toMillis());
      streams(socket);
      assertEquals(Nbd.NBDMAGIC, in.readLong());
      assertEquals(Nbd.IHAVEOPT, in.readLong());
      assertEquals(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES, in.readShort());
      out.writeInt(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
    }

    private void streams(Socket s) throws IOException {
      current = s;
      in = new DataInputStream(s.getInputStream());
      out = new DataOutputStream(s.getOutputStream());
    }

    void option(int opt, byte[] data) throws IOException {
      out.writeLong(Nbd.IHAVEOPT);
      out.writeInt(opt);
      out.writeInt(data.length);
      out.write(data);
      out.flush();
    }

    /** One option reply's type; its data is skipped. */
    int reply(int opt) throws IOException {
      assertEquals(Nbd.OPTION_REPLY_MAGIC, in.readLong());
      assertEquals(opt, in.readInt());
      int type = in.readInt();
      in.readFully(new byte[in.readInt()]);
      return type;
    }

    /** STARTTLS, acknowledged, then a TLS handshake that checks the server's certificate and host name. */
    void startTls() throws Exception {
      option(Nbd.OPT_STARTTLS, new byte[0]);
      assertEquals(Nbd.REP_ACK, reply(Nbd.OPT_STARTTLS));
      SSLSocket tls = (SSLSocket) trusting(serverCert).getSocketFactory().createSocket(socket, "localhost", port, true);
      SSLParameters params = tls.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      tls.setSSLParameters(params);
      tls.startHandshake();
      streams(tls);
    }

    void go() throws IOException {
      option(Nbd.OPT_GO, ByteBuffer.allocate(6).putInt(0).putShort((short) 0).array());
      int t;
      while ((t = reply(Nbd.OPT_GO)) == Nbd.REP_INFO) {
        // export and block size info
      }
      assertEquals(Nbd.REP_ACK, t);
    }

    /** A simple read of the export; checks the bytes. */
    void readsExactly(long cookie, int offset, int length) throws IOException {
      out.writeInt(Nbd.REQUEST_MAGIC);
      out.writeShort(0);
      out.writeShort(Nbd.CMD_READ);
      out.writeLong(cookie);
      out.writeLong(offset);
      out.writeInt(length);
      out.flush();
      assertEquals(Nbd.SIMPLE_REPLY_MAGIC, in.readInt());
      assertEquals(0, in.readInt());
      assertEquals(cookie, in.readLong());
      byte[] got = new byte[length];
      in.readFully(got);
      assertArrayEquals(Arrays.copyOfRange(disk, offset, offset + length), got, Seeds.describe(SEED));
    }

    /** True once the server has closed the connection (EOF or a reset within the bound). */
    boolean closedByServer() {
      try {
        InputStream raw = current.getInputStream();
        while (raw.read() >= 0) {
          // what the server sent before closing
        }
        return true;
      } catch (IOException e) {
        return !(e instanceof java.net.SocketTimeoutException);
      }
    }

    @Override
    public void close() throws IOException {
      current.close();
      socket.close();
    }
  }

  private static SSLContext trusting(X509Certificate cert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** A TLS client still reads exact bytes: what every misbehaving client must leave intact. */
  private void othersAreStillServed() throws Exception {
    try (Client c = new Client()) {
      c.startTls();
      c.go();
      c.readsExactly(7, 3 * BLOCK + 5, 70_000);
    }
  }

  @Test
  void optionsBeforeStartTlsAreRefusedThenTheSessionRunsInsideTls() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client c = new Client()) {
        for (int opt : new int[] {Nbd.OPT_LIST, Nbd.OPT_STRUCTURED_REPLY, Nbd.OPT_INFO, Nbd.OPT_GO, 12345}) {
          c.option(opt, opt == Nbd.OPT_GO || opt == Nbd.OPT_INFO
              ? ByteBuffer.allocate(6).putInt(0).putShort((short) 0).array() : new byte[0]);
          assertEquals(Nbd.REP_ERR_TLS_REQD, c.reply(opt), "option " + opt + " before TLS");
        }
        c.startTls();
        c.option(Nbd.OPT_LIST, new byte[0]);
        assertEquals(Nbd.REP_SERVER, c.reply(Nbd.OPT_LIST));
        assertEquals(Nbd.REP_ACK, c.reply(Nbd.OPT_LIST));
        c.option(Nbd.OPT_STARTTLS, new byte[0]);
        assertEquals(Nbd.REP_ERR_INVALID, c.reply(Nbd.OPT_STARTTLS), "a second STARTTLS inside TLS");
        c.go();
        c.readsExactly(1, 0, disk.length); // larger than one TLS record
        c.readsExactly(2, BLOCK - 3, 10);
        c.out.writeInt(Nbd.REQUEST_MAGIC);
        c.out.writeShort(0);
        c.out.writeShort(Nbd.CMD_DISC);
        c.out.write(new byte[20]);
        c.out.flush();
        assertTrue(c.closedByServer());
      }
    });
  }

  @Test
  void exportNameBeforeTlsEndsTheConnection() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client c = new Client()) {
        c.option(Nbd.OPT_EXPORT_NAME, new byte[0]);
        assertTrue(c.closedByServer());
      }
      othersAreStillServed();
    });
  }

  @Test
  void aClientThatSendsGarbageInsteadOfTlsLosesOnlyItsOwnConnection() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      Random rnd = new Random(Seeds.derive(SEED, "tls-garbage"));
      for (int round = 0; round < 10; round++) {
        byte[] junk = new byte[4096];
        rnd.nextBytes(junk);
        try (Client c = new Client()) {
          c.option(Nbd.OPT_STARTTLS, new byte[0]);
          assertEquals(Nbd.REP_ACK, c.reply(Nbd.OPT_STARTTLS));
          c.out.write(junk); // where its TLS handshake should be
          c.out.flush();
          assertTrue(c.closedByServer(), Seeds.describe(SEED));
        }
        try (Client c = new Client()) { // a clean TLS handshake, then clear-text garbage on the socket
          c.startTls();
          OutputStream raw = c.socket.getOutputStream();
          raw.write(junk);
          raw.flush();
          assertTrue(c.closedByServer(), Seeds.describe(SEED));
        }
      }
      othersAreStillServed();
    });
  }

  @Test
  void aClientStalledInTheTlsHandshakeIsClosedAtTheTimeoutAndOthersAreServed() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      try (Client stalled = new Client()) {
        stalled.option(Nbd.OPT_STARTTLS, new byte[0]);
        assertEquals(Nbd.REP_ACK, stalled.reply(Nbd.OPT_STARTTLS));
        othersAreStillServed(); // while it stalls
        long t0 = System.nanoTime();
        assertTrue(stalled.closedByServer());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "closed after the 2 s handshake timeout");
      }
    });
  }

  @Test
  void rsaAndEcCredentialsLoad() throws Exception {
    Path cert = dir.resolve("rsa-cert.pem");
    Path key = dir.resolve("rsa-key.pem");
    makeCredentials(dir, "rsa", "RSA", cert, key, 1);
    assertEquals("CN=localhost", NbdTls.fromPem(cert, key).subject());
    assertEquals("CN=localhost", NbdTls.fromPem(certPem, keyPem).subject());
  }

  @Test
  void badCredentialFilesAreRefusedWithTheFileAndTheReason() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThrows(NoSuchFileException.class, () -> NbdTls.fromPem(missing, keyPem));
    assertRefused(keyPem, keyPem, keyPem, "no PEM certificate", "holds a private key");
    assertRefused(certPem, certPem, certPem, "no unencrypted PKCS#8 private key", "found a certificate");
    Path pkcs1 = dir.resolve("pkcs1.pem");
    Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
    assertRefused(certPem, pkcs1, pkcs1, "PKCS#1");
    Path otherCert = dir.resolve("other-cert.pem");
    Path otherKey = dir.resolve("other-key.pem");
    makeCredentials(dir, "other", "EC", otherCert, otherKey, 1);
    assertRefused(certPem, otherKey, otherKey, "not the key of the first certificate");
    Path rsaCert = dir.resolve("r-cert.pem");
    Path rsaKey = dir.resolve("r-key.pem");
    makeCredentials(dir, "r", "RSA", rsaCert, rsaKey, 1);
    assertRefused(certPem, rsaKey, rsaKey, "an RSA private key, but the certificate in", "has an EC key");
    Path oldCert = dir.resolve("old-cert.pem");
    Path oldKey = dir.resolve("old-key.pem");
    makeCredentials(dir, "old", "EC", oldCert, oldKey, 5); // valid for 2 days from 5 days ago
    assertRefused(oldCert, oldKey, oldCert, "expired");
    Path notPem = dir.resolve("garbage.pem");
    Files.writeString(notPem, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
    assertRefused(notPem, keyPem, notPem, "not a valid PEM certificate chain");
  }

  private static void assertRefused(Path cert, Path key, Path blamed, String... reasons) {
    NbdTls.CredentialException e = assertThrows(NbdTls.CredentialException.class, () -> NbdTls.fromPem(cert, key));
    assertTrue(e.getMessage().startsWith(blamed + ": "), e.getMessage());
    for (String r : reasons) {
      assertTrue(e.getMessage().contains(r), e.getMessage());
    }
    assertTrue(!e.getMessage().matches("(?s).*(^|\\s)--[a-z].*"), "no CLI flag in a library message: " + e.getMessage());
  }

  @Test
  void theBuilderRefusesBadValuesAtOnce() {
    assertThrows(IllegalArgumentException.class, () -> NbdOptions.builder().maxConnections(0));
    assertThrows(IllegalArgumentException.class, () -> NbdOptions.builder().handshakeTimeout(Duration.ZERO));
    assertTrue(NbdOptions.builder().build().tls().isEmpty());
  }
}
