package io.hexz.store;

import java.net.URI;
import java.util.Locale;

/** Names of remote objects safe to show: no user info, no query, no fragment. Stateless. */
final class Uris {
  private Uris() {}

  /** {@code scheme://host[:port]/path} of {@code uri}: credentials and query secrets dropped. */
  static String redact(URI uri) {
    if (uri.getScheme() == null || uri.isOpaque()) {
      String s = uri.toString();
      int q = s.indexOf('?');
      return q < 0 ? s : s.substring(0, q);
    }
    StringBuilder b = new StringBuilder(uri.getScheme().toLowerCase(Locale.ROOT)).append("://");
    String host = uri.getHost() != null ? uri.getHost() : hostOfAuthority(uri.getRawAuthority());
    b.append(host == null ? "" : host);
    if (uri.getPort() >= 0) {
      b.append(':').append(uri.getPort());
    }
    if (uri.getRawPath() != null) {
      b.append(uri.getRawPath());
    }
    return b.toString();
  }

  /** The text of {@code message} with the raw query and user info of {@code uri} blanked out. */
  static String scrub(String message, URI uri) {
    if (message == null) {
      return "";
    }
    String out = message;
    for (String secret : new String[] {uri.getRawQuery(), uri.getRawUserInfo(), uri.getQuery(), uri.getUserInfo()}) {
      if (secret != null && !secret.isEmpty()) {
        out = out.replace(secret, "…");
      }
    }
    return out;
  }

  /** The host part of a raw authority ("user:pw@host:port" → "host"), for hosts java.net.URI does not parse. */
  static String hostOfAuthority(String authority) {
    if (authority == null) {
      return null;
    }
    String a = authority.substring(authority.lastIndexOf('@') + 1);
    if (a.startsWith("[")) {
      int end = a.indexOf(']');
      return end < 0 ? a : a.substring(0, end + 1);
    }
    int colon = a.lastIndexOf(':');
    return colon < 0 ? a : a.substring(0, colon);
  }
}
