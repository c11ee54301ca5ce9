package io.hexz.cli;

import io.hexz.crypto.Secret;
import io.hexz.nbd.NbdExport;
import io.hexz.nbd.NbdOptions;
import io.hexz.nbd.NbdServer;
import io.hexz.nbd.NbdTls;
import io.hexz.overlay.Overlay;
import io.hexz.read.BlockDevice;
import io.hexz.read.ReadOptions;
import io.hexz.read.Snapshot;
import io.hexz.read.Snapshots;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hexz serve SNAP|DIR --nbd ADDR}: an NBD server in the foreground until SIGTERM/SIGINT.
 * One snapshot is served as the default export "" (its disk), "disk" and "memory"; a directory
 * serves each NAME.hxz as "NAME" (its disk) and "NAME/memory".
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve snapshots over NBD (to QEMU, qemu-img, nbdcopy, nbd-client) until SIGTERM/SIGINT.",
    footerHeading = "%nTLS%n",
    footer = {"Without --tls-cert/--tls-key NBD is clear text and unauthenticated: whoever can connect reads every "
        + "export. With them every client must start TLS (NBD_OPT_STARTTLS, TLS 1.2 or 1.3) before anything "
        + "else; plain clients are refused. TLS encrypts the connection and proves the server's identity to "
        + "clients that check its certificate (nbds:// URIs with tls-certificates=DIR, QEMU's tls-creds-x509 "
        + "with endpoint=client). It does not authenticate clients: no client certificate is asked for, so "
        + "whoever can connect still reads every export (and writes a --rw one). Over a Unix socket there is "
        + "no host name to check: QEMU needs tls-hostname=NAME.",
        "",
        "  hexz serve disk.hxz --nbd 0.0.0.0:10809 --tls-cert cert.pem --tls-key key.pem",
        "  nbdinfo 'nbds://server/?tls-certificates=DIR'      # DIR holds ca-cert.pem"})
final class ServeCommand implements Callable<Integer> {
  static final int DEFAULT_PORT = 10809;

  @Parameters(index = "0", paramLabel = "SNAP",
      description = "a .hxz snapshot, a directory of them, an http(s):// URL or s3://BUCKET/KEY")
  String snap;

