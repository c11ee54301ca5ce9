package io.hexz.cli;

import io.hexz.store.RemoteOptions;
import java.net.URI;
import picocli.CommandLine.Option;

/** Options for snapshots on HTTP(S) servers and S3 (a picocli mixin). */
final class RemoteFlags {
  @Option(names = "--endpoint-url", paramLabel = "URL",
      description = "S3-compatible endpoint (MinIO, Ceph...); path-style addressing")
  URI endpointUrl;

  @Option(names = "--region", paramLabel = "REGION", description = "S3 region (default: AWS config, else us-east-1)")
  String region;

  @Option(names = "--allow-restricted",
      description = "allow loopback, private, link-local and metadata addresses (refused by default)")
  boolean allowRestricted;

  RemoteOptions options() {
    RemoteOptions.Builder b = RemoteOptions.builder().allowRestricted(allowRestricted);
    if (endpointUrl != null) {
      b.endpointUrl(endpointUrl);
    }
    if (region != null) {
      b.region(region);
    }
    return b.build();
  }
}
