package io.hexz.store;

import java.nio.file.FileSystemException;

/**
 * A remote server failed or answered in a way that cannot give correct bytes: an HTTP or S3
 * error, a server that ignores Range requests, a wrong Content-Range, a short body, or transient
 * failures that outlasted the retries. Carries the URI without credentials or query
 * ({@link #getFile()}); the message is one line, "URI: reason". Immutable.
 */
public class RemoteException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  RemoteException(String uri, String reason) {
    super(uri, null, reason);
  }

  RemoteException(String uri, String reason, Throwable cause) {
    super(uri, null, reason);
    initCause(cause);
  }
}
