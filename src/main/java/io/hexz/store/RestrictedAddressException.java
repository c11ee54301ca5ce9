package io.hexz.store;

import java.nio.file.FileSystemException;

/**
 * A URL (or a redirect, or an S3 endpoint) names a host that resolves to a loopback, private,
 * link-local, cloud-metadata or otherwise restricted address, and restricted addresses were not
 * allowed ({@link RemoteOptions#allowRestricted()}; the command line adds how to allow them). The file is the URL without credentials or
 * query; for a redirect, the other file is the redirect target. Immutable.
 */
public final class RestrictedAddressException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  RestrictedAddressException(String uri, String redirectTarget, String host, String address) {
    super(uri, redirectTarget, "refused: " + host + " resolves to a restricted address (" + address + ")");
  }
}
