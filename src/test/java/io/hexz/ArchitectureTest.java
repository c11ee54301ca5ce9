package io.hexz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layering of STYLE.md: dependencies point one way, {@code cli -> io.hexz (facade) ->
 * fuse, nbd (peers) -> overlay -> write -> read -> store, format -> codec}; a package may use only packages to
 * its right (write reads the parent of a thin snapshot through read; read never uses write;
 * store and format are peers that may not use each other; codec uses
 * nothing of hexz). Third-party libraries each have one home: jnr only in fuse, lz4-java and
 * zstd-jni only in codec, Caffeine only in read, the AWS SDK only in store, Bouncy Castle only in
 * crypto (which sits between read and format: read and write seal and open through it). Only cli touches System.out, System.err or
 * System.exit.
 *
 * <p>The scan reads every source file under src/main/java/io/hexz: import statements and fully
 * qualified names in code (comments and string literals are stripped first), so a fully qualified
 * reference cannot slip past the rules.
 */
class ArchitectureTest {
  /** Rank of each package: a package may depend only on higher ranks. Equal ranks are peers. */
  static final Map<String, Integer> RANK = Map.ofEntries(Map.entry("cli", 0), Map.entry("", 1), Map.entry("fuse", 2),
      Map.entry("nbd", 2), Map.entry("overlay", 3), Map.entry("write", 4), Map.entry("read", 5),
      Map.entry("crypto", 6), Map.entry("store", 7), Map.entry("format", 7), Map.entry("codec", 8));

  /** Sanctioned exceptions to the rules ("pkg -> reference"); none today. */
  static final Set<String> ALLOWED = Set.of();

  private static final Path ROOT = Path.of("src", "main", "java", "io", "hexz");
  private static final Pattern FQN = Pattern.compile(
      "\\b(io\\.hexz(?:\\.[a-z]\\w*)*\\.[A-Z]\\w*|jnr\\.[\\w.]+|net\\.jpountz\\.[\\w.]+|com\\.github\\.luben\\.[\\w.]+"
          + "|com\\.github\\.benmanes\\.caffeine\\.[\\w.]+|software\\.amazon\\.[\\w.]+|org\\.bouncycastle\\.[\\w.]+)");
  private static final Pattern SYSTEM_IO = Pattern.compile("\\bSystem\\s*\\.\\s*(out|err|exit)\\b");

  private static List<Source> sources;

  /** One source file: its package (relative to io.hexz) and its code without comments or strings. */
  record Source(Path path, String pkg, String code) {}