  @Option(names = "--nbd", paramLabel = "ADDR", defaultValue = "10809",
      description = "unix:PATH, PORT (loopback) or HOST:PORT (default: ${DEFAULT-VALUE})")
  String nbd;

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "require TLS: the server's PEM certificate chain (its certificate first); needs --tls-key")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE",
      description = "the PEM PKCS#8 private key (RSA or EC, unencrypted) of the --tls-cert certificate")
  Path tlsKey;

  /** --rw, --overlay, --cache-size, --no-prefetch, --no-boot-prefetch, --parent-dir: shared with mount. */
  @picocli.CommandLine.Mixin
  DiskFlags disk;

  @Option(names = "--max-connections", paramLabel = "N", description = "clients served at once (default: ${DEFAULT-VALUE})")
  int maxConnections = NbdOptions.DEFAULT_MAX_CONNECTIONS;

  @picocli.CommandLine.Mixin
  RemoteFlags remote;

  @picocli.CommandLine.Mixin
  PasswordFlags passwords;

  @picocli.CommandLine.Mixin
  PublicKeyFlag publicKey;

  @Override
  public Integer call() throws Exception {
    Path overlay = disk.overlay();
    boolean rw = disk.rw;
    if (maxConnections < 1 || maxConnections > NbdOptions.MAX_CONNECTIONS) {
      throw new Errors.UsageException("--max-connections " + maxConnections + ": must be 1.." + NbdOptions.MAX_CONNECTIONS);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new Errors.UsageException(tlsCert == null ? "--tls-key needs --tls-cert FILE" : "--tls-cert needs --tls-key FILE");
    }
    SocketAddress address = parseAddress(nbd);
    // Credentials are checked before any snapshot is opened: a bad file fails the start, not a client.
    NbdTls tls = tlsCert == null ? null : NbdTls.fromPem(tlsCert, tlsKey);
    NbdOptions options = NbdOptions.builder().maxConnections(maxConnections).tls(tls).build();
    List<Closeable> resources = new ArrayList<>(); // closed in reverse: overlay before its snapshot
    List<NbdExport> exports = new ArrayList<>();
    NbdServer server;
    try {
      ReadOptions ro = disk.read(remote.options());
      boolean isRemote = io.hexz.store.ByteSources.isRemote(snap);
      try (Secret pw = passwords.read()) {
        ro = ro.withPassword(pw).withPublicKey(publicKey.read());
        if (!isRemote && Files.isDirectory(Path.of(snap))) {
          if (rw) {
            throw new Errors.UsageException("--rw serves one snapshot, not a directory of them");
          }
          serveDirectory(Path.of(snap), ro, resources, exports);
        } else {
          if (!isRemote && !Files.exists(Path.of(snap))) {
            throw new NoSuchFileException(snap, null, "snapshot does not exist");
          }
          Snapshot s = Snapshots.open(snap, ro);
          resources.add(s);
          if (s.header().isTree()) {
            throw new Errors.UsageException(snap + ": a directory snapshot has no disk to serve over NBD (mount it)");
          }
          BlockDevice device = s.disk();
          if (!disk.noBootPrefetch) {
            io.hexz.read.PlanPrefetch.start(s).ifPresent(resources::add);
          }
          if (rw) {
            if (s.header().isEncrypted()) {
              throw new Errors.UsageException(snap + ": is encrypted, and overlays are not: --rw is refused");
            }
            Overlay ov = Overlay.open(overlay, device, s.header().identity());
            resources.add(ov);
            device = ov;
          }
          exports.add(new NbdExport("", "disk of " + snap, device));
          exports.add(new NbdExport("disk", "disk of " + snap, device));
          s.memory().ifPresent(m -> exports.add(new NbdExport("memory", "memory of " + snap, m)));
        }
      }
      Snapshots.awaitWarmup(); // the first client's reads run compiled, not interpreted
      server = NbdServer.start(address, exports, options);
    } catch (IOException | RuntimeException e) {
      closeAll(resources);
      throw e;
    }
    Thread hook = new Thread(() -> {
      try {
        server.close();
      } catch (IOException ignored) {
        // exiting anyway
      }
      closeAll(resources);
    }, "hexz-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    System.err.println("hexz: serving " + exports.size() + " export(s) of " + snap + " over NBD on "
        + describe(server.address()) + (rw ? " (writable, overlay " + disk.overlay + ")" : " (read-only)")
        + (tls == null ? "" : ", TLS required (certificate " + tls.subject() + ")"));
    server.awaitClosed();
    return 0;
  }

  private static void serveDirectory(Path dir, ReadOptions ro, List<Closeable> resources, List<NbdExport> exports)
      throws IOException {
    List<Path> snaps = Snapshots.inDirectory(dir);
    List<Snapshot> opened = Snapshots.openAll(snaps.stream().map(Path::toString).toList(), ro);
    resources.addAll(opened);
    for (int i = 0; i < snaps.size(); i++) {
      String file = snaps.get(i).getFileName().toString();
      String name = file.substring(0, file.length() - 4);
      Snapshot s = opened.get(i);
      if (s.header().isTree()) {
        continue; // a directory snapshot has no disk
      }
      exports.add(new NbdExport(name, "disk of " + file, s.disk()));
      s.memory().ifPresent(m -> exports.add(new NbdExport(name + "/memory", "memory of " + file, m)));
    }
    if (exports.isEmpty()) {
      throw new NoSuchFileException(dir.toString(), null, "only directory snapshots here: none has a disk to serve");
    }
  }

  /** {@code unix:PATH}, {@code PORT} (loopback) or {@code HOST:PORT} ({@code [v6]:PORT}). */
  static SocketAddress parseAddress(String a) {
    if (a.startsWith("unix:")) {
      String p = a.substring(5);
      if (p.isEmpty()) {
        throw new Errors.UsageException("--nbd unix:PATH needs a path");
      }
      return UnixDomainSocketAddress.of(Path.of(p).toAbsolutePath());
    }
    int colon = a.lastIndexOf(':');
    String host = colon < 0 ? null : a.substring(0, colon);
    String port = colon < 0 ? a : a.substring(colon + 1);
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new Errors.UsageException("--nbd " + a + ": expected unix:PATH, PORT or HOST:PORT");
    }
    if (p < 0 || p > 65535) {
      throw new Errors.UsageException("--nbd " + a + ": port must be 0..65535");
    }
    if (host == null) {
      return new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), p);
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, p);
  }

  private static String describe(SocketAddress a) {
    return a instanceof UnixDomainSocketAddress u ? "unix:" + u.getPath() : String.valueOf(a);
  }

  private static void closeAll(List<Closeable> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (IOException ignored) {
        // the first error is the one reported
      }
    }
  }
}
