package io.hexz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hexz.testing.Child;
import io.hexz.testing.Seeds;
import io.hexz.testing.TestData;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The CLI as users run it ({@code target/hexz}) against a real S3-compatible server: a snapshot of
 * a real ext4 image sits in S3Proxy (in-process, loopback, AWS signatures checked); {@code cat},
 * {@code verify} and {@code inspect} read it, loopback is refused without {@code --allow-restricted},
 * and {@code mount} serves it over FUSE to a loop-mounted ext4. Credentials reach the child
 * processes through the environment, as the default AWS chain reads them. Needs root and
 * /dev/fuse; run by failsafe in {@code mvn verify}.
 */
class S3MountIT {
  private static final String ACCESS = "hexz-it-access";
  private static final String SECRET = "hexz-it-secret-Kd3w";
  private static final String BUCKET = "hexz-it";
  private static final String KEY = "images/ext4.hxz";
  private static final String URL = "s3://" + BUCKET + "/" + KEY;
  /** The bound on one child process (a full 64 MiB read over S3 takes a few seconds). */
  private static final Duration STEP = Duration.ofSeconds(120);
  private static final long SEED = Seeds.random(S3MountIT.class);

  private final AtomicInteger runs = new AtomicInteger();
  private Path dir;
  private Path hexz;
  private Path tree;
  private List<Path> files;
  private Path img;
  private String imageSha;
  private Path snap;
  private Path mnt;
  private Path loop;
  /** The child processes' AWS credentials and settings. */
  private Map<String, String> env;
  /** --endpoint-url and --region of the S3 server. */
  private List<Object> endpoint;

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void catVerifyInspectAndMountAnExt4SnapshotServedByS3(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse: cannot mount FUSE here");
    Assumptions.assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
        "not root: mounting the ext4 image with -o loop needs root");
    hexz = Path.of("target", "hexz").toAbsolutePath();
    assertTrue(Files.isExecutable(hexz) && Files.isRegularFile(hexz.resolveSibling("hexz.jar")),
        hexz + " or hexz.jar is missing: run mvn package first");
    dir = tmp.toRealPath();

    tree = Files.createDirectory(dir.resolve("tree"));
    files = fillTree(tree, new Random(SEED));
    img = dir.resolve("disk.img");
    snap = dir.resolve("disk.hxz");
    expectSuccess(run(Map.of(), "mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", "-d", tree, img, "64M"));
    expectSuccess(run(Map.of(), hexz, "build", "-q", img, snap));
    imageSha = sha256(img);
    mnt = Files.createDirectory(dir.resolve("mnt"));
    loop = Files.createDirectory(dir.resolve("loop"));

    try (S3Server s3 = S3Server.start()) {
      s3.upload(snap);
      env = Map.of("AWS_ACCESS_KEY_ID", ACCESS, "AWS_SECRET_ACCESS_KEY", SECRET, "AWS_EC2_METADATA_DISABLED", "true",
          "AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString(),
          "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString(), "JAVA", Child.java());
      endpoint = List.of("--endpoint-url", s3.endpoint(), "--region", "us-east-1");
      try {
        catIsTheImage();
        verifyAndInspectPass();
        loopbackIsRefusedWithoutAllowRestricted();
        mountServesTheImageAndItsFiles();
      } finally {
        cleanUp();
      }
    }
  }

  /** 1. {@code cat}: the image byte for byte, nothing on stderr. */
  private void catIsTheImage() throws Exception {
    Run cat = hexz("cat", URL, "--allow-restricted");
    expectSuccess(cat);
    assertEquals("", cat.err(), "hexz cat wrote to stderr");
    assertEquals(Files.size(img), Files.size(cat.out()), "hexz cat: bytes on stdout");
    assertEquals(imageSha, sha256(cat.out()), "hexz cat: sha-256 of stdout vs the image");
  }

  /** 2. {@code verify} exits 0; {@code inspect --json} sees the snapshot's and the image's sizes. */
  private void verifyAndInspectPass() throws Exception {
    expectSuccess(hexz("verify", URL, "--allow-restricted"));
    Run inspect = hexz("inspect", "--json", URL, "--allow-restricted");
    expectSuccess(inspect);
    JsonNode info = new ObjectMapper().readTree(inspect.stdout());
    assertEquals(Files.size(snap), info.path("fileBytes").asLong(), inspect.stdout());
    List<Long> sizes = new ArrayList<>();
    info.path("streams").forEach(s -> sizes.add(s.path("size").asLong()));
    assertTrue(sizes.contains(Files.size(img)), "no stream of the image's size: " + inspect.stdout());
  }

