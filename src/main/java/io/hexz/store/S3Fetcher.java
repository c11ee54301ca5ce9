package io.hexz.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * An object in S3 or an S3-compatible store, read with ranged GetObject calls of the AWS SDK v2
 * (signing, credentials and endpoints are the SDK's). Thread-safe.
 *
 * <p>Open: HeadObject gives the size, the ETag and Last-Modified; every GetObject then carries
 * {@code ifMatch(ETag)}, so a replaced object fails with 412 instead of mixing versions, and its
 * Content-Range and length are checked like HTTP's. Without an ETag (S3Proxy's filesystem backend
 * serving a file copied into its directory), each answer's Last-Modified and total size must equal
 * those seen at open. No {@code ifUnmodifiedSince} is sent: HTTP dates carry whole seconds, and
 * such a server compares them with the file's sub-second mtime, failing every GET of an unchanged
 * object with 412.
 *
 * <p>Client: HTTP through the JDK's HttpURLConnection (url-connection-client: pooled keep-alive
 * connections, never follows redirects), the SDK's own retries off ({@link Retrier} retries, the
 * same way as for HTTP), attempt timeout = request timeout (timed on a "hexz-s3-timer" thread).
 * With an endpoint override, path-style addressing. Every request passes an interceptor that
 * applies {@link AddressPolicy} to its host and counts it. Credentials come from the default AWS
 * chain (system properties, environment, web identity, profile files, container and instance
 * metadata); if it finds none, requests are anonymous (public buckets). Region: the option,
 * else {@code aws.region} / {@code AWS_REGION} / the profile, else us-east-1.
 */
