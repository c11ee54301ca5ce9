package io.hexz.store;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Set;

/**
 * The guard against server-side request forgery: unless restricted addresses are allowed, a host
 * is refused when any address it resolves to is loopback, unspecified, private, shared (CGNAT),
 * link-local (which holds the cloud metadata service 169.254.169.254), unique-local IPv6,
 * multicast, reserved, local-use NAT64 (64:ff9b:1::/48), or an IPv4 address of these kinds
 * embedded in IPv6 (mapped, compatible, NAT64, 6to4, Teredo). Checked before every request (the
 * JVM's DNS cache makes the check and the connection see the same addresses, except when an entry
 * expires between the two: see README, Security). Immutable.
 */
final class AddressPolicy {
  /** Refuses restricted addresses. */
  static final AddressPolicy DEFAULT = new AddressPolicy(false, Set.of());
  /** Allows every address (--allow-restricted). */
  static final AddressPolicy ALLOW_ALL = new AddressPolicy(true, Set.of());

  private final boolean allowAll;
  private final Set<InetAddress> exempt;

  private AddressPolicy(boolean allowAll, Set<InetAddress> exempt) {
    this.allowAll = allowAll;
    this.exempt = exempt;
  }

  static AddressPolicy of(boolean allowRestricted) {
    return allowRestricted ? ALLOW_ALL : DEFAULT;
  }

  /** The default policy, except that {@code addresses} count as public (for tests on loopback). */
  static AddressPolicy exempting(InetAddress... addresses) {
    return new AddressPolicy(false, Set.of(addresses));
  }

  /**
   * Refuses {@code host} if the policy does not allow it.
   *
   * @param name the URL shown in the error (without secrets)
   * @param redirect the redirect target shown beside it, or null
   */
  void check(String name, String redirect, String host) throws java.io.IOException {
    if (allowAll) {
      return;
    }
    if (host == null || host.isEmpty()) {
      throw new RemoteException(name, "URL has no host");
    }
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new RemoteException(name, "cannot resolve host " + host, e);
    }
    for (InetAddress a : all) {
      if (isRestricted(a) && !exempt.contains(a)) {
        throw new RestrictedAddressException(name, redirect, host, a.getHostAddress());
      }
    }
  }

  /** Whether {@code a} is an address a remote snapshot must not make hexz reach by default. */
  static boolean isRestricted(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      return isRestrictedV4(b);
    }
    if (a instanceof Inet6Address) {
      int b0 = b[0] & 0xff;
      if ((b0 & 0xfe) == 0xfc) {
        return true; // fc00::/7 unique local
      }
      if (b0 == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && b[4] == 0
          && b[5] == 1) {
        return true; // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): translates into private networks
      }
      byte[] v4 = embeddedV4(b);
      return v4 != null && isRestrictedV4(v4);
    }
    return true;
  }

  private static boolean isRestrictedV4(byte[] b) {
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    int b2 = b[2] & 0xff;
    return b0 == 0 // 0.0.0.0/8 "this network"
        || b0 == 10 // 10/8
        || b0 == 127 // loopback
        || (b0 == 100 && (b1 & 0xc0) == 64) // 100.64/10 shared address space (CGNAT)
        || (b0 == 169 && b1 == 254) // link-local, cloud metadata
        || (b0 == 172 && (b1 & 0xf0) == 16) // 172.16/12
        || (b0 == 192 && b1 == 168) // 192.168/16
        || (b0 == 192 && b1 == 0 && b2 == 0) // 192.0.0/24 protocol assignments (incl. 192.0.0.192 metadata)
        || (b0 == 198 && (b1 & 0xfe) == 18) // 198.18/15 benchmarking
        || b0 >= 224; // multicast, reserved 240/4, broadcast
  }

  /** The IPv4 address inside an IPv4-mapped, -compatible, NAT64, 6to4 or Teredo IPv6 address, or null. */
  private static byte[] embeddedV4(byte[] b) {
    boolean zero10 = allZero(b, 0, 10);
    if (zero10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
      return Arrays.copyOfRange(b, 12, 16); // ::ffff:a.b.c.d
    }
    if (zero10 && b[10] == 0 && b[11] == 0) {
      return Arrays.copyOfRange(b, 12, 16); // ::a.b.c.d (deprecated compatible form)
    }
    if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
        && allZero(b, 4, 12)) {
      return Arrays.copyOfRange(b, 12, 16); // 64:ff9b::/96 NAT64
    }
    if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
      return Arrays.copyOfRange(b, 2, 6); // 2002::/16 6to4
    }
    if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0 && b[3] == 0) {
      byte[] v4 = Arrays.copyOfRange(b, 12, 16); // 2001::/32 Teredo: the client's IPv4, inverted
      for (int i = 0; i < 4; i++) {
        v4[i] = (byte) ~v4[i];
      }
      return v4;
    }
    return null;
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
