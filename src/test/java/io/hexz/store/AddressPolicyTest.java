package io.hexz.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SSRF guard: every restricted range is refused without --allow-restricted, on the URL, on
 * every redirect and on the S3 endpoint, with the one-line message; public addresses pass. Each
 * address is first checked by the policy alone, so a broken policy fails the test before any
 * packet could go to a private range.
 */
class AddressPolicyTest {
  private static final Duration BOUND = Duration.ofSeconds(20);

  /** Literal hosts (as in a URL) of every restricted kind, and the address the message names. */
  static final List<String[]> RESTRICTED = List.of(
      new String[] {"127.0.0.1", "127.0.0.1"},
      new String[] {"127.8.9.10", "127.8.9.10"},
      new String[] {"10.1.2.3", "10.1.2.3"},
      new String[] {"172.16.0.1", "172.16.0.1"},
      new String[] {"172.31.255.254", "172.31.255.254"},
      new String[] {"192.168.1.1", "192.168.1.1"},
      new String[] {"169.254.169.254", "169.254.169.254"},
      new String[] {"100.64.0.1", "100.64.0.1"},
      new String[] {"100.127.255.1", "100.127.255.1"},
      new String[] {"0.0.0.0", "0.0.0.0"},
      new String[] {"224.0.0.1", "224.0.0.1"},
      new String[] {"255.255.255.255", "255.255.255.255"},
      new String[] {"192.0.0.192", "192.0.0.192"},
      new String[] {"[::1]", "0:0:0:0:0:0:0:1"},
      new String[] {"[::]", "0:0:0:0:0:0:0:0"},
      new String[] {"[fc00::1]", "fc00:0:0:0:0:0:0:1"},
      new String[] {"[fd00:ec2::254]", "fd00:ec2:0:0:0:0:0:254"},
      new String[] {"[fe80::1]", "fe80:0:0:0:0:0:0:1"},
      new String[] {"[ff02::1]", "ff02:0:0:0:0:0:0:1"},
      new String[] {"[::ffff:127.0.0.1]", "127.0.0.1"},
      new String[] {"[::ffff:169.254.169.254]", "169.254.169.254"},
      new String[] {"[::ffff:a9fe:a9fe]", "169.254.169.254"},
      new String[] {"[::10.1.2.3]", "0:0:0:0:0:0:a01:203"},
      new String[] {"[64:ff9b::a9fe:a9fe]", "64:ff9b:0:0:0:0:a9fe:a9fe"},
      new String[] {"[2002:c0a8:0101::1]", "2002:c0a8:101:0:0:0:0:1"},
      new String[] {"[64:ff9b:1::a9fe:a9fe]", "64:ff9b:1:0:0:0:a9fe:a9fe"},
      new String[] {"[2001:0:4136:e378:8000:63bf:80ff:fffe]", "2001:0:4136:e378:8000:63bf:80ff:fffe"}, // Teredo, 127.0.0.1
      new String[] {"localhost", null});

  @Test
  void everyRestrictedRangeIsRefusedWithoutTheFlag() throws Exception {
    for (String[] h : RESTRICTED) {
      for (InetAddress a : InetAddress.getAllByName(h[0])) {
        assertTrue(AddressPolicy.isRestricted(a), h[0] + " → " + a);
      }
    }
    assertTimeoutPreemptively(BOUND, () -> {
      for (String[] h : RESTRICTED) {
        String url = "http://" + h[0] + ":9/snap.hxz";
        RestrictedAddressException e = assertThrows(RestrictedAddressException.class,
            () -> ByteSources.open(URI.create(url), RemoteOptions.DEFAULTS).close(), url);
        String addr = h[1] != null ? h[1] : InetAddress.getAllByName(h[0])[0].getHostAddress();
        assertEquals(url + ": refused: " + h[0] + " resolves to a restricted address (" + addr
            + ")", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(e.getMessage().contains("--"), "the library names no command-line flag: " + e.getMessage());
      }
    });
  }

  @Test
  void httpsAndCredentialsDoNotChangeTheVerdict() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      RestrictedAddressException e = assertThrows(RestrictedAddressException.class,
          () -> ByteSources.open(URI.create("https://user:pw@169.254.169.254/latest/meta-data/?x=secret"),
              RemoteOptions.DEFAULTS));
      assertEquals("https://169.254.169.254/latest/meta-data/: refused: 169.254.169.254 resolves to a restricted"
          + " address (169.254.169.254)", e.getMessage());
    });
  }

  @Test
  void publicAddressesPass() throws Exception {
    for (String h : new String[] {"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.15.255.255",
        "172.32.0.1", "192.167.1.1", "192.169.0.1", "169.253.1.1", "11.0.0.1", "2606:4700::1111",
        "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:0808:0808::1",
        "2001:0:4136:e378:8000:63bf:f7f7:f7f7"}) { // the last: Teredo, client 8.8.8.8
      assertFalse(AddressPolicy.isRestricted(InetAddress.getByName(h)), h);
    }
  }

  @Test
  void everyRedirectTargetIsChecked() throws Exception {
    assertTrue(AddressPolicy.isRestricted(InetAddress.getByName("169.254.169.254")));
    InetAddress loop = InetAddress.getByName("127.0.0.1");
    try (RangeServer server = new RangeServer(new byte[100_000], loop)) {
      AddressPolicy policy = AddressPolicy.exempting(loop); // the test server counts as public
      assertTimeoutPreemptively(BOUND, () -> {
        for (String target : new String[] {"http://169.254.169.254/latest/meta-data/iam/",
            "http://127.0.0.2:" + server.port() + "/obj", "http://[::1]:" + server.port() + "/obj",
            "http://10.0.0.1/x"}) {
          server.redirectTo(target);
          URI start = server.uri("/redirect");
          RestrictedAddressException e = assertThrows(RestrictedAddressException.class,
              () -> ByteSources.remote(start, RemoteOptions.DEFAULTS, policy, true), target);
          String host = URI.create(target).getHost();
          assertTrue(e.getMessage().startsWith(start + " -> " + target + ": refused: " + host
              + " resolves to a restricted address ("), e.getMessage());
          assertTrue(e.getMessage().endsWith(")"), e.getMessage());
        }
        // A redirect within the allowed host is followed.
        server.redirectTo("/obj");
        try (ByteSource s = ByteSources.remote(server.uri("/redirect"), RemoteOptions.DEFAULTS, policy, true)) {
          assertEquals(100_000, s.size());
        }
        assertEquals(1, server.objectRequests.get(), "no restricted target was requested");
      });
    }
  }

  @Test
  void theS3EndpointIsChecked() throws Exception {
    assertTimeoutPreemptively(BOUND, () -> {
      for (String ep : new String[] {"http://127.0.0.1:9", "http://169.254.169.254", "http://[fd00::1]:9000"}) {
        RemoteOptions o = RemoteOptions.builder().endpointUrl(URI.create(ep)).build();
        RestrictedAddressException e = assertThrows(RestrictedAddressException.class,
            () -> ByteSources.open(URI.create("s3://bucket/snap.hxz"), o));
        assertTrue(e.getMessage().startsWith("s3://bucket/snap.hxz -> " + ep + ": refused: "), e.getMessage());
      }
    });
  }
}