  /** 3. Without {@code --allow-restricted}: non-zero, one stderr line naming the rule, no output, no mount. */
  private void loopbackIsRefusedWithoutAllowRestricted() throws Exception {
    for (String command : List.of("cat", "verify", "inspect", "mount")) {
      Run refused = command.equals("mount") ? hexz(command, URL, mnt) : hexz(command, URL);
      String what = "hexz " + command + " without --allow-restricted: " + refused.describe();
      assertNotEquals(0, refused.code(), what);
      assertEquals(1, refused.err().lines().count(), what);
      assertTrue(refused.err().contains("restricted"), what);
      assertEquals(0, Files.size(refused.out()), what);
      assertTrue(fuseSource(mnt).isEmpty(), what);
    }
  }

  /**
   * 4. {@code mount}: MNT/disk is the image; loop-mounted, its ext4 holds every file of the tree;
   * {@code unmount} lifts the mount and returns only after the mount process has ended.
   */
  private void mountServesTheImageAndItsFiles() throws Exception {
    expectSuccess(hexz("mount", URL, mnt, "--allow-restricted"));
    String source = fuseSource(mnt).orElseThrow(() -> new AssertionError(mnt + " is not a FUSE mount"));
    assertTrue(source.matches("hexz-\\d+"), "FUSE source " + source);
    long daemon = Long.parseLong(source.substring("hexz-".length()));
    Path disk = mnt.resolve("disk");
    assertEquals(Files.size(img), Files.size(disk), disk.toString());
    assertEquals(imageSha, sha256(disk), "sha-256 of " + disk + " vs the image");

    expectSuccess(run(Map.of(), "mount", "-o", "ro,loop", disk, loop));
    for (Path f : files) {
      Path inside = loop.resolve(tree.relativize(f).toString());
      assertEquals(-1L, Files.mismatch(f, inside), inside + " differs from " + f + ", " + Seeds.describe(SEED));
    }
    expectSuccess(run(Map.of(), "umount", loop));

    expectSuccess(hexz("unmount", mnt));
    assertTrue(fuseSource(mnt).isEmpty(), mnt + " is still mounted after hexz unmount");
    Optional<ProcessHandle> left = ProcessHandle.of(daemon).filter(ProcessHandle::isAlive);
    assertFalse(left.isPresent(), "hexz unmount returned while mount process " + daemon + " still runs");
  }

  /** A seeded tree: text and noise files from empty to 768 KiB, in nested directories. */
  private static List<Path> fillTree(Path root, Random rnd) throws IOException {
    List<Path> files = new ArrayList<>();
    for (int d = 0; d < 16; d++) {
      Path sub = Files.createDirectories(root.resolve(String.format("d%02d", d))
          .resolve(d % 3 == 0 ? "deep/er" : "."));
      for (int f = 0; f < 10; f++) {
        int pick = rnd.nextInt(100);
        int size = pick < 40 ? rnd.nextInt(4096) : pick < 85 ? 4096 + rnd.nextInt(124 << 10)
            : (128 << 10) + rnd.nextInt(640 << 10);
        boolean text = rnd.nextBoolean();
        Path p = sub.resolve(String.format("f%02d.%s", f, text ? "txt" : "bin")).normalize();
        files.add(Files.write(p, text ? TestData.text(size, rnd) : TestData.random(size, rnd)));
      }
    }
    files.add(Files.write(root.resolve("empty"), new byte[0]));
    return files;
  }