final class S3Fetcher implements RangeFetcher {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)",
      Pattern.CASE_INSENSITIVE);

  private final String name;
  private final String bucket;
  private final String key;
  private final S3Client client;
  private final AwsCredentialsProvider credentials;
  private final boolean anonymous;
  private final Stats stats;
  private final ScheduledExecutorService timer;
  private long size;
  private String etag;
  private Instant lastModified;

  private S3Fetcher(URI uri, RemoteOptions options, AddressPolicy policy, Stats stats) throws IOException {
    this.name = Uris.redact(uri);
    this.stats = stats;
    this.bucket = uri.getRawAuthority();
    String path = uri.getPath();
    this.key = path == null || path.length() <= 1 ? "" : path.substring(1);
    if (bucket == null || bucket.isEmpty() || key.isEmpty()) {
      throw new RemoteException(name, "an S3 URL must name a bucket and a key: s3://BUCKET/KEY");
    }
    if (uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
      throw new RemoteException(name, "an S3 URL takes no credentials or query; credentials come from the AWS"
          + " environment or profile files");
    }
    if (options.endpointUrl().isPresent()) {
      URI e = options.endpointUrl().get();
      policy.check(name, Uris.redact(e), e.getHost());
    }
    AwsCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
    boolean anon = false;
    try {
      chain.resolveCredentials();
    } catch (SdkException e) {
      ((DefaultCredentialsProvider) chain).close();
      chain = AnonymousCredentialsProvider.create();
      anon = true;
    }
    this.credentials = chain;
    this.anonymous = anon;
    AtomicInteger n = new AtomicInteger();
    this.timer = Executors.newScheduledThreadPool(1, r -> {
      Thread t = new Thread(r, "hexz-s3-timer-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(options.connectTimeout())
            .socketTimeout(options.requestTimeout()))
        .credentialsProvider(credentials)
        .region(region(options))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(c -> c
            .retryStrategy(AwsRetryStrategy.doNotRetry())
            .scheduledExecutorService(timer)
            .apiCallAttemptTimeout(options.requestTimeout())
            .apiCallTimeout(options.requestTimeout().plus(options.connectTimeout()))
            .addExecutionInterceptor(new Guard(name, policy, stats)));
    if (options.endpointUrl().isPresent()) {
      b.endpointOverride(options.endpointUrl().get()).forcePathStyle(true);
    }
    try {
      this.client = b.build();
    } catch (RuntimeException e) {
      timer.shutdownNow();
      if (credentials instanceof DefaultCredentialsProvider) {
        ((DefaultCredentialsProvider) credentials).close();
      }
      throw e;
    }
  }

  /** Opens {@code s3://bucket/key}: pins the object by HeadObject. */
  static S3Fetcher open(URI uri, RemoteOptions options, AddressPolicy policy, Stats stats, Retrier retrier)
      throws IOException {
    S3Fetcher f = new S3Fetcher(uri, options, policy, stats);
    try {
      retrier.call(f.name, () -> {
        f.head();
        return null;
      });
      return f;
    } catch (IOException | RuntimeException e) {
      f.close();
      throw e;
    }
  }

  private static Region region(RemoteOptions options) {
    if (options.region().isPresent()) {
      return Region.of(options.region().get());
    }
    try {
      // Not the default chain: its last step asks the EC2 metadata service, slow off EC2.
      return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
          .getRegion();
    } catch (SdkException e) {
      return Region.US_EAST_1;
    }
  }

  private void head() throws IOException {
    HeadObjectResponse r;
    try {
      r = client.headObject(h -> h.bucket(bucket).key(key));
    } catch (SdkException e) {
      throw translate(e, false);
    }
    if (r.contentLength() == null) {
      throw new RemoteException(name, "HeadObject gave no Content-Length");
    }
    size = r.contentLength();
    etag = r.eTag();
    lastModified = r.lastModified();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String validator() {
    return RangeFetcher.describeValidator(etag, lastModified);
  }

  @Override
  public byte[] takeProbe() {
    return null;
  }

  @Override
  public void fetch(long offset, byte[][] parts) throws IOException {
    long total = 0;
    for (byte[] p : parts) {
      total += p.length;
    }
    long last = offset + total - 1;
    long expected = total;
    GetObjectRequest.Builder req = GetObjectRequest.builder().bucket(bucket).key(key).range("bytes=" + offset + "-" + last);
    if (etag != null) {
      req.ifMatch(etag);
    }
    try {
      client.getObject(req.build(), (GetObjectResponse r, AbortableInputStream in) -> {
        try {
          check(r, offset, last);
          fill(in, parts, expected);
          return null;
        } catch (IOException | RuntimeException e) {
          in.abort();
          throw e;
        }
      });
    } catch (SdkException e) {
      throw translate(e, true);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void check(GetObjectResponse r, long offset, long last) throws IOException {
    String cr = r.contentRange();
    if (cr == null) {
      throw new RemoteException(name, "server ignores Range requests (answered with the whole object instead of"
          + " 206 Partial Content)");
    }
    Matcher m = CONTENT_RANGE.matcher(cr.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) != offset || Long.parseLong(m.group(2)) != last) {
      throw new RemoteException(name, "server answered a request for bytes " + offset + "-" + last
          + " with Content-Range " + cr + " (wrong Content-Range)");
    }
    if (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != size) {
      throw new RemoteChangedException(name, "its size is now " + m.group(3) + " bytes, was " + size);
    }
    if (etag != null && r.eTag() != null && !r.eTag().equals(etag)) {
      throw new RemoteChangedException(name, "ETag is now " + r.eTag() + ", was " + etag);
    }
    if (etag == null && lastModified != null && !lastModified.equals(r.lastModified())) {
      throw new RemoteChangedException(name, "Last-Modified is now " + r.lastModified() + ", was " + lastModified);
    }
    String enc = effectiveEncoding(r.contentEncoding());
    if (!enc.isEmpty()) {
      throw new RemoteException(name, "object is stored with Content-Encoding " + enc + "; hexz needs the stored bytes");
    }
  }

  /**
   * The Content-Encoding that changes the bytes a GET returns: "aws-chunked" only describes how
   * the upload was framed (S3 strips it; several S3-compatible servers keep it on the object
   * although the stored bytes are plain), and "identity" changes nothing.
   */
  static String effectiveEncoding(String header) {
    if (header == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (String part : header.split(",")) {
      String e = part.trim();
      if (!e.isEmpty() && !e.equalsIgnoreCase("aws-chunked") && !e.equalsIgnoreCase("identity")) {
        out.append(out.length() == 0 ? "" : ", ").append(e);
      }
    }
    return out.toString();
  }

  private void fill(InputStream in, byte[][] parts, long expected) throws IOException {
    long received = 0;
    try {
      for (byte[] p : parts) {
        int pos = 0;
        while (pos < p.length) {
          int n = in.read(p, pos, p.length - pos);
          if (n < 0) {
            throw new TransientException("short body: " + received + " of " + expected + " bytes", null, null);
          }
          pos += n;
          received += n;
          stats.bytesFetched.add(n);
        }
      }
      if (in.read() >= 0) {
        throw new RemoteException(name, "server sent more than the " + expected + " bytes of the range");
      }
    } catch (TransientException | RemoteException e) {
      throw e;
    } catch (InterruptedIOException e) {
      throw e;
    } catch (IOException e) {
      throw new TransientException("connection lost after " + received + " of " + expected + " body bytes ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", null, e);
    }
  }

  /** Our own verdicts pass through; S3 errors and transport failures are classified. */
  private IOException translate(SdkException e, boolean pinned) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RemoteException || t instanceof TransientException || t instanceof RestrictedAddressException
          || t instanceof InterruptedIOException) {
        return (IOException) t;
      }
    }
    if (e instanceof AbortedException) {
      Thread.currentThread().interrupt();
      InterruptedIOException x = new InterruptedIOException(name + ": interrupted");
      x.initCause(e);
      return x;
    }
    if (e instanceof ApiCallAttemptTimeoutException || e instanceof ApiCallTimeoutException) {
      return new TransientException("no complete answer in time", null, e);
    }
    if (e instanceof AwsServiceException) {
      AwsServiceException s = (AwsServiceException) e;
      int status = s.statusCode();
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String what = (code == null ? "" : code + ", ") + "HTTP " + status;
      if (status == 412 && pinned) {
        return new RemoteChangedException(name, "S3 " + what + " for If-Match " + etag);
      }
      if (status == 416 && pinned) {
        return new RemoteChangedException(name, "S3 " + what + ": the range is no longer inside it");
      }
      if (status == 404 && pinned) {
        return new RemoteChangedException(name, "it is gone: S3 " + what);
      }
      if (status == 404) {
        return new NoSuchFileException(name, null, "not found (S3 " + what + ")");
      }
      if (status == 401 || status == 403) {
        return new AccessDeniedException(name, null, "access denied (S3 " + what + ")"
            + (anonymous ? "; no AWS credentials were found, so the request was anonymous" : ""));
      }
      if (status == 408 || status == 429 || status >= 500 || "RequestTimeout".equals(code) || "SlowDown".equals(code)) {
        return new TransientException("S3 " + what, null, e);
      }
      return new RemoteException(name, "S3 " + what + (s.awsErrorDetails() == null
          || s.awsErrorDetails().errorMessage() == null ? "" : ": " + s.awsErrorDetails().errorMessage()), e);
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLHandshakeException) {
        return new RemoteException(name, "TLS failed: " + t.getMessage(), e);
      }
      if (t instanceof IOException) {
        return new TransientException("connection failed: " + (t.getMessage() == null ? t.getClass().getSimpleName()
            : t.getMessage()), null, e);
      }
    }
    return new RemoteException(name, "S3 request failed: " + e.getMessage(), e);
  }

  @Override
  public void close() {
    client.close();
    timer.shutdownNow();
    if (credentials instanceof DefaultCredentialsProvider) {
      ((DefaultCredentialsProvider) credentials).close();
    }
  }

  /** Applies the address policy to the host of every request the SDK sends, and counts it. Stateless. */
  private static final class Guard implements ExecutionInterceptor {
    private final String name;
    private final AddressPolicy policy;
    private final Stats stats;

    Guard(String name, AddressPolicy policy, Stats stats) {
      this.name = name;
      this.policy = policy;
      this.stats = stats;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      try {
        policy.check(name, null, context.httpRequest().host());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      stats.requests.increment();
    }
  }
}