  @BeforeAll
  static void scan() throws IOException {
    sources = new ArrayList<>();
    try (Stream<Path> s = Files.walk(ROOT)) {
      for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".java"))::iterator) {
        String rel = ROOT.relativize(p.getParent()).toString().replace(java.io.File.separatorChar, '.');
        sources.add(new Source(p, rel, stripCommentsAndStrings(Files.readString(p, StandardCharsets.UTF_8))));
      }
    }
  }

  @Test
  void theScanSeesTheCode() {
    assertTrue(sources.size() >= 50, "too few sources found under " + ROOT.toAbsolutePath() + ": " + sources.size());
    // Positive controls: the scanner finds dependencies that are known to exist.
    assertTrue(references("read").contains("com.github.benmanes.caffeine.cache.Caffeine"), "read uses Caffeine");
    assertTrue(references("codec").stream().anyMatch(r -> r.startsWith("net.jpountz.")), "codec uses lz4-java");
    assertTrue(references("cli").contains("io.hexz.Hexz"), "cli uses the facade");
    assertTrue(references("read").contains("io.hexz.store.RemoteOptions"), "a fully qualified name in read");
    assertTrue(references("crypto").stream().anyMatch(r -> r.startsWith("org.bouncycastle.")), "crypto uses BC");
  }

  @Test
  void eachLibraryHasOneHome() {
    List<String> bad = new ArrayList<>();
    for (Source s : sources) {
      for (String r : references(s)) {
        String home = r.startsWith("jnr.") ? "fuse"
            : r.startsWith("net.jpountz.") || r.startsWith("com.github.luben.") ? "codec"
            : r.startsWith("com.github.benmanes.caffeine.") ? "read"
            : r.startsWith("software.amazon.") ? "store"
            : r.startsWith("org.bouncycastle.") ? "crypto" : null;
        if (home != null && !s.pkg().equals(home)) {
          bad.add(s.path() + " uses " + r + " (only io.hexz." + home + " may)");
        }
      }
    }
    assertEquals(List.of(), bad);
  }

  @Test
  void onlyTheCliPrintsOrExits() {
    List<String> bad = new ArrayList<>();
    for (Source s : sources) {
      Matcher m = SYSTEM_IO.matcher(s.code());
      while (m.find()) {
        if (!s.pkg().equals("cli")) {
          bad.add(s.path() + " uses System." + m.group(1));
        }
      }
    }
    assertEquals(List.of(), bad);
  }

  @Test
  void dependenciesPointOneWay() {
    List<String> bad = new ArrayList<>();
    for (Source s : sources) {
      for (String r : references(s)) {
        String why = violation(s.pkg(), r);
        if (why != null) {
          bad.add(s.path() + ": " + why);
        }
      }
    }
    assertEquals(List.of(), bad);
  }

  @Test
  void theRuleCatchesViolations() {
    // The checker itself, on references that break each rule.
    assertTrue(violation("codec", "io.hexz.format.Format") != null, "codec imports nothing of hexz");
    assertTrue(violation("format", "io.hexz.store.ByteSource") != null, "format and store are peers");
    assertTrue(violation("store", "io.hexz.format.Header") != null, "store and format are peers");
    assertTrue(violation("read", "io.hexz.write.WriteOptions") != null, "read may not use write");
    assertTrue(violation("read", "io.hexz.overlay.Overlay") != null, "no upward dependency");
    assertTrue(violation("fuse", "io.hexz.Hexz") != null, "fuse may not use the facade");
    assertTrue(violation("format", "io.hexz.fuse.X") != null);
    assertTrue(violation("codec", "io.hexz.newpkg.Thing") != null, "an unknown package is not in the order");
    assertTrue(violation("write", "io.hexz.read.Snapshot") == null, "write reads parents through read");
    assertTrue(violation("read", "io.hexz.crypto.SnapshotCipher") == null, "read opens sealed structures");
    assertTrue(violation("crypto", "io.hexz.format.EncryptionInfo") == null, "crypto uses the format");
    assertTrue(violation("crypto", "io.hexz.read.Snapshot") != null, "crypto is below read");
    assertTrue(violation("format", "io.hexz.crypto.Secret") != null, "format is pure encode/decode");
    assertTrue(violation("cli", "io.hexz.format.Checksums") == null, "further right is fine");
    assertTrue(violation("read", "io.hexz.read.Snapshot") == null, "within a package is fine");
  }

  /** Why {@code pkg} may not reference {@code ref}, or null if it may. */
  static String violation(String pkg, String ref) {
    if (!ref.startsWith("io.hexz.")) {
      return null;
    }
    String target = targetPackage(ref);
    if (target.equals(pkg)) {
      return null;
    }
    Integer from = RANK.get(pkg);
    Integer to = RANK.get(target);
    if (from == null || to == null) {
      return "package '" + (from == null ? pkg : target) + "' is not in the dependency order (" + ref + ")";
    }
    if (ALLOWED.contains(pkg + " -> " + ref)) {
      return null;
    }
    if (to <= from) {
      return "io.hexz" + (pkg.isEmpty() ? "" : "." + pkg) + " may not use " + ref + " (" + (to.equals(from)
          ? "peers" : "points against the order") + ")";
    }
    return null;
  }

  /** The package of io.hexz.x.Y (relative to io.hexz: "x", or "" for io.hexz.Y). */
  static String targetPackage(String ref) {
    String[] parts = ref.substring("io.hexz.".length()).split("\\.");
    StringBuilder pkg = new StringBuilder();
    for (String p : parts) {
      if (Character.isUpperCase(p.charAt(0))) {
        break;
      }
      pkg.append(pkg.length() == 0 ? "" : ".").append(p);
    }
    return pkg.toString();
  }

  private static Set<String> references(String pkg) {
    Set<String> out = new TreeSet<>();
    sources.stream().filter(s -> s.pkg().equals(pkg)).forEach(s -> out.addAll(references(s)));
    return out;
  }

  /** Imported and fully qualified names in {@code s}'s code (its own package line excluded). */
  private static Set<String> references(Source s) {
    Set<String> out = new TreeSet<>();
    for (String line : s.code().split("\n")) {
      if (line.trim().startsWith("package ")) {
        continue;
      }
      Matcher m = FQN.matcher(line);
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** Java source with comments, string and char literals and text blocks blanked out. */
  static String stripCommentsAndStrings(String src) {
    StringBuilder out = new StringBuilder(src.length());
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
        while (i < n && src.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
        int end = src.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        for (int k = i; k < end; k++) {
          if (src.charAt(k) == '\n') {
            out.append('\n');
          }
        }
        i = end;
      } else if (src.startsWith("\"\"\"", i)) {
        int end = src.indexOf("\"\"\"", i + 3);
        i = end < 0 ? n : end + 3;
        out.append("\"\"");
      } else if (c == '"' || c == '\'') {
        i++;
        while (i < n && src.charAt(i) != c && src.charAt(i) != '\n') {
          i += src.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
        out.append(c).append(c);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  @Test
  void strippingKeepsCodeAndDropsCommentsAndStrings() {
    String s = stripCommentsAndStrings("a /* io.hexz.write.X */ b // System.out\n\"System.exit(1)\" 'x' c");
    assertEquals("a  b \n\"\" '' c", s);
  }
}