  /** The source of the FUSE file system mounted at {@code path} ("hexz-PID"), if any. */
  private static Optional<String> fuseSource(Path path) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (dash > 4 && f[4].equals(path.toString()) && f[dash + 1].startsWith("fuse")) {
        return Optional.of(f[dash + 2]);
      }
    }
    return Optional.empty();
  }

  /** Whether anything is mounted at {@code path}. */
  private static boolean mounted(Path path) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      if (line.split(" ")[4].equals(path.toString())) {
        return true;
      }
    }
    return false;
  }

  /** Lifts whatever is still mounted, most gently first; never throws; keeps an interrupt. */
  private void cleanUp() {
    boolean interrupted = Thread.interrupted();
    try {
      if (mounted(loop)) {
        quietly("umount", loop);
        if (mounted(loop)) {
          quietly("umount", "-l", loop);
        }
      }
      Optional<ProcessHandle> daemon = fuseSource(mnt).filter(s -> s.matches("hexz-\\d+"))
          .flatMap(s -> ProcessHandle.of(Long.parseLong(s.substring("hexz-".length()))));
      if (mounted(mnt)) {
        quietly(hexz, "unmount", "--timeout", "20", mnt);
      }
      if (mounted(mnt)) {
        quietly("fusermount", "-u", mnt);
      }
      if (mounted(mnt)) {
        quietly("umount", "-l", mnt);
      }
      if (daemon.isPresent() && daemon.get().isAlive()) {
        daemon.get().destroy();
        daemon.get().onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      System.err.println("[hexz] S3MountIT cleanup: " + e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void quietly(Object... command) {
    try {
      run(Map.of(), command);
    } catch (Exception | AssertionError e) {
      System.err.println("[hexz] S3MountIT cleanup: " + e);
    }
  }

  /** A finished child process: exit code, stdout in a file, stderr as text. */
  private record Run(List<String> command, int code, Path out, String err) {
    String stdout() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    String describe() {
      String size;
      try {
        size = Files.size(out) + " bytes";
      } catch (IOException e) {
        size = "? bytes";
      }
      return String.join(" ", command) + ": exit " + code + ", " + size + " on stdout, stderr:\n" + err;
    }
  }

  private static void expectSuccess(Run r) {
    assertEquals(0, r.code(), r.describe());
  }

  /** {@code target/hexz ARGS --endpoint-url E --region R} with the S3 credentials in the environment. */
  private Run hexz(Object... args) throws Exception {
    List<Object> cmd = new ArrayList<>();
    cmd.add(hexz);
    cmd.addAll(List.of(args));
    if (!"unmount".equals(args[0])) {
      cmd.addAll(endpoint);
    }
    return run(env, cmd.toArray());
  }

  /**
   * Runs {@code command} with stdin from /dev/null and stdout/stderr to files (a mount process
   * outlives its parent, so pipes could stay open); kills it and its descendants after {@link #STEP}.
   */
  private Run run(Map<String, String> environment, Object... command) throws Exception {
    List<String> cmd = Stream.of(command).map(String::valueOf).collect(Collectors.toList());
    int n = runs.incrementAndGet();
    Path out = dir.resolve("run-" + n + ".out");
    Path err = dir.resolve("run-" + n + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    pb.environment().putAll(environment);
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(STEP.toSeconds(), TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      fail("timed out after " + STEP.toSeconds() + " s: " + String.join(" ", cmd) + "\nstderr:\n"
          + Files.readString(err, StandardCharsets.UTF_8));
    }
    System.out.printf("[hexz] S3MountIT %.1f s, exit %d: %s%n", (System.nanoTime() - start) / 1e9, p.exitValue(),
        String.join(" ", cmd));
    return new Run(cmd, p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int r; (r = in.read(buf)) > 0;) {
        md.update(buf, 0, r);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** S3Proxy over jclouds' in-memory blob store on a random loopback port, with one bucket. */
  private static final class S3Server implements AutoCloseable {
    /** Held so that the levels set on them stay (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger[] QUIET = {java.util.logging.Logger.getLogger("org.eclipse.jetty"),
        java.util.logging.Logger.getLogger("org.gaul"), java.util.logging.Logger.getLogger("org.jclouds")};

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private S3Server(S3Proxy proxy, BlobStoreContext context) {
      this.proxy = proxy;
      this.context = context;
    }

    static S3Server start() throws Exception {
      for (java.util.logging.Logger l : QUIET) {
        l.setLevel(java.util.logging.Level.WARNING);
      }
      BlobStoreContext ctx = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
          .build(BlobStoreContext.class);
      S3Proxy proxy = S3Proxy.builder().blobStore(ctx.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
      S3Server server = new S3Server(proxy, ctx);
      try {
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"STARTED".equals(proxy.getState())) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("S3Proxy did not start within 10 s: " + proxy.getState());
          }
          Thread.sleep(10);
        }
        return server;
      } catch (Exception e) {
        server.close();
        throw e;
      }
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /**
     * Creates the bucket and puts {@code file} at {@link #KEY} with the AWS SDK, in the one form
     * S3Proxy 2.6.0 stores as AWS would: checksums only when required (it rejects the SDK's default
     * CRC32, trailing or in a header) and the body whole, not aws-chunked (it keeps
     * "Content-Encoding: aws-chunked" on the object, which AWS strips, and hexz refuses any object
     * with a Content-Encoding).
     */
    void upload(Path file) throws IOException {
      try (S3Client s3 = S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
          .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).chunkedEncodingEnabled(false)
              .build())
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .httpClient(UrlConnectionHttpClient.builder().build()).build()) {
        s3.createBucket(b -> b.bucket(BUCKET));
        s3.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromFile(file));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key(KEY));
        assertEquals(Files.size(file), head.contentLength(), "size of " + URL + " after the upload");
        assertNull(head.contentEncoding(), "Content-Encoding of " + URL);
      }
    }

    @Override
    public void close() throws Exception {
      try {
        proxy.stop();
      } finally {
        context.close();
      }
    }
  }
}
