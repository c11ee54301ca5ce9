package io.hexz.store;

/**
 * The remote object is no longer the one that was opened (its ETag, Last-Modified or size
 * changed, or the server answered 412 Precondition Failed): reading on could mix bytes of two
 * versions, so the read fails instead. Carries the URI without credentials or query. Immutable.
 */
public final class RemoteChangedException extends RemoteException {
  private static final long serialVersionUID = 1L;

  RemoteChangedException(String uri, String detail) {
    super(uri, "changed on the server since it was opened (" + detail + "); open it again to read the new version");
  }
}
